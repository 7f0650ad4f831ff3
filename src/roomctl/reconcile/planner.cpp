#include "roomctl/reconcile/planner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>

#include <algorithm>
#include <limits>
#include <set>

#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

std::string to_string(ActionKind k) {
    switch (k) {
        case ActionKind::create_room:
            return "create_room";
        case ActionKind::update_sid:
            return "update_sid";
        case ActionKind::delete_room:
            return "delete_room";
    }
    return "unknown";
}

std::string to_string(ActionStatus s) {
    switch (s) {
        case ActionStatus::planned:
            return "planned";
        case ActionStatus::done:
            return "done";
        case ActionStatus::failed:
            return "failed";
        case ActionStatus::skipped:
            return "skipped";
        case ActionStatus::compensated:
            return "compensated";
    }
    return "unknown";
}

std::size_t Plan::count(ActionStatus s) const {
    return static_cast<std::size_t>(std::count_if(actions.begin(), actions.end(),
                                                  [s](const Action& a) { return a.status == s; }));
}

std::string mismatch_reason(const Finding& f) {
    if (!f.suggested_template.empty()) {
        return fmt::format(
            "the server's room is \"{}\": set [rooms] room_name_template = \"{}\" instead of "
            "creating a duplicate",
            f.room, f.suggested_template);
    }
    return fmt::format(
        "the server's room is \"{}\", the row expects \"{}\": the app names rooms one way and "
        "records them another; fix the rows or the app",
        f.room, f.expected_room);
}

std::string foreign_sid_reason(const Finding& f, const std::string& provider) {
    return fmt::format(
        "left alone: the row records a {} SID ({}), but this run talks to {}: never recreated "
        "or overwritten; a profile that switches provider needs its own [rooms] mapping",
        provider_title(f.sid_provider), sid_shape(f.sid_provider),
        provider.empty() ? std::string("another provider") : provider_title(provider));
}

std::string unclassified_reason(const Finding& f) {
    if (f.no_room_name) {
        return "left alone: a column that [rooms] room_name_template reads is NULL or empty in "
               "this row, so no room can be named for it; fill it in, or fix the template";
    }
    return fmt::format(
        "left alone: the row's status {} is in neither [rooms] live_statuses nor "
        "ended_statuses; add it to one of them",
        f.database_status ? fmt::format("\"{}\"", *f.database_status) : std::string("NULL"));
}

bool kept_by(const std::vector<std::string>& patterns, const std::string& room,
             std::string* which) {
    for (const auto& p : patterns) {
        if (fnmatch(p.c_str(), room.c_str(), 0) == 0) {
            if (which) *which = p;
            return true;
        }
    }
    return false;
}

namespace {

// Rooms that two or more live rows name: until that is resolved nothing is created, recorded
// or deleted for them, whatever else audit says about them.
std::set<std::string> duplicated_rooms(const AuditResult& audit) {
    std::set<std::string> out;
    for (const auto& f : audit.findings) {
        if (f.kind == FindingKind::duplicate_name) out.insert(f.room);
    }
    return out;
}

}  // namespace

std::size_t cleanup_candidates(const AuditResult& audit, const std::vector<std::string>& keep) {
    const auto duplicated = duplicated_rooms(audit);
    return static_cast<std::size_t>(
        std::count_if(audit.findings.begin(), audit.findings.end(), [&](const Finding& f) {
            return f.kind == FindingKind::orphaned && !kept_by(keep, f.room) &&
                   !duplicated.contains(f.room);
        }));
}

namespace {

std::string missing_reason(const Finding& f) {
    switch (f.missing_cause) {
        case MissingCause::never_created:
            return "live in the database, absent on the server: never created (no SID was "
                   "ever recorded)";
        case MissingCause::expired:
            return fmt::format(
                "live in the database, absent on the server: expired (its recorded SID {} is "
                "gone)",
                f.database_sid.value_or("?"));
        case MissingCause::unknown:
            break;
    }
    return "live in the database, absent on the server";
}

// "starts in 12m" / "started 5m ago" / "starts now".
std::string start_phrase(std::int64_t until) {
    if (until > 0) return "starts in " + format_duration(std::chrono::seconds{until});
    if (until < 0) return "started " + format_duration(std::chrono::seconds{-until}) + " ago";
    return "starts now";
}

// A scheduled session's room: its own empty timeout covering the wait until the start plus
// the margin, or skipped when the provider cannot keep an unused room that long.
void schedule(Action& a, std::int64_t starts_at, const RecreatePolicy& p) {
    const std::int64_t until = starts_at - p.now;
    const std::int64_t step = std::max<std::int64_t>(1, p.empty_timeout_step);
    std::int64_t needed = std::max<std::int64_t>(0, until) + p.empty_timeout;
    needed = (needed + step - 1) / step * step;
    const auto margin = format_duration(std::chrono::seconds{p.empty_timeout});
    if (p.max_empty_timeout > 0 && needed > p.max_empty_timeout) {
        const auto cap = std::chrono::seconds{p.max_empty_timeout};
        const auto title = provider_title(p.provider.empty() ? "the server" : p.provider);
        const auto keeps = p.max_empty_timeout % 60 == 0
                               ? fmt::format("{} minutes", p.max_empty_timeout / 60)
                               : format_duration(cap);
        a.status = ActionStatus::skipped;
        if (p.max_empty_timeout > p.empty_timeout) {
            a.reason = fmt::format(
                "{}; {} keeps an unused room at most {}: run recreate --starting-within {} "
                "from cron",
                start_phrase(until), title, keeps,
                format_duration(std::chrono::seconds{p.max_empty_timeout - p.empty_timeout}));
        } else {
            a.reason = fmt::format(
                "{}; {} keeps an unused room at most {}, all of it taken by the margin "
                "(--empty-timeout {}): lower --empty-timeout (e.g. 15m) and run recreate "
                "--starting-within {} from cron",
                start_phrase(until), title, keeps, margin,
                format_duration(
                    cap - std::chrono::seconds{std::min<std::int64_t>(900, p.max_empty_timeout)}));
        }
        return;
    }
    if (needed > std::numeric_limits<std::uint32_t>::max()) {
        a.status = ActionStatus::skipped;
        a.reason = fmt::format(
            "{}: further ahead than a room's empty timeout reaches; run "
            "recreate --starting-within from cron",
            start_phrase(until));
        return;
    }
    a.empty_timeout = static_cast<std::uint32_t>(needed);
    a.reason += fmt::format("; {}: empty timeout {} ({}{} margin)", start_phrase(until),
                            format_duration(std::chrono::seconds{needed}),
                            until > 0 ? "the time until the start + " : "", margin);
}

// The settings of a create_room, or the reason it is skipped: settings that cannot be used
// must not turn into another room than the app's.
void plan_settings(Action& a, const Finding& f, const RecreatePolicy& policy) {
    if (!policy.room_settings || a.status != ActionStatus::planned) return;
    const auto& sources = *policy.room_settings;
    const auto it = sources.previous.find(f.room);
    const PreviousRoom* previous = it == sources.previous.end() ? nullptr : &it->second;
    if (previous && !previous->error.empty()) {
        a.status = ActionStatus::skipped;
        a.reason = fmt::format(
            "the old room's settings could not be read ({}); not created rather than guessed: "
            "run recreate again, or set them under [recreate]",
            previous->error);
        return;
    }
    try {
        auto settings = resolve_room_settings(sources, f.row_settings, previous);
        if (policy.validate) policy.validate(settings.options);
        const auto shown = describe(settings);
        if (!shown.empty()) a.reason += "; with " + shown;
        a.settings = std::move(settings);
    } catch (const Error& e) {
        a.status = ActionStatus::skipped;
        a.reason = fmt::format("{}; not created", e.what());
    }
}

// An action about the finding's room, carrying what both sides said about it.
Action action_for(const Finding& f, ActionKind kind) {
    Action a;
    a.kind = kind;
    a.room = f.room;
    a.database_name = f.database_name;
    a.expected_sid = f.database_sid;
    a.server_sid = f.server_sid;
    a.num_participants = f.num_participants;
    a.server_created_at = f.server_created_at;
    a.server_room = f.server_room;
    return a;
}

}  // namespace

Plan plan_recreate(const AuditResult& audit, const RecreatePolicy& policy) {
    Plan plan;
    const auto duplicated = duplicated_rooms(audit);
    for (const auto& f : audit.findings) {
        // A room several live rows name belongs to no one row yet; a session that starts
        // later gets its room when it is due (a later run).
        if (duplicated.contains(f.room) || f.kind == FindingKind::not_yet_due) continue;
        Action a = action_for(f, ActionKind::create_room);
        if (f.kind == FindingKind::missing) {
            if (f.room.empty()) {
                a.status = ActionStatus::skipped;
                a.reason = "the row's room name is empty; fix the row, then run recreate again";
            } else if (f.room.size() > policy.max_name_length) {
                a.status = ActionStatus::skipped;
                a.reason = fmt::format(
                    "room name is {} bytes; the server accepts at most {} (limit."
                    "max_room_name_length)",
                    f.room.size(), policy.max_name_length);
            } else {
                a.reason = missing_reason(f);
                if (policy.schedules && f.starts_at) schedule(a, *f.starts_at, policy);
                plan_settings(a, f, policy);
            }
        } else if (f.kind == FindingKind::sid_drift) {
            if (!policy.records_sids) continue;  // nothing to record it in
            a.kind = ActionKind::update_sid;
            a.new_sid = f.server_sid;
            a.reason = (!f.database_sid || f.database_sid->empty())
                           ? "the row has no SID; record the server's"
                           : "the row's SID differs from the server's; record the server's";
        } else if (f.kind == FindingKind::name_mismatch) {
            a.room = f.expected_room;
            a.status = ActionStatus::skipped;
            a.reason = mismatch_reason(f);
        } else if (f.kind == FindingKind::foreign_sid) {
            if (f.server_room && policy.records_sids) a.kind = ActionKind::update_sid;
            a.status = ActionStatus::skipped;
            a.reason = foreign_sid_reason(f, audit.summary.provider);
        } else if (f.kind == FindingKind::unclassified && !f.server_room) {
            a.status = ActionStatus::skipped;
            a.reason = unclassified_reason(f);
        } else {
            continue;  // orphans are cleanup's business
        }
        plan.actions.push_back(std::move(a));
    }
    return plan;
}

Plan plan_cleanup(const AuditResult& audit, const CleanupPolicy& policy) {
    Plan plan;
    const auto duplicated = duplicated_rooms(audit);
    for (const auto& f : audit.findings) {
        // Live rows name a duplicated room: never a delete, whatever else is said about it.
        if (duplicated.contains(f.room)) continue;
        const bool unclassified_room = f.kind == FindingKind::unclassified && f.server_room;
        if (f.kind != FindingKind::orphaned && f.kind != FindingKind::name_mismatch &&
            !unclassified_room) {
            continue;
        }
        Action a = action_for(f, ActionKind::delete_room);
        auto age = std::chrono::seconds{policy.now - f.server_created_at};
        std::string kept;
        if (f.kind == FindingKind::name_mismatch) {
            a.status = ActionStatus::skipped;
            a.reason = mismatch_reason(f);
        } else if (unclassified_room) {
            a.status = ActionStatus::skipped;
            a.reason = unclassified_reason(f);
        } else if (kept_by(policy.keep, f.room, &kept)) {
            a.status = ActionStatus::skipped;
            a.reason = fmt::format("kept: matches --keep '{}'", kept);
        } else if (age < policy.min_age) {
            a.status = ActionStatus::skipped;
            a.reason = fmt::format("created {} ago, younger than --min-age {}",
                                   format_duration(std::max(age, std::chrono::seconds{0})),
                                   format_duration(policy.min_age));
        } else if (media::may_have_participants(f.num_participants) && !policy.include_occupied) {
            // An unknown count may hide participants: never taken as empty.
            a.status = ActionStatus::skipped;
            a.reason = fmt::format(
                "{} in the room; pass --include-occupied to delete occupied rooms",
                f.num_participants ? fmt::format("{} participant(s)", *f.num_participants)
                                   : std::string("participants unknown"));
        } else {
            a.reason = f.database_status ? fmt::format("no live row owns it (row status \"{}\")",
                                                       *f.database_status)
                                         : "no row in the database owns it";
        }
        plan.actions.push_back(std::move(a));
    }
    // Young and occupied orphans count: they are what a wrong mapping on a busy server
    // looks like, and they become deletable on a later run.
    auto candidates = policy.picture_candidates.value_or(cleanup_candidates(audit, policy.keep));
    if (candidates > policy.max_deletes) {
        plan.capped = true;
        plan.capped_deletes = candidates;
        for (auto& a : plan.actions) {
            if (a.status != ActionStatus::planned) continue;
            a.status = ActionStatus::skipped;
            a.reason = fmt::format(
                "not deleted: {} orphaned rooms (young and occupied ones included), more than "
                "--max-deletes {}; check the mapping with roomctl audit, then raise "
                "--max-deletes if they are all truly orphaned",
                candidates, policy.max_deletes);
        }
    }
    return plan;
}

namespace {

// How the configuration says "the server's default" for `setting`.
std::string default_example(std::string_view setting) {
    if (setting == k_type) return "\"group\"";
    if (setting == k_max_participants || setting == k_departure_timeout) return "0";
    return "\"\"";
}

}  // namespace

std::string settings_guess_warning(const Plan& plan) {
    std::size_t rooms = 0;
    std::vector<std::string> names;
    for (const auto& a : plan.actions) {
        if (a.status != ActionStatus::planned || !a.settings || a.settings->guessed.empty()) {
            continue;
        }
        ++rooms;
        for (const auto& g : a.settings->guessed) {
            if (std::find(names.begin(), names.end(), g) == names.end()) names.push_back(g);
        }
    }
    if (rooms == 0) return "";
    return fmt::format(
        "{} room(s) get the defaults for {} because nothing says what the app's rooms had "
        "(no column, no [recreate] value, no old room known): set them under [recreate] (the "
        "server's default explicitly, e.g. {} = {}, silences this) or map [rooms] <setting>_column",
        rooms, fmt::join(names, ", "), names.front(), default_example(names.front()));
}

}  // namespace roomctl::reconcile
