#pragma once
// Reads both sides into an Inventory: every row of the room table and every server room.
// Also fills in participant counts a provider's room list lacks (Twilio), for `rooms list`.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

// Reads the database first, then the server, so a room created by the app in between shows
// up as in sync or drifted rather than orphaned. Live rows whose room is not listed get a
// confirm_missing() look; rooms no live row owns whose count the list left unknown (Twilio)
// are counted with list_participants(), since cleanup may delete them; rooms a live row owns
// keep an unknown count (nullopt: shown as unknown, never as 0). Errors propagate unchanged:
// an occupancy that cannot be read fails the run rather than look empty.
// `mapping` gives each row its server room name (room_name_template).
Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping);

struct CountLookup {
    // One server client per worker thread (as PreviousRoomLookup::make_server).
    std::function<std::unique_ptr<media::MediaServer>()> make_server;
    unsigned concurrency = 4;                        // parallel requests, >= 1
    const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT: stop asking
};

// Sets num_participants of every room in `rooms` whose count is unknown (nullopt) to the
// number of its connected participants (list_participants, by SID when known, else by name),
// asking on up to `lookup.concurrency` threads; rooms with a known count cost no request.
// A count that cannot be read stays nullopt: the returned map holds, per room name, the
// one-line reason. Throws Error(auth) when the credentials were refused, Error(interrupted)
// when `interrupted` was set; nothing else.
std::map<std::string, std::string> fill_participant_counts(std::vector<media::ServerRoom>& rooms,
                                                           const CountLookup& lookup);

}  // namespace roomctl::reconcile
