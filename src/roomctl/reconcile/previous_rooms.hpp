#pragma once
// The old rooms of the rows recreate is about to create, so that each new room can be made
// like the room the app made (room_settings.hpp). Asks the server by each row's recorded SID
// (media::MediaServer::previous_room: Twilio keeps completed rooms; LiveKit forgets them and
// answers nullopt without a request), then the journal's record of rooms cleanup deleted.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/room_settings.hpp"

namespace roomctl::reconcile {

struct PreviousRoomLookup {
    // One server client per worker thread (as ExecutorPorts::make_server).
    std::function<std::unique_ptr<media::MediaServer>()> make_server;
    unsigned concurrency = 4;  // parallel requests, >= 1
    // The journal's last record of a deleted room: by `sid` when it is not empty, else by
    // server room name `room`; nullopt when the journal has none (or there is no journal).
    std::function<std::optional<media::ServerRoom>(const std::string& sid, const std::string& room)>
        journal;
    const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT: stop asking
};

// Server room name -> its old room, for the `missing` findings with a room name, when some
// setting of the provider is given neither by the configuration (`sources.fixed`) nor by a
// mapped column (`mapped_settings`: old_room_could_help); empty otherwise, without a request.
// A row with a recorded SID is looked up by it (server, then journal); a mapping without SIDs
// (`by_name`) looks the journal up by room name; a row whose SID was never recorded has no old
// room. A failed request is kept as PreviousRoom::error (one line), not thrown: the planner
// then skips that row rather than guess. Throws Error(interrupted) when `interrupted` was set.
std::map<std::string, PreviousRoom> find_previous_rooms(
    const AuditResult& audit, const RoomSettingSources& sources,
    const std::vector<std::string>& mapped_settings, bool by_name,
    const PreviousRoomLookup& lookup);

}  // namespace roomctl::reconcile
