#include "roomctl/report/json.hpp"

#include <fmt/format.h>

#include <ctime>

namespace roomctl::report {

using nlohmann::json;

namespace {
json optional_string(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json envelope(const std::string& command) {
    return json{{"schema_version", k_schema_version}, {"command", command}};
}

std::string iso8601(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

json room_json(const media::ServerRoom& r) {
    return json{{"name", r.name},
                {"sid", r.sid},
                {"num_participants", r.num_participants},
                {"creation_time", r.creation_time ? json(iso8601(r.creation_time)) : json(nullptr)},
                {"empty_timeout_seconds", r.empty_timeout},
                {"departure_timeout_seconds", r.departure_timeout},
                {"max_participants", r.max_participants},
                {"metadata", r.metadata}};
}

json participant_json(const media::Participant& p) {
    return json{{"sid", p.sid},
                {"identity", p.identity},
                {"name", p.name},
                {"state", p.state},
                {"joined_at", p.joined_at ? json(iso8601(p.joined_at)) : json(nullptr)}};
}

json check_json(const check::CheckReport& r) {
    json probes = json::array();
    std::size_t failed = 0;
    for (const auto& p : r.probes) {
        if (p.status == check::ProbeStatus::failed) ++failed;
        probes.push_back({{"name", p.name},
                          {"target", p.target},
                          {"status", check::to_string(p.status)},
                          {"message", p.message},
                          {"duration_ms", p.duration.count()}});
    }
    json doc = envelope("check");
    doc["ok"] = r.ok();
    doc["failed"] = failed;
    doc["probes"] = probes;
    return doc;
}

json finding_json(const reconcile::Finding& f) {
    json j{{"kind", reconcile::to_string(f.kind)},
                {"room", f.room},
                {"database_name", optional_string(f.database_name)},
                {"database_sid", optional_string(f.database_sid)},
                {"server_sid", optional_string(f.server_sid)},
                {"database_status", optional_string(f.database_status)},
                {"num_participants", f.num_participants},
                {"server_creation_time",
                 f.server_created_at ? json(iso8601(f.server_created_at)) : json(nullptr)}};
    if (f.kind == reconcile::FindingKind::name_mismatch) {
        j["expected_room"] = f.expected_room;
        j["suggested_template"] = f.suggested_template.empty() ? json(nullptr)
                                                               : json(f.suggested_template);
        j["sid_evidence"] = f.sid_evidence;
    }
    if (f.kind == reconcile::FindingKind::foreign_sid) j["sid_provider"] = f.sid_provider;
    return j;
}

json audit_json(const reconcile::AuditResult& r) {
    const auto& s = r.summary;
    json doc = envelope("audit");
    doc["in_sync"] = s.findings() == 0;
    doc["summary"] = {{"database_rows", s.database_rooms}, {"live_rooms", s.live_rooms},
                      {"server_rooms", s.server_rooms},    {"in_sync", s.in_sync},
                      {"missing", s.missing},              {"orphaned", s.orphaned},
                      {"sid_drift", s.sid_drift},          {"name_mismatch", s.name_mismatch},
                      {"unclassified", s.unclassified},
                      {"unclassified_statuses", json(s.unclassified_statuses)},
                      {"foreign_sid", s.foreign_sid},
                      {"live_with_sid", s.live_with_sid},
                      {"ended_foreign_sids", s.ended_foreign_sids}};
    json findings = json::array();
    for (const auto& f : r.findings) findings.push_back(finding_json(f));
    doc["findings"] = findings;
    return doc;
}

json action_json(const reconcile::Action& a) {
    return json{{"kind", reconcile::to_string(a.kind)},
                {"room", a.room},
                {"database_name", optional_string(a.database_name)},
                {"status", reconcile::to_string(a.status)},
                {"reason", a.reason},
                {"error", a.error.empty() ? json(nullptr) : json(a.error)},
                {"database_sid", optional_string(a.expected_sid)},
                {"server_sid", optional_string(a.server_sid)},
                {"new_sid", optional_string(a.new_sid)},
                {"num_participants", a.num_participants},
                {"compensated", a.compensated}};
}

json plan_json(const std::string& command, const reconcile::Plan& plan, bool applied,
               const reconcile::AuditSummary& audit,
               const std::vector<reconcile::Refusal>& refusals) {
    json doc = envelope(command);
    doc["applied"] = applied;
    doc["summary"] = {{"planned", plan.count(reconcile::ActionStatus::planned)},
                      {"done", plan.count(reconcile::ActionStatus::done)},
                      {"failed", plan.count(reconcile::ActionStatus::failed)},
                      {"skipped", plan.count(reconcile::ActionStatus::skipped)},
                      {"missing", audit.missing},
                      {"orphaned", audit.orphaned},
                      {"sid_drift", audit.sid_drift},
                      {"name_mismatch", audit.name_mismatch},
                      {"unclassified", audit.unclassified},
                      {"foreign_sid", audit.foreign_sid}};
    json reasons = json::array();
    for (const auto& r : refusals) reasons.push_back(r.reason);
    doc["refusals"] = reasons;
    json actions = json::array();
    for (const auto& a : plan.actions) actions.push_back(action_json(a));
    doc["actions"] = actions;
    return doc;
}

}  // namespace roomctl::report
