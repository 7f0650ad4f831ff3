#pragma once
// The passes of reconcile::audit that look at the rows before and after the matching: rows
// that cannot be matched one to one (duplicates, rows without a room name), SIDs a mapping
// does not record, and schedules. Used only by audit.cpp; pure, no I/O.

#include <map>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile::detail {

// The rows as the audit must see them: Inventory::database itself when the mapping records
// SIDs (no copy: a fleet's table is read once per audit), else a copy in `scratch` with every
// SID reset to nullopt (Inventory::sid_column empty), so no value a store or test left there
// can act as SID evidence. The result lives as long as `inv` and `scratch`.
const std::vector<store::DbRoom>& rows_as_mapped(const Inventory& inv,
                                                 std::vector<store::DbRoom>& scratch);

// Live rows that are not matched one row to one room.
struct UnmatchableRows {
    // room -> every live row naming it, for the rooms two or more live rows name
    std::map<std::string, std::vector<const store::DbRoom*>> duplicates;
    std::vector<const store::DbRoom*> unnamed;  // live rows whose room is empty
};
// Pointers into `rows`, which must outlive the result.
UnmatchableRows unmatchable_rows(const std::vector<store::DbRoom>& rows);

// One duplicate_name finding per duplicated room (with the server's room of that name, when
// listed in `server`) and one unclassified finding (no_room_name) per unnamed row.
std::vector<Finding> unmatchable_findings(
    const UnmatchableRows& rows, const std::map<std::string, const media::ServerRoom*>& server);

// Sets missing_cause on the `missing` findings and turns those whose session starts after the
// due window (Inventory::due_within_seconds after observed_at) into not_yet_due.
void apply_schedules(std::vector<Finding>& findings, const Inventory& inv);

}  // namespace roomctl::reconcile::detail
