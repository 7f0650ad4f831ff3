#pragma once
// JSON documents of roomctl (schema_version 1). Every document is an object with
// "schema_version": 1 and "command"; field names are documented in README.md "JSON output".
// Pure functions: data in, nlohmann::json out.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "roomctl/check/probes.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/executor.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/reconcile/safety.hpp"

namespace roomctl::report {

inline constexpr int k_schema_version = 1;

nlohmann::json envelope(const std::string& command);
std::string iso8601(std::int64_t unix_seconds);  // "2026-11-22T06:36:00Z"

nlohmann::json room_json(const media::ServerRoom& r);
nlohmann::json participant_json(const media::Participant& p);
nlohmann::json check_json(const check::CheckReport& r);
nlohmann::json finding_json(const reconcile::Finding& f);
nlohmann::json action_json(const reconcile::Action& a);

// audit: {"in_sync": bool, "summary": {... "unclassified": n, "unclassified_statuses":
// {"PAUSED": 3, "NULL": 1}}, "findings": [...]}. An unclassified finding carries the row and,
// when the server has its room, the server's side; a name_mismatch carries expected_room,
// suggested_template (null when none) and sid_evidence.
nlohmann::json audit_json(const reconcile::AuditResult& r);

// recreate/cleanup: {"applied": bool, "summary": {...}, "refusals": ["one line", ...],
// "actions": [...]}. `refusals` are the safety gate's (reconcile::assess), in its order; an
// empty array when the run was not refused.
nlohmann::json plan_json(const std::string& command, const reconcile::Plan& plan, bool applied,
                         const reconcile::AuditSummary& audit,
                         const std::vector<reconcile::Refusal>& refusals = {});

}  // namespace roomctl::report
