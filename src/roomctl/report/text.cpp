#include "roomctl/report/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "roomctl/util/duration.hpp"

namespace roomctl::report {

namespace {

std::string paint(const TextStyle& s, const char* code, const std::string& text) {
    return s.color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
}

// Display width, counting UTF-8 continuation bytes as nothing.
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string age(const TextStyle& s, std::int64_t created) {
    if (!created || !s.now) return "-";
    // `created` comes from the server unchecked: a far-past value must not overflow.
    if (created >= s.now) return format_duration(std::chrono::seconds{0});
    std::int64_t elapsed = 0;
    if (__builtin_sub_overflow(s.now, created, &elapsed))
        elapsed = std::numeric_limits<std::int64_t>::max();
    return format_duration(std::chrono::seconds{elapsed});
}

std::string sid_or_dash(const std::optional<std::string>& sid) {
    if (!sid) return "(null)";
    return sid->empty() ? "(empty)" : *sid;
}

std::string status_word(const TextStyle& s, reconcile::ActionStatus st) {
    auto word = reconcile::to_string(st);
    switch (st) {
        case reconcile::ActionStatus::done: return paint(s, "32", word);
        case reconcile::ActionStatus::failed: return paint(s, "31", word);
        case reconcile::ActionStatus::skipped: return paint(s, "33", word);
        case reconcile::ActionStatus::compensated: return paint(s, "33", word);
        case reconcile::ActionStatus::planned: return word;
    }
    return word;
}

}  // namespace

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) widths[i] = width(header[i]);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], width(row[i]));
        }
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string l;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            l += cells[i];
            if (i + 1 < cells.size()) l += std::string(widths[i] - width(cells[i]) + 2, ' ');
        }
        out += l + "\n";
    };
    std::vector<std::string> upper = header;
    for (auto& h : upper) std::transform(h.begin(), h.end(), h.begin(), ::toupper);
    line(upper);
    for (const auto& row : rows) line(row);
    return out;
}

std::string render_check(const check::CheckReport& r, const TextStyle& style) {
    std::string out;
    std::size_t failed = 0;
    for (const auto& p : r.probes) {
        std::string mark;
        switch (p.status) {
            case check::ProbeStatus::ok: mark = paint(style, "32", "ok    "); break;
            case check::ProbeStatus::failed:
                mark = paint(style, "31", "FAILED");
                ++failed;
                break;
            case check::ProbeStatus::skipped: mark = paint(style, "33", "skip  "); break;
        }
        out += fmt::format("{}  {:<17} {}\n", mark, p.name, p.message);
    }
    out += failed ? fmt::format("{} of {} probes failed\n", failed, r.probes.size())
                  : fmt::format("all {} probes passed\n", r.probes.size());
    return out;
}

std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style) {
    if (rooms.empty()) return "no rooms on the server\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rooms) {
        rows.push_back({r.name, r.sid, std::to_string(r.num_participants), age(style, r.creation_time),
                        fmt::format("{}s", r.empty_timeout)});
    }
    return render_table({"name", "sid", "participants", "age", "empty timeout"}, rows);
}

std::string render_room(const media::ServerRoom& r, const TextStyle& style) {
    return fmt::format(
        "name:              {}\nsid:               {}\nparticipants:      {}\nage:               "
        "{}\nempty timeout:     {}s\ndeparture timeout: {}s\nmax participants:  {}\n",
        r.name, r.sid, r.num_participants, age(style, r.creation_time), r.empty_timeout,
        r.departure_timeout, r.max_participants ? std::to_string(r.max_participants) : "unlimited");
}

std::string render_participants(const std::vector<media::Participant>& ps) {
    if (ps.empty()) return "no participants\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : ps) rows.push_back({p.identity, p.sid, p.state, p.name});
    return render_table({"identity", "sid", "state", "name"}, rows);
}

std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style) {
    const auto& s = r.summary;
    std::string out;
    if (!r.findings.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : r.findings) {
            std::string detail;
            switch (f.kind) {
                case reconcile::FindingKind::missing:
                    detail = "live in the database, not on the server";
                    break;
                case reconcile::FindingKind::orphaned:
                    detail = f.database_status
                                 ? fmt::format("row says \"{}\"; {} participant(s), age {}",
                                               *f.database_status, f.num_participants,
                                               age(style, f.server_created_at))
                                 : fmt::format("no row; {} participant(s), age {}",
                                               f.num_participants, age(style, f.server_created_at));
                    break;
                case reconcile::FindingKind::sid_drift:
                    detail = fmt::format("database {} vs server {}", sid_or_dash(f.database_sid),
                                         f.server_sid.value_or("-"));
                    break;
                case reconcile::FindingKind::name_mismatch:
                    detail = f.suggested_template.empty()
                                 ? fmt::format("the row expects \"{}\"", f.expected_room)
                                 : fmt::format("the row expects \"{}\"; room_name_template = "
                                               "\"{}\" would match",
                                               f.expected_room, f.suggested_template);
                    if (f.sid_evidence) detail += " (same SID)";
                    break;
                case reconcile::FindingKind::unclassified:
                    detail = fmt::format(
                        "row status {} is neither live nor ended; {}",
                        f.database_status ? fmt::format("\"{}\"", *f.database_status)
                                          : std::string("NULL"),
                        f.server_room ? fmt::format("on the server, {} participant(s), age {}",
                                                    f.num_participants,
                                                    age(style, f.server_created_at))
                                      : std::string("not on the server"));
                    break;
                case reconcile::FindingKind::foreign_sid:
                    detail = fmt::format(
                        "row records {} SID {} but this run talks to {}; {}; left alone",
                        reconcile::provider_title(f.sid_provider), sid_or_dash(f.database_sid),
                        reconcile::provider_title(s.provider),
                        f.server_room ? "a room of that name is on the server"
                                      : "not on the server");
                    break;
            }
            rows.push_back({reconcile::to_string(f.kind), f.room, detail});
        }
        out += render_table({"finding", "room", "detail"}, rows);
        out += "\n";
    }
    out += fmt::format(
        "{} live database room(s), {} server room(s): {} in sync, {} missing, {} orphaned, {} "
        "SID drift{}{}{}\n",
        s.live_rooms, s.server_rooms, s.in_sync, s.missing, s.orphaned, s.sid_drift,
        s.name_mismatch ? fmt::format(", {} name mismatch", s.name_mismatch) : "",
        s.unclassified ? fmt::format(", {} unclassified", s.unclassified) : "",
        s.foreign_sid ? fmt::format(", {} foreign SID", s.foreign_sid) : "");
    if (s.foreign_sid) {
        out += fmt::format(
            "{} live row(s) record {} SIDs but this run talks to {}: roomctl never recreates "
            "them or overwrites their SIDs. A profile that switches provider needs its own "
            "[rooms] mapping.\n",
            s.foreign_sid, reconcile::provider_title(s.foreign_provider),
            reconcile::provider_title(s.provider));
    }
    if (s.unclassified_rows()) {
        out += fmt::format(
            "{} row(s) have a status in neither [rooms] live_statuses nor ended_statuses: {}. "
            "roomctl leaves their rooms alone and --apply refuses until each value is added to "
            "one of the lists.\n",
            s.unclassified_rows(), reconcile::describe_unclassified(s));
    }
    // One template explaining every mismatch is the fix worth spelling out.
    std::string common;
    bool same = s.name_mismatch > 0;
    for (const auto& f : r.findings) {
        if (f.kind != reconcile::FindingKind::name_mismatch) continue;
        if (f.suggested_template.empty() || (!common.empty() && common != f.suggested_template)) same = false;
        common = f.suggested_template;
    }
    if (same) {
        out += fmt::format("The server names rooms differently: set room_name_template = \"{}\" "
                           "in [rooms] (or --room-name-template) and audit again.\n",
                           common);
    }
    return out;
}

std::string render_plan(const std::string& command, const reconcile::Plan& plan, bool applied,
                        const TextStyle& style, const std::vector<reconcile::Refusal>& refusals) {
    std::string out;
    std::string refused;
    if (!refusals.empty()) {
        refused = paint(style, "31", "--apply is refused as unsafe:") + "\n";
        for (const auto& r : refusals) refused += "  - " + r.reason + "\n";
    }
    if (plan.actions.empty()) {
        out = fmt::format("nothing to {}\n", command == "cleanup" ? "clean up" : "recreate");
        return refused.empty() ? out : out + "\n" + refused + "Nothing was changed.\n";
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : plan.actions) {
        std::string why = a.status == reconcile::ActionStatus::failed ? a.error : a.reason;
        rows.push_back({status_word(style, a.status), reconcile::to_string(a.kind), a.room, why});
    }
    out += render_table({"status", "action", "room", "detail"}, rows);
    if (!refused.empty()) out += "\n" + refused;
    auto planned = plan.count(reconcile::ActionStatus::planned);
    if (!refused.empty()) {  // refused: nothing was done, whether or not --apply was given
        out += fmt::format("{} action(s) planned, {} skipped. Nothing was changed.\n", planned,
                           plan.count(reconcile::ActionStatus::skipped));
    } else if (!applied) {
        out += fmt::format("\n{} action(s) planned, {} skipped. Nothing was changed; run with "
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
