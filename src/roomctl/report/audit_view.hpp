#pragma once
// `roomctl audit`: the findings of reconcile::audit as a JSON document and as text. Pure: data
// in, JSON or string out.

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// One finding: {"kind", "room", "database_name", "database_sid", "server_sid",
// "database_status", "num_participants", "server_creation_time"}, plus expected_room,
// suggested_template (null when none) and sid_evidence for a name_mismatch, and sid_provider
// for a foreign_sid.
nlohmann::json finding_json(const reconcile::Finding& f);

// audit: {"in_sync": bool, "summary": {... "unclassified": n, "unclassified_statuses":
// {"PAUSED": 3, "NULL": 1}}, "findings": [...]}. An unclassified finding carries the row and,
// when the server has its room, the server's side; a name_mismatch carries expected_room,
// suggested_template (null when none) and sid_evidence.
nlohmann::json audit_json(const reconcile::AuditResult& r);

// Findings table, the summary line, and the fixes worth spelling out: one room_name_template
// explaining every name mismatch, and the unclassified status values with their row counts.
std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style);

}  // namespace roomctl::report
