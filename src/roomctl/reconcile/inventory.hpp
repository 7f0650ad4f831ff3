#pragma once
// Reads both sides into an Inventory: every row of the room table and every server room.

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

// Reads the database first, then the server, so a room created by the app in between shows
// up as in sync or drifted rather than orphaned. Live rows whose room is not listed get a
// confirm_missing() look; where the provider's list has no participant counts, rooms no live
// row owns are counted with list_participants(). Errors propagate unchanged.
// `mapping` gives each row its server room name (room_name_template).
Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping);

}  // namespace roomctl::reconcile
