#include "roomctl/reconcile/planner.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

#include "roomctl/util/duration.hpp"

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

std::size_t cleanup_candidates(const AuditResult& audit, const std::vector<std::string>& keep) {
    return static_cast<std::size_t>(
        std::count_if(audit.findings.begin(), audit.findings.end(), [&](const Finding& f) {
            return f.kind == FindingKind::orphaned && !kept_by(keep, f.room);
        }));
}

namespace {

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
    for (const auto& f : audit.findings) {
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
                a.reason = "live in the database, absent on the server";
            }
        } else if (f.kind == FindingKind::sid_drift) {
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
            if (f.server_room) a.kind = ActionKind::update_sid;
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
    for (const auto& f : audit.findings) {
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
        } else if (f.num_participants > 0 && !policy.include_occupied) {
            a.status = ActionStatus::skipped;
            a.reason = fmt::format(
                "{} participant(s) in the room; pass --include-occupied to "
                "delete occupied rooms",
                f.num_participants);
        } else {
            a.reason = f.database_status ? fmt::format("no live row owns it (row status \"{}\")",
                                                       *f.database_status)
                                         : "no row in the database owns it";
        }
        plan.actions.push_back(std::move(a));
    }
    // Young and occupied orphans count: they are what a wrong mapping on a busy server
    // looks like, and they become deletable on a later run.
    auto candidates = cleanup_candidates(audit, policy.keep);
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

}  // namespace roomctl::reconcile
