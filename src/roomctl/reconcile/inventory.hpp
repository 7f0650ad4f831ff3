#pragma once
// Reads both sides into an Inventory: every row of the room table and every server room.

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

// Reads the database first, then the server, so a room created by the app in between shows
// up as in sync or drifted rather than orphaned. Errors propagate unchanged.
Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store);

}  // namespace roomctl::reconcile
