#include "roomctl/reconcile/inventory.hpp"

#include <chrono>
#include <set>

namespace roomctl::reconcile {

Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping) {
    Inventory inv;
    inv.provider = server.provider();
    inv.table = mapping.table;
    inv.sid_column = mapping.sid_column;
    inv.database = store.load_rooms();
    inv.server = server.list_rooms({});
    // Rows whose room the list lacks get a second look by SID where the provider needs one.
    std::set<std::string> listed;
    for (const auto& r : inv.server) listed.insert(r.name);
    for (const auto& row : inv.database) {
        if (!row.live || !row.sid || row.sid->empty() || listed.count(row.room)) continue;
        // Another provider's SID names nothing here (audit reports it as foreign_sid): asking
        // would cost one request per row of a wrong table, and Twilio reads "RM_..." as a name.
        if (auto owner = sid_provider(*row.sid); owner && *owner != inv.provider) continue;
        if (auto room = server.confirm_missing(row.room, *row.sid)) {
            listed.insert(room->name);
            inv.server.push_back(std::move(*room));
        }
    }
    if (!server.reports_participant_counts()) {
        // Occupancy matters only for rooms cleanup may delete: those no live row owns.
        std::set<std::string> live;
        for (const auto& row : inv.database) {
            if (row.live) live.insert(row.room);
        }
        for (auto& room : inv.server) {
            if (live.count(room.name)) continue;
            room.num_participants = static_cast<std::uint32_t>(
                server.list_participants(room.sid.empty() ? room.name : room.sid).size());
        }
    }
    inv.observed_at = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return inv;
}

}  // namespace roomctl::reconcile
