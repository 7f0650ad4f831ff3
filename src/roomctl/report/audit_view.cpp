#include "roomctl/report/audit_view.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>

#include "roomctl/reconcile/safety.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::report {

using nlohmann::json;

namespace {

std::string sid_or_dash(const std::optional<std::string>& sid) {
    if (!sid) return "(null)";
    return sid->empty() ? "(empty)" : *sid;
}

// "2026-12-01 09:00 UTC" for a session start.
std::string utc_minute(std::int64_t t) {
    const auto iso = iso8601(t);  // "2026-12-01T09:00:00Z"
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

// "starts in 3h (2026-12-01 09:00 UTC)", "started 2h ago (...)"; the date alone without a
// clock. Start times come from the table unchecked: a far value must not overflow.
std::string session_start(const TextStyle& style, std::int64_t starts_at) {
    const auto date = utc_minute(starts_at);
    if (!style.now) return fmt::format("starts {}", date);
    std::int64_t delta = 0;
    const bool ahead = starts_at > style.now;
    if (ahead ? __builtin_sub_overflow(starts_at, style.now, &delta)
              : __builtin_sub_overflow(style.now, starts_at, &delta)) {
        delta = std::numeric_limits<std::int64_t>::max();
    }
    const auto span = format_duration(std::chrono::seconds{delta});
    return ahead ? fmt::format("starts in {} ({})", span, date)
                 : fmt::format("started {} ago ({})", span, date);
}

// "2 participant(s)"; "participants unknown" when the count could not be read (never 0).
std::string participants_phrase(const std::optional<std::uint32_t>& count) {
    return count ? fmt::format("{} participant(s)", *count) : "participants unknown";
}

std::string missing_detail(const reconcile::Finding& f, const TextStyle& style) {
    std::string detail = "live in the database, not on the server";
    if (f.missing_cause == reconcile::MissingCause::never_created) {
        detail += "; never created (no SID recorded)";
    } else if (f.missing_cause == reconcile::MissingCause::expired) {
        detail += "; expired: the server closed it (empty timeout?)";
    }
    if (f.starts_at) detail += "; session " + session_start(style, *f.starts_at);
    return detail;
}

std::string not_yet_due_detail(const reconcile::Finding& f, const TextStyle& style) {
    std::string detail = "not on the server, not due yet: session " +
                         (f.starts_at ? session_start(style, *f.starts_at) : "starts later");
    if (f.missing_cause == reconcile::MissingCause::expired) {
        detail += "; a room recorded earlier expired";
    }
    return detail;
}

// "\"Room 1\" (SID RM_x, status \"active\")" for each row of a duplicate_name; no SID when
// the mapping records none.
std::string duplicate_detail(const reconcile::Finding& f, bool with_sids) {
    std::string rows;
    for (const auto& row : f.duplicate_rows) {
        if (!rows.empty()) rows += ", ";
        std::string sid;
        if (with_sids) {
            sid = "SID " + (row.sid ? (row.sid->empty() ? "empty" : *row.sid) : "NULL") + ", ";
        }
        rows += fmt::format("\"{}\" ({}status {})", row.name, sid,
                            row.status ? fmt::format("\"{}\"", *row.status) : "NULL");
    }
    return fmt::format(
        "{} live rows name this room: {}; {}; none is acted on until one remains",
        f.duplicate_rows.size(), rows,
        f.server_sid ? "the server has it as " + *f.server_sid : std::string("not on the server"));
}

std::string detail_of(const reconcile::Finding& f, const reconcile::AuditSummary& s,
                      const TextStyle& style) {
    std::string detail;
    switch (f.kind) {
        case reconcile::FindingKind::missing:
            detail = missing_detail(f, style);
            break;
        case reconcile::FindingKind::orphaned:
            detail =
                f.database_status
                    ? fmt::format("row says \"{}\"; {}, age {}", *f.database_status,
                                  participants_phrase(f.num_participants),
                                  render_age(style, f.server_created_at))
                    : fmt::format("no row; {}, age {}", participants_phrase(f.num_participants),
                                  render_age(style, f.server_created_at));
            break;
        case reconcile::FindingKind::sid_drift:
            detail = fmt::format("database {} vs server {}", sid_or_dash(f.database_sid),
                                 f.server_sid.value_or("-"));
            break;
        case reconcile::FindingKind::name_mismatch:
            detail = f.suggested_template.empty()
                         ? fmt::format("the row expects \"{}\"", f.expected_room)
                         : fmt::format(
                               "the row expects \"{}\"; room_name_template = "
                               "\"{}\" would match",
                               f.expected_room, f.suggested_template);
            if (f.sid_evidence) detail += " (same SID)";
            break;
        case reconcile::FindingKind::unclassified:
            if (f.no_room_name) {
                detail = fmt::format(
                    "live row \"{}\" has no room name: a column of room_name_template is "
                    "NULL; left alone",
                    f.database_name.value_or(""));
                break;
            }
            detail = fmt::format(
                "row status {} is neither live nor ended; {}",
                f.database_status ? fmt::format("\"{}\"", *f.database_status) : std::string("NULL"),
                f.server_room ? fmt::format("on the server, {}, age {}",
                                            participants_phrase(f.num_participants),
                                            render_age(style, f.server_created_at))
                              : std::string("not on the server"));
            break;
        case reconcile::FindingKind::foreign_sid:
            detail = fmt::format(
                "row records {} SID {} but this run talks to {}; {}; left alone",
                reconcile::provider_title(f.sid_provider), sid_or_dash(f.database_sid),
                reconcile::provider_title(s.provider),
                f.server_room ? "a room of that name is on the server" : "not on the server");
            break;
        case reconcile::FindingKind::duplicate_name:
            detail = duplicate_detail(f, !s.matched_by_name_only);
            break;
        case reconcile::FindingKind::not_yet_due:
            detail = not_yet_due_detail(f, style);
            break;
    }
    return detail;
}

}  // namespace

json finding_json(const reconcile::Finding& f) {
    json j{{"kind", reconcile::to_string(f.kind)},
           {"room", f.room},
           {"database_name", string_or_null(f.database_name)},
           {"database_sid", string_or_null(f.database_sid)},
           {"server_sid", string_or_null(f.server_sid)},
           {"database_status", string_or_null(f.database_status)},
           {"num_participants", participant_count_json(f.num_participants)},
           {"server_creation_time",
            f.server_created_at ? json(iso8601(f.server_created_at)) : json(nullptr)}};
    if (f.kind == reconcile::FindingKind::name_mismatch) {
        j["expected_room"] = f.expected_room;
        j["suggested_template"] =
            f.suggested_template.empty() ? json(nullptr) : json(f.suggested_template);
        j["sid_evidence"] = f.sid_evidence;
    }
    if (f.kind == reconcile::FindingKind::foreign_sid) j["sid_provider"] = f.sid_provider;
    if (f.kind == reconcile::FindingKind::missing ||
        f.kind == reconcile::FindingKind::not_yet_due) {
        j["missing_cause"] = reconcile::to_string(f.missing_cause);
    }
    j["starts_at"] = f.starts_at ? json(iso8601(*f.starts_at)) : json(nullptr);
    if (f.kind == reconcile::FindingKind::duplicate_name) {
        json rows = json::array();
        for (const auto& row : f.duplicate_rows) {
            rows.push_back({{"name", row.name},
                            {"sid", string_or_null(row.sid)},
                            {"status", string_or_null(row.status)}});
        }
        j["rows"] = rows;
    }
    if (f.kind == reconcile::FindingKind::unclassified) j["no_room_name"] = f.no_room_name;
    return j;
}

json audit_json(const reconcile::AuditResult& r) {
    const auto& s = r.summary;
    json doc = envelope("audit");
    doc["in_sync"] = s.findings() == 0;
    doc["summary"] = {{"database_rows", s.database_rooms},
                      {"live_rooms", s.live_rooms},
                      {"server_rooms", s.server_rooms},
                      {"in_sync", s.in_sync},
                      {"missing", s.missing},
                      {"orphaned", s.orphaned},
                      {"sid_drift", s.sid_drift},
                      {"name_mismatch", s.name_mismatch},
                      {"unclassified", s.unclassified},
                      {"unclassified_statuses", json(s.unclassified_statuses)},
                      {"foreign_sid", s.foreign_sid},
                      {"live_with_sid", s.live_with_sid},
                      {"ended_foreign_sids", s.ended_foreign_sids},
                      {"duplicate_name", s.duplicate_name},
                      {"not_yet_due", s.not_yet_due},
                      {"unnamed_rows", s.unnamed_rows},
                      {"matched_by_name_only", s.matched_by_name_only}};
    json findings = json::array();
    for (const auto& f : r.findings) findings.push_back(finding_json(f));
    doc["findings"] = findings;
    return doc;
}

std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style) {
    const auto& s = r.summary;
    // -q: in sync (sessions not yet due included) is nothing to report.
    if (style.quiet && s.findings() == 0) return "";
    std::string out;
    std::vector<std::vector<Cell>> rows;
    for (const auto& f : r.findings) {
        // A row without a room name (no_room_name) has no room to show.
        rows.push_back(
            {reconcile::to_string(f.kind), f.room.empty() ? "-" : f.room, detail_of(f, s, style)});
    }
    const std::vector<std::string> header{"finding", "room", "detail"};
    // -o tsv: the findings table alone (the summary is in --json).
    if (style.format == TableFormat::tsv) return render_table(style, header, rows);
    if (!rows.empty()) {
        out += render_table(style, header, rows);
        out += "\n";
    }
    out += fmt::format(
        "{} live database room(s), {} server room(s): {} in sync, {} missing, {} orphaned, {} "
        "SID drift{}{}{}{}{}\n",
        s.live_rooms, s.server_rooms, s.in_sync, s.missing, s.orphaned, s.sid_drift,
        s.name_mismatch ? fmt::format(", {} name mismatch", s.name_mismatch) : "",
        s.unclassified ? fmt::format(", {} unclassified", s.unclassified) : "",
        s.foreign_sid ? fmt::format(", {} foreign SID", s.foreign_sid) : "",
        s.duplicate_name ? fmt::format(", {} duplicate name", s.duplicate_name) : "",
        s.not_yet_due ? fmt::format(", {} not yet due", s.not_yet_due) : "");
    if (s.matched_by_name_only) {
        out +=
            "[rooms] sid_column is not set: rooms are matched by name only; SID drift cannot be "
            "seen and recreate records no SID.\n";
    }
    if (s.duplicate_name) {
        out += fmt::format(
            "{} room(s) are named by more than one live row: roomctl creates, records and "
            "deletes nothing for them until one live row remains (end the others, or make "
            "room_name_template tell them apart).\n",
            s.duplicate_name);
    }
    if (s.unnamed_rows) {
        out += fmt::format(
            "{} live row(s) have no room name because a column of room_name_template is NULL: "
            "roomctl cannot tell which room is theirs and leaves them alone; fill the column or "
            "end the rows.\n",
            s.unnamed_rows);
    }
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
        if (f.suggested_template.empty() || (!common.empty() && common != f.suggested_template))
            same = false;
        common = f.suggested_template;
    }
    if (same) {
        out += fmt::format(
            "The server names rooms differently: set room_name_template = \"{}\" "
            "in [rooms] (or --room-name-template) and audit again.\n",
            common);
    }
    return out;
}

}  // namespace roomctl::report
