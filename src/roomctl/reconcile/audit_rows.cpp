#include "roomctl/reconcile/audit_rows.hpp"

namespace roomctl::reconcile::detail {

const std::vector<store::DbRoom>& rows_as_mapped(const Inventory& inv,
                                                 std::vector<store::DbRoom>& scratch) {
    if (!inv.sid_column.empty()) return inv.database;
    scratch = inv.database;
    for (auto& row : scratch) row.sid.reset();
    return scratch;
}

UnmatchableRows unmatchable_rows(const std::vector<store::DbRoom>& rows) {
    UnmatchableRows out;
    std::map<std::string, std::vector<const store::DbRoom*>> by_room;
    for (const auto& row : rows) {
        if (row.liveness != store::Liveness::live) continue;
        if (row.room.empty()) {
            out.unnamed.push_back(&row);
        } else {
            by_room[row.room].push_back(&row);
        }
    }
    for (auto& [room, live] : by_room) {
        if (live.size() > 1) out.duplicates.emplace(room, std::move(live));
    }
    return out;
}

std::vector<Finding> unmatchable_findings(
    const UnmatchableRows& rows, const std::map<std::string, const media::ServerRoom*>& server) {
    std::vector<Finding> out;
    for (const auto& [room, live] : rows.duplicates) {
        Finding f;
        f.kind = FindingKind::duplicate_name;
        f.room = room;
        if (auto it = server.find(room); it != server.end()) {
            const auto& s = *it->second;
            f.server_sid = s.sid;
            f.num_participants = s.num_participants;
            f.server_created_at = s.creation_time;
            f.server_room = s;
        }
        for (const auto* row : live) f.duplicate_rows.push_back(*row);
        // The first row speaks for the finding where one row is expected (JSON, plans).
        f.database_name = live.front()->name;
        f.database_sid = live.front()->sid;
        f.database_status = live.front()->status;
        f.starts_at = live.front()->starts_at;
        out.push_back(std::move(f));
    }
    for (const auto* row : rows.unnamed) {
        Finding f;
        f.kind = FindingKind::unclassified;
        f.no_room_name = true;
        f.database_name = row->name;
        f.database_sid = row->sid;
        f.database_status = row->status;
        f.starts_at = row->starts_at;
        out.push_back(std::move(f));
    }
    return out;
}

void apply_schedules(std::vector<Finding>& findings, const Inventory& inv) {
    for (auto& f : findings) {
        if (f.kind != FindingKind::missing) continue;
        if (!inv.sid_column.empty()) {
            f.missing_cause = f.database_sid && !f.database_sid->empty()
                                  ? MissingCause::expired
                                  : MissingCause::never_created;
        }
        if (inv.due_within_seconds && f.starts_at &&
            *f.starts_at > inv.observed_at + *inv.due_within_seconds) {
            f.kind = FindingKind::not_yet_due;
        }
    }
}

}  // namespace roomctl::reconcile::detail
