#include "roomctl/reconcile/inventory.hpp"

#include <chrono>

namespace roomctl::reconcile {

Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store) {
    Inventory inv;
    inv.database = store.load_rooms();
    inv.server = server.list_rooms({});
    inv.observed_at = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return inv;
}

}  // namespace roomctl::reconcile
