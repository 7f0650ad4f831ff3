#pragma once
// Pure planners: audit findings and a policy in, a plan out. No I/O, no clock reads (the
// current time is part of the policy), so every decision is unit-testable.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"

namespace roomctl::reconcile {

struct RecreatePolicy {
    std::size_t max_name_length = 256;  // the server's limit.max_room_name_length
};

// `missing` -> create_room (then record SID); `sid_drift` -> update_sid. Rooms whose names
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
};

// True when `room` matches one of the fnmatch glob `patterns` (--keep, [cleanup] keep); the
// matching pattern is returned through `which` when given.
bool kept_by(const std::vector<std::string>& patterns, const std::string& room,
             std::string* which = nullptr);

// The rooms cleanup would delete if every one were old enough and empty: `orphaned` findings
// that match no keep pattern (name_mismatch and unclassified rooms are never candidates).
// This is what --max-deletes is compared with.
std::size_t cleanup_candidates(const AuditResult& audit, const std::vector<std::string>& keep);

// `orphaned` -> delete_room, skipped when younger than min_age, occupied, or matching a keep
// pattern. A `foreign_sid` finding is no business of cleanup (its room belongs to a live
// row). A `name_mismatch` room is skipped (a row means it, under another name), and so is
// the server room of an `unclassified` row. When cleanup_candidates() exceeds max_deletes,
// every delete is skipped, Plan::capped is set and Plan::capped_deletes holds the candidate
// count.
Plan plan_cleanup(const AuditResult& audit, const CleanupPolicy& policy);

// The one-line reason an unclassified row's room is left alone.
std::string unclassified_reason(const Finding& f);

// The one-line reason a foreign_sid row is left alone: whose SID it records, which provider
// this run talks to (`provider`, AuditSummary::provider) and the fix.
std::string foreign_sid_reason(const Finding& f, const std::string& provider);

// The one-line reason a name_mismatch is left alone, with the suggested template.
std::string mismatch_reason(const Finding& f);

}  // namespace roomctl::reconcile
