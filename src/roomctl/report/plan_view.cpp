#include "roomctl/report/plan_view.hpp"

#include <fmt/format.h>

#include "roomctl/report/color.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::report {

using nlohmann::json;

namespace {

Cell status_cell(reconcile::ActionStatus st) {
    auto word = reconcile::to_string(st);
    switch (st) {
        case reconcile::ActionStatus::done:
            return {word, "32"};
        case reconcile::ActionStatus::failed:
            return {word, "31"};
        case reconcile::ActionStatus::skipped:
        case reconcile::ActionStatus::compensated:
            return {word, "33"};
        case reconcile::ActionStatus::planned:
            return word;
    }
    return word;
}

// Which rows a reader is shown: everything in a pipe, with --show-all and -o wide; on a
// terminal the rows that need attention (done ones are counted in the summary only); with -q
// only failures, and in a dry run what would be done.
bool shown(const TextStyle& style, const reconcile::Action& a, bool applied) {
    using St = reconcile::ActionStatus;
    if (style.quiet) return a.status == St::failed || (!applied && a.status == St::planned);
    return style.all_rows || a.status != St::done;
}

}  // namespace

json action_json(const reconcile::Action& a) {
    json j{{"kind", reconcile::to_string(a.kind)},
           {"room", a.room},
           {"database_name", string_or_null(a.database_name)},
           {"status", reconcile::to_string(a.status)},
           {"reason", a.reason},
           {"error", a.error.empty() ? json(nullptr) : json(a.error)},
           {"database_sid", string_or_null(a.expected_sid)},
           {"server_sid", string_or_null(a.server_sid)},
           {"new_sid", string_or_null(a.new_sid)},
           {"num_participants", participant_count_json(a.num_participants)},
           {"compensated", a.compensated}};
    // A room's own empty timeout (schedules: the wait until its session starts plus the
    // margin), in seconds; absent when the run's --empty-timeout applies.
    if (a.empty_timeout) j["empty_timeout_seconds"] = *a.empty_timeout;
    // A create's settings, each with where it came from ("row", "config", "previous_room",
    // "journal"); `guessed_settings` are those nothing gave (the server's default applies).
    if (a.settings) {
        json settings = json::object();
        for (const auto& [name, v] : a.settings->values) {
            settings[name] = {
                {"value", name == reconcile::k_status_callback ? hide_userinfo(v.value) : v.value},
                {"source", reconcile::to_string(v.origin)}};
        }
        j["settings"] = settings;
        j["guessed_settings"] = a.settings->guessed;
    }
    if (!a.settings_mismatch.empty()) j["settings_mismatch"] = a.settings_mismatch;
    return j;
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

std::string render_plan(const std::string& command, const reconcile::Plan& plan, bool applied,
                        const TextStyle& style, const std::vector<reconcile::Refusal>& refusals) {
    std::vector<std::vector<Cell>> rows;
    std::size_t hidden_done = 0;
    for (const auto& a : plan.actions) {
        if (!shown(style, a, applied)) {
            if (a.status == reconcile::ActionStatus::done) ++hidden_done;
            continue;
        }
        std::string why = a.status == reconcile::ActionStatus::failed ? a.error : a.reason;
        rows.push_back({status_cell(a.status), reconcile::to_string(a.kind), a.room, why});
    }
    const std::vector<std::string> header{"status", "action", "room", "detail"};
    // -q: nothing to report is nothing printed (cron mails nothing).
    if (style.quiet && rows.empty() && refusals.empty()) return "";
    // -o tsv: the table alone; refusals and failures are on stderr as errors.
    if (style.format == TableFormat::tsv) return render_table(style, header, rows);

    std::string out;
    std::string refused;
    if (!refusals.empty()) {
        refused = paint(style.color, "31", "--apply is refused as unsafe:") + "\n";
        for (const auto& r : refusals) refused += "  - " + text::escape_controls(r.reason) + "\n";
    }
    if (plan.actions.empty()) {
        out = fmt::format("nothing to {}\n", command == "cleanup" ? "clean up" : "recreate");
        return refused.empty() ? out : out + "\n" + refused + "Nothing was changed.\n";
    }
    if (!rows.empty()) out += render_table(style, header, rows);
    if (hidden_done > 0 && !style.quiet)
        out += fmt::format("({} done not listed; --show-all lists them)\n", hidden_done);
    if (!refused.empty()) out += "\n" + refused;
    auto planned = plan.count(reconcile::ActionStatus::planned);
    if (!refused.empty()) {  // refused: nothing was done, whether or not --apply was given
        out += fmt::format("{} action(s) planned, {} skipped. Nothing was changed.\n", planned,
                           plan.count(reconcile::ActionStatus::skipped));
    } else if (!applied) {
        out += fmt::format(
            "\n{} action(s) planned, {} skipped. Nothing was changed; run with "
            "--apply to act.\n",
            planned, plan.count(reconcile::ActionStatus::skipped));
    } else {
        out += fmt::format("\n{} done, {} failed, {} skipped\n",
                           plan.count(reconcile::ActionStatus::done),
                           plan.count(reconcile::ActionStatus::failed),
                           plan.count(reconcile::ActionStatus::skipped));
    }
    return out;
}

}  // namespace roomctl::report
