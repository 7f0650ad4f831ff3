#pragma once
// Pure planners: audit findings and a policy in, a plan out. No I/O, no clock reads (the
// current time is part of the policy), so every decision is unit-testable.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/reconcile/room_settings.hpp"

namespace roomctl::reconcile {

struct RecreatePolicy {
    std::size_t max_name_length = 256;  // the server's limit.max_room_name_length
    // False when the mapping records no SID ([rooms] sid_column = "",
    // config::RoomMapping::records_sids()): no update_sid is ever planned (a sid_drift finding
    // plans nothing; a foreign_sid one is a skipped create_room).
    bool records_sids = true;
    // Schedules ([rooms] starts_column set): a `missing` finding with Finding::starts_at gets
    // its own Action::empty_timeout: the seconds until the start (0 once it started) plus
    // `empty_timeout` as margin, rounded up to `empty_timeout_step`. When that exceeds
    // `max_empty_timeout` (0: no cap) or a uint32, the create is skipped with the reason and
    // the --starting-within that would work from cron. Without schedules, or without a start
    // time, the action keeps ExecuteOptions::empty_timeout.
    bool schedules = false;
    std::int64_t now = 0;                // unix seconds, for the time until each start
    std::uint32_t empty_timeout = 3600;  // seconds: the margin ([recreate] empty_timeout)
    // The server's limits (media::MediaServer::max_empty_timeout, empty_timeout_step) and
    // its provider() for messages.
    std::uint32_t max_empty_timeout = 0;   // seconds; 0: no cap
    std::uint32_t empty_timeout_step = 1;  // seconds
    std::string provider;
    // Room settings (room_settings.hpp): with them, each planned create_room carries
    // Action::settings, resolved from the finding's row columns (Finding::row_settings), these
    // sources and the finding's old room. A create whose settings cannot be used is skipped
    // with the reason: a row value that is no number, a value `validate` refuses
    // (media::MediaServer::validate: Error(usage)), or an old room that could not be read
    // (PreviousRoom::error: creating it with guessed settings could make another room).
    // nullopt: no Action::settings (the run's options and the server's defaults apply).
    std::optional<RoomSettingSources> room_settings;
    std::function<void(const media::CreateRoomOptions&)> validate;
};

// `missing` -> create_room (then record SID); `sid_drift` -> update_sid. `duplicate_name`
// and `not_yet_due` plan nothing, and no other finding about a room that a duplicate_name
// names is acted on either: which row the room belongs to is unknown. Rooms whose names
// the server would refuse (empty, too long) are planned as skipped with the reason, and so
// is a `name_mismatch` (the fix is the mapping, not a second room; the action names the room
// the row expects) and an `unclassified` row the server has no room for (its status says
// neither live nor ended). A `foreign_sid` row is planned as skipped too (create_room when the
// server has no room of its name, update_sid when it has), with foreign_sid_reason(): its SID
// is never overwritten and its room never created. Orphans are not recreate's business.
Plan plan_recreate(const AuditResult& audit, const RecreatePolicy& policy);

struct CleanupPolicy {
    std::chrono::seconds min_age{600};  // rooms younger than this are never deleted
    bool include_occupied = false;      // delete rooms with participants too
    std::int64_t now = 0;               // unix seconds
    std::vector<std::string> keep;      // glob patterns (fnmatch) of rooms never deleted
    // More orphan candidates than this (cleanup_candidates: young and occupied rooms count
    // too) and no delete is planned: a wrong mapping makes every room look orphaned, and on a
    // busy server most of them would hide from a cap that counted only deletable rooms.
    std::uint32_t max_deletes = 25;
    // A scoped run (scope.hpp) plans from a scoped audit but sets this to the WHOLE audit's
    // cleanup_candidates(): the cap judges whether the picture can be trusted, and naming one
    // room must not lift it. nullopt: the candidates of the audit being planned.
    std::optional<std::size_t> picture_candidates;
};

// True when `room` matches one of the fnmatch glob `patterns` (--keep, [cleanup] keep); the
// matching pattern is returned through `which` when given.
bool kept_by(const std::vector<std::string>& patterns, const std::string& room,
             std::string* which = nullptr);

// The rooms cleanup would delete if every one were old enough and empty: `orphaned` findings
// that match no keep pattern and whose room no duplicate_name finding names (name_mismatch,
// unclassified, duplicate_name and not_yet_due rooms are never candidates).
// This is what --max-deletes is compared with.
std::size_t cleanup_candidates(const AuditResult& audit, const std::vector<std::string>& keep);

// `orphaned` -> delete_room, skipped when younger than min_age, occupied, or matching a keep
// pattern; only cleanup_candidates() rooms are ever planned as deletes (duplicate_name and
// not_yet_due findings plan nothing). A `foreign_sid` finding is no business of cleanup (its room
// belongs to a live row). A `name_mismatch` room is skipped (a row means it, under another name),
// and so is the server room of an `unclassified` row. When cleanup_candidates() (or
// policy.picture_candidates, when set) exceeds max_deletes, every delete is skipped,
// Plan::capped is set and Plan::capped_deletes holds the candidate count.
Plan plan_cleanup(const AuditResult& audit, const CleanupPolicy& policy);

// The one-line reason an unclassified row's room is left alone (or, with
// Finding::no_room_name, why a live row without a room name is).
std::string unclassified_reason(const Finding& f);

// The one-line reason a foreign_sid row is left alone: whose SID it records, which provider
// this run talks to (`provider`, AuditSummary::provider) and the fix.
std::string foreign_sid_reason(const Finding& f, const std::string& provider);

// One line for the run's output when planned creates carry settings nothing gave (the server's
// default applies: RoomSettings::guessed): how many rooms, which settings, and how to say what
// they should be. Empty when every setting of every planned create is known.
std::string settings_guess_warning(const Plan& plan);

// The one-line reason a name_mismatch is left alone, with the suggested template.
std::string mismatch_reason(const Finding& f);

}  // namespace roomctl::reconcile
