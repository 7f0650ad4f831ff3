#pragma once
// `roomctl audit`: the findings of reconcile::audit as a JSON document and as text. Pure: data
// in, JSON or string out.

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// One finding: {"kind", "room", "database_name", "database_sid", "server_sid",
// "database_status", "num_participants" (connected participants of the server's room: 0 when
// the server has no such room, null when it has the room but the count is unknown, e.g. a
// Twilio room a live row owns, which audit does not ask about; text: "participants
// unknown"), "server_creation_time", "starts_at"} (starts_at: the
// row's session start, ISO 8601 UTC, or null), plus expected_room, suggested_template (null
// when none) and sid_evidence for a name_mismatch, sid_provider for a foreign_sid,
// missing_cause ("never_created", "expired", "unknown") for a missing or not_yet_due, rows
// ([{"name", "sid", "status"}], every live row naming the room) for a duplicate_name, and
// no_room_name (bool) for an unclassified.
nlohmann::json finding_json(const reconcile::Finding& f);

// audit: {"in_sync": bool, "summary": {... "unclassified": n, "unclassified_statuses":
// {"PAUSED": 3, "NULL": 1}, "duplicate_name": n, "not_yet_due": n, "unnamed_rows": n,
// "matched_by_name_only": bool}, "findings": [...]}. not_yet_due rows are findings in the list
// but do not make in_sync false. An unclassified finding carries the row and,
// when the server has its room, the server's side; a name_mismatch carries expected_room,
// suggested_template (null when none) and sid_evidence.
nlohmann::json audit_json(const reconcile::AuditResult& r);

// Findings table, the summary line, and the fixes worth spelling out: one room_name_template
// explaining every name mismatch, and the unclassified status values with their row counts.
// Also one line each, when they apply: rooms matched by name only (no [rooms] sid_column),
// rooms named by several live rows, live rows without a room name. style.quiet: nothing at all
// when in sync; TableFormat::tsv: the findings table alone.
std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style);

}  // namespace roomctl::report
