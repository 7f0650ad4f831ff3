#pragma once
// `token create --session`: the room a token is for, looked up in the app's table through the
// mapping ([rooms] session_column and the name template), so that nobody is sent into a room
// the app considers closed.

#include <optional>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/mint/mint.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::mint {

// The room of the session's live row. A session with several live rooms (Twilio breakout
// rooms: several rows share one session) needs `chosen` (--room) to name one of them: picking
// one silently would send someone to the wrong room. Throws Error(usage) for several live
// rooms without `chosen` or with one that is not among them; Error(runtime) when the session
// has no row, or no live one; what store.find_session throws.
std::string room_for_session(store::RoomStore& store, const config::RoomMapping& mapping,
                             const std::string& session, const std::string& chosen);

// Points `request` at its session's room (request.session must be set): sets request.room and,
// for LiveKit without any grant asked for, the join grant (a token for a session is for
// joining it). Throws as room_for_session, and Error(usage) when --room names another room.
void use_session_room(MintRequest& request, store::RoomStore& store,
                      const config::Settings& settings);

// Whether the session's `room` exists on the server the token is for. A warning, never a
// failure: minting is offline and the row says the session is live, but a token for a room the
// server does not have either fails to join (LiveKit room.auto_create off: 404 "requested room
// does not exist"; Twilio: 53106 unless client-side room creation is on) or makes the join
// create a room with the server's defaults instead of the app's settings (timeouts, limits,
// metadata). Returns the one-line warning (the claim, the consequence, `roomctl recreate`), or
// nullopt when the room is there. When the server cannot be asked, the warning says so (the
// token is still good to print). Rethrows only an interrupt (Ctrl-C).
std::optional<std::string> session_room_warning(media::MediaServer& server,
                                                const std::string& room);

}  // namespace roomctl::mint
