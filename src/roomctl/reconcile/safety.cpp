#include "roomctl/reconcile/safety.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "roomctl/reconcile/planner.hpp"

namespace roomctl::reconcile {

std::string to_string(RefusalRule r) {
    switch (r) {
        case RefusalRule::settings_conflict:
            return "settings_conflict";
        case RefusalRule::row_level_security:
            return "row_level_security";
        case RefusalRule::pooled_session:
            return "pooled_session";
        case RefusalRule::unclassified_rows:
            return "unclassified_rows";
        case RefusalRule::unnamed_rows:
            return "unnamed_rows";
        case RefusalRule::name_mismatch:
            return "name_mismatch";
        case RefusalRule::foreign_sids:
            return "foreign_sids";
        case RefusalRule::unbelievable_database:
            return "unbelievable_database";
        case RefusalRule::max_deletes:
            return "max_deletes";
    }
    return "unknown";
}

namespace {

constexpr std::size_t k_max_named_values = 10;
constexpr std::size_t k_max_value_bytes = 40;

// A row or room value for a one-line message: quoted, and cut (on a UTF-8 boundary) when
// long, so one hostile value cannot drown the message.
std::string shown(const std::string& value) {
    if (value.size() <= k_max_value_bytes) return fmt::format("\"{}\"", value);
    std::size_t cut = k_max_value_bytes;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
    return fmt::format("\"{}...\"", value.substr(0, cut));
}

std::string in_parentheses(const std::string& clause) {
    return clause.empty() ? std::string() : " (" + clause + ")";
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string unclassified_refusal(const AuditSummary& s) {
    return fmt::format(
        "{} a status in neither [rooms] live_statuses nor ended_statuses ({}): the mapping "
        "is incomplete, so the diff cannot be trusted; add each value to [rooms] live_statuses "
        "or ended_statuses (roomctl check names them) and run again",
        plural(s.unclassified_rows(), "row has", "rows have"), describe_unclassified(s));
}

std::string unnamed_refusal(const AuditResult& audit) {
    std::string example;
    for (const auto& f : audit.findings) {
        if (!f.no_room_name || !f.database_name) continue;
        example = ", e.g. row " + shown(*f.database_name);
        break;
    }
    return fmt::format(
        "{} no room name{} (a column that [rooms] room_name_template reads is NULL or empty): "
        "whatever rooms the app made for them would look orphaned; fill the column in those "
        "rows or fix the template, then run again",
        plural(audit.summary.unnamed_rows, "live row has", "live rows have"), example);
}

std::string name_mismatch_refusal(const AuditResult& audit) {
    const Finding* first = nullptr;
    std::string common;
    bool same = true;
    for (const auto& f : audit.findings) {
        if (f.kind != FindingKind::name_mismatch) continue;
        if (!first) first = &f;
        if (f.suggested_template.empty() || (!common.empty() && common != f.suggested_template)) {
            same = false;
        }
        common = f.suggested_template;
    }
    const auto n = audit.summary.name_mismatch;
    std::string example = first
                              ? fmt::format(", e.g. server room {} belongs to the row expecting {}",
                                            shown(first->room), shown(first->expected_room))
                              : std::string();
    std::string fix = same && !common.empty()
                          ? fmt::format(
                                "set [rooms] room_name_template = \"{}\" (or "
                                "--room-name-template) and audit again",
                                common)
                          : std::string(
                                "fix [rooms] room_name_template (or the rows) and audit "
                                "again");
    return fmt::format(
        "audit found {}{}: the naming is known to be wrong, so the rest of the diff cannot be "
        "trusted; {}, or pass --allow-name-mismatch to act on the rest",
        plural(n, "name mismatch", "name mismatches"), example, fix);
}

std::string foreign_sids_refusal(const AuditSummary& s) {
    const auto table = s.table.empty() ? std::string("the room table") : "table " + s.table;
    const auto column = s.sid_column.empty() ? std::string() : " column " + s.sid_column;
    const auto shape = sid_shape(s.foreign_provider);
    return fmt::format(
        "{} records {} SIDs{} in{} ({} of {} live rows that record a SID), but this run talks "
        "to {}: a profile that switches provider needs its own [rooms] mapping; point that "
        "profile's [rooms] table and sid_column at the table of its {} rooms",
        table, provider_title(s.foreign_provider), shape.empty() ? "" : " (" + shape + ")",
        column.empty() ? " its rows" : column, s.foreign_sid, s.live_with_sid,
        provider_title(s.provider), provider_title(s.provider));
}

// Rooms no row names at all that cleanup could delete (keep patterns excluded).
std::size_t unnamed_candidates(const AuditResult& audit, const std::vector<std::string>& keep) {
    return static_cast<std::size_t>(
        std::count_if(audit.findings.begin(), audit.findings.end(), [&](const Finding& f) {
            return f.kind == FindingKind::orphaned && !f.database_name && !kept_by(keep, f.room);
        }));
}

constexpr const char* k_unbelievable_fix =
    "the signature of a wrong table, role or database; check [rooms] table and the connection "
    "with roomctl check and roomctl audit, or pass --allow-empty-database (or an explicit "
    "--max-deletes) if they are truly orphaned";

}  // namespace

std::string name_only_notice() {
    return "[rooms] sid_column is not set: rooms are matched by name only; recreate records "
           "no SID and re-checks each row right before creating its room, and the safety "
           "checks use names where they would use SIDs";
}

std::string describe_unclassified(const AuditSummary& summary) {
    std::string out;
    std::size_t named = 0;
    for (const auto& [status, rows] : summary.unclassified_statuses) {
        if (named == k_max_named_values) {
            out +=
                fmt::format(" and {} more value(s)", summary.unclassified_statuses.size() - named);
            break;
        }
        if (named++) out += ", ";
        // status_key() spells NULL as "NULL": shown without quotes, as SQL does.
        out += fmt::format("{} ({})", status == "NULL" ? status : shown(status),
                           plural(rows, "row", "rows"));
    }
    return out;
}

std::vector<Refusal> assess(const AuditResult& audit, const DatabaseFacts& database,
                            const SafetyOptions& options) {
    std::vector<Refusal> out;
    const auto& s = audit.summary;
    const bool cleanup = options.command == SafetyOptions::Command::cleanup;
    if (!database.settings_conflict.empty()) {
        out.push_back({RefusalRule::settings_conflict, database.settings_conflict});
    }
    if (database.rls_applies && !database.rls_sees_all) {
        out.push_back(
            {RefusalRule::row_level_security,
             fmt::format(
                 "row-level security applies to this role on the room table and it cannot be "
                 "shown to see every row{}: rows it cannot see would look ended or absent; "
                 "connect as a role with BYPASSRLS (e.g. a dedicated roomctl role: ALTER ROLE "
                 "roomctl BYPASSRLS) or give the role a FOR SELECT policy that sees every row "
                 "(CREATE POLICY ... FOR SELECT TO roomctl USING (true))",
                 in_parentheses(database.rls_explanation))});
    }
    if (!database.shared_session) {
        out.push_back(
            {RefusalRule::pooled_session,
             fmt::format("roomctl's statements do not share one database session{}: use a "
                         "session-mode or direct connection URL; a transaction-mode pooler "
                         "such as port 6543 cannot hold roomctl's lock",
                         in_parentheses(database.session_evidence))});
    }
    if (s.unclassified_rows() > 0) {
        out.push_back({RefusalRule::unclassified_rows, unclassified_refusal(s)});
    }
    if (cleanup && s.unnamed_rows > 0) {
        out.push_back({RefusalRule::unnamed_rows, unnamed_refusal(audit)});
    }
    if (s.name_mismatch > 0 && !options.allow_name_mismatch) {
        out.push_back({RefusalRule::name_mismatch, name_mismatch_refusal(audit)});
    }
    if (s.foreign_sid >= k_min_foreign_sids && s.foreign_sid * 2 > s.live_with_sid) {
        out.push_back({RefusalRule::foreign_sids, foreign_sids_refusal(s)});
    }
    if (cleanup && !options.allow_empty_database && !options.max_deletes_explicit) {
        const auto unnamed = unnamed_candidates(audit, options.keep);
        if (unnamed > 0 && s.live_rooms == 0) {
            out.push_back({RefusalRule::unbelievable_database,
                           fmt::format("the table shows no live row while {} on the server {} "
                                       "named by no row: {}",
                                       plural(unnamed, "room", "rooms"),
                                       unnamed == 1 ? "is" : "are", k_unbelievable_fix)});
        } else if (unnamed >= 10 && unnamed * 2 > s.server_rooms) {
            out.push_back({RefusalRule::unbelievable_database,
                           fmt::format("{} of the server's {} rooms are named by no row: {}",
                                       unnamed, s.server_rooms, k_unbelievable_fix)});
        }
    }
    if (cleanup) {
        const auto candidates = cleanup_candidates(audit, options.keep);
        if (candidates > options.max_deletes) {
            out.push_back(
                {RefusalRule::max_deletes,
                 fmt::format("cleanup would delete up to {} orphaned rooms (young and occupied "
                             "ones included), more than --max-deletes {}: check the mapping "
                             "with roomctl audit, then raise --max-deletes if they are all "
                             "truly orphaned",
                             candidates, options.max_deletes)});
        }
    }
    return out;
}

}  // namespace roomctl::reconcile
