#pragma once
// Reads both sides into an Inventory: the rows of the room table that can matter and every
// server room.
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

struct CountLookup {
    // One server client per worker thread (as PreviousRoomLookup::make_server).
    std::function<std::unique_ptr<media::MediaServer>()> make_server;
    unsigned concurrency = 4;                        // parallel requests, >= 1
    const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT: stop asking
};

struct GatherOptions {
    // Glob patterns of rooms cleanup never deletes (--keep, [cleanup] keep; matched by
    // kept_by, planner.hpp): their occupancy cannot matter, so it is not read.
    std::vector<std::string> keep;
    // How unowned rooms are counted. Without make_server: one at a time on the `server` given
    // to gather_inventory.
    CountLookup counts;
};

// Reads both sides. The database read (store::InventoryRead) takes its snapshot FIRST, and the
// server's ListRooms is sent only once the snapshot is taken, so a room created by the app in
// between shows up as in sync or drifted rather than orphaned, exactly as when the database
// was read to the end before the server was asked; the rows themselves are read on a thread
// of their own WHILE the server answers. Only rows that can matter are read: every row that is
// not ended (live and unclassified: the safety gate needs them all), and the ended rows whose
// room name or SID the server reports (orphans owned by ended rows, SIDs alive elsewhere); the
// rest is counted in SQL in the same snapshot (Inventory::unread_rows, unread_foreign_sids).
// Inventory::database holds the not-ended rows (by name, then SID), then the ended ones (the
// same order).
//
// Live rows whose room is not listed get a confirm_missing() look; rooms no live row owns whose
// count the list left unknown (Twilio) are counted with list_participants(), on up to
// options.counts.concurrency threads (each request passes the run's shared rate limiter, as
// every request does), since cleanup may delete them; rooms matching options.keep and rooms a
// live row owns keep an unknown count (nullopt: shown as unknown, never as 0).
//
// Errors propagate unchanged: a database error, else the server's (when both sides fail, the
// database's, as it was asked first; the other side is waited for, bounded by its own
// timeouts, never abandoned). An occupancy that cannot be read fails the run with that room's
// error rather than look empty. `mapping` gives each row its server room name.
Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping, const GatherOptions& options = {});

// Sets num_participants of every room in `rooms` whose count is unknown (nullopt) to the
// number of its connected participants (list_participants, by SID when known, else by name),
// asking on up to `lookup.concurrency` threads; rooms with a known count cost no request.
// A count that cannot be read stays nullopt: the returned map holds, per room name, the
// one-line reason. Throws Error(auth) when the credentials were refused, Error(interrupted)
// when `interrupted` was set; nothing else.
std::map<std::string, std::string> fill_participant_counts(std::vector<media::ServerRoom>& rooms,
                                                           const CountLookup& lookup);

}  // namespace roomctl::reconcile
