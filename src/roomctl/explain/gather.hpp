#pragma once
// `roomctl explain`, the looking: reads the facts diagnose.hpp reasons from. The row through
// the store (the whole table is read, as audit reads it: a row that stores "P46odHdPO0wJ" must
// be found from the room "session-P46odHdPO0wJ"), the server's rooms in one ListRooms, the
// occupancy of the room in question, the server's clock from that answer, and the token
// inspected offline (token inspect's checks, for a join of the room in question).
//
// Nothing is written and nothing is created. A database or server that cannot be read is a
// fact (Facts::database_error, ServerFacts::error), not an exception, so the explanation still
// covers what could be read; Error(interrupted) is thrown through.

#include <functional>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/explain/facts.hpp"

namespace roomctl::explain {

struct Sources {
    store::RoomStore* store = nullptr;     // null: no database configured (token/room only)
    media::MediaServer* server = nullptr;  // null: the server is not asked
    std::int64_t now = 0;                  // unix seconds, local clock
    // Why `store` or `server` is null when it should not be (connecting failed): one line each,
    // reported as Facts::database_error and ServerFacts::error.
    std::string store_error, server_error;
    // The signalling probe for a room that exists on the server (commands/explain.cpp wires
    // check::probe_signal here: explain/ does no WebSocket I/O itself). Called at most once,
    // only when the facts gathered before it leave the join otherwise clear; returns
    // SignalState::ok or failed with the probe's sentence. Throws Error(interrupted) on SIGINT.
    // Empty: not run (--no-signal), reported as skipped.
    std::function<SignalFacts(const std::string& room)> signal;
};

// `jwt` is the token to inspect ("" for none); it is never copied into the facts.
Facts gather(const config::Settings& settings, const Request& request, const std::string& jwt,
             const Sources& sources);

// token inspect's options for the configured credentials (LiveKit and Twilio keys, the
// Account SID, the configured provider) at `now` (unix seconds).
inspect::InspectOptions inspect_options(const config::Settings& settings, std::int64_t now);

}  // namespace roomctl::explain
