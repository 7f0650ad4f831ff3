#pragma once
// Pure planners: audit findings and a policy in, a plan out. No I/O, no clock reads (the
// current time is part of the policy), so every decision is unit-testable.

#include <chrono>
#include <string>
#include <vector>
#include <cstdint>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"

namespace roomctl::reconcile {

struct RecreatePolicy {
    std::size_t max_name_length = 256;  // the server's limit.max_room_name_length
};

// `missing` -> create_room (then record SID); `sid_drift` -> update_sid. Rooms whose names
// the server would refuse (empty, too long) are planned as skipped with the reason, and so
// is a `name_mismatch` (the fix is the mapping, not a second room).
Plan plan_recreate(const AuditResult& audit, const RecreatePolicy& policy);

struct CleanupPolicy {
    std::chrono::seconds min_age{600};  // rooms younger than this are never deleted
    bool include_occupied = false;      // delete rooms with participants too
    std::int64_t now = 0;               // unix seconds
    std::vector<std::string> keep;      // glob patterns (fnmatch) of rooms never deleted
    // More planned deletes than this and none is planned: a wrong mapping makes every room
    // look orphaned, and an unattended run must not wipe a server because of it.
    std::uint32_t max_deletes = 25;
};

// `orphaned` -> delete_room, skipped when younger than min_age, occupied, or matching a keep
// pattern. A `name_mismatch` room is skipped: a live row means it, under another name. When
// more than max_deletes deletes remain, all are skipped and Plan::capped is set.
Plan plan_cleanup(const AuditResult& audit, const CleanupPolicy& policy);

// The one-line reason a name_mismatch is left alone, with the suggested template.
std::string mismatch_reason(const Finding& f);

}  // namespace roomctl::reconcile
