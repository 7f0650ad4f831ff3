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

namespace roomctl::report {

inline constexpr int k_schema_version = 1;

nlohmann::json envelope(const std::string& command);
std::string iso8601(std::int64_t unix_seconds);  // "2026-11-22T06:36:00Z"

nlohmann::json room_json(const media::ServerRoom& r);
nlohmann::json participant_json(const media::Participant& p);
nlohmann::json check_json(const check::CheckReport& r);
nlohmann::json finding_json(const reconcile::Finding& f);
nlohmann::json audit_json(const reconcile::AuditResult& r);
nlohmann::json action_json(const reconcile::Action& a);

// recreate/cleanup: {"applied": bool, "summary": {...}, "actions": [...]}
nlohmann::json plan_json(const std::string& command, const reconcile::Plan& plan, bool applied,
                         const reconcile::AuditSummary& audit);

}  // namespace roomctl::report
