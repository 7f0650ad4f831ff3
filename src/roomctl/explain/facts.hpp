#pragma once
// `roomctl explain`: why can't this user join? The facts one explanation is built from: the
// row (through the [rooms] mapping), the room on the server, the naming between them, the
// token, and the clock. gather.hpp reads them; diagnose.hpp turns them into causes. Facts are
// plain data, so every explanation is unit-testable from crafted facts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/inspect/inspect.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::explain {

// What the operator asked about; any combination, at least one.
struct Request {
    std::string session;  // [rooms] session_column value (--session)
    std::string room;     // the server room name the app used (--room)
    bool token = false;   // a token was given (--token); the token itself is never kept here
};

// How a row was found.
enum class RowMatch {
    session,  // its session column equals Request::session
    room,     // its server room (room_name_template applied) equals Request::room
    // Request::room is the row's name-column value with something around it ("session-" +
    // value): the app named the room one way and looks the row up another.
    embedded,
    token_room,  // its server room is the room the token names
};
std::string_view to_string(RowMatch m);

struct RowFacts {
    store::DbRoom row;
    RowMatch match = RowMatch::room;
};

struct ServerFacts {
    bool asked = false;                     // false: there was no room name to ask about
    std::string error;                      // one line when the server could not be asked
    std::optional<media::ServerRoom> room;  // the room in question, when it exists
    // The room recorded by the row's SID, when it lives under another name.
    std::optional<media::ServerRoom> sid_elsewhere;
    // Rooms whose names contain the row's name-column value (another naming of the same room).
    std::vector<media::ServerRoom> similar;
    std::optional<std::uint32_t> participants;  // of `room`; nullopt: not known
    // The token's identity is connected to `room` now (nullopt: not asked: no token identity,
    // no room, or the participants could not be listed).
    std::optional<bool> identity_connected;
    std::optional<std::int64_t> clock_offset;  // server time minus local time, seconds
};

// The WebSocket join to /rtc (check's server.signal) made with roomctl's own hidden probe
// identity, never the user's token: a second connection with the user's identity disconnects
// the user. It runs only when the facts before it leave the join otherwise clear (LiveKit, the
// server answered, the room exists, the token has no error).
enum class SignalState {
    skipped,  // not run; `reason` says why (--no-signal, Twilio, an earlier cause)
    ok,       // joined, read the server's first message and left
    failed,   // `message` names the step that failed and its cause
};
std::string_view to_string(SignalState s);

struct SignalFacts {
    SignalState state = SignalState::skipped;
    std::string reason;   // skipped: one line
    std::string message;  // ok or failed: the probe's one sentence (no token in it)
    // failed: the step it failed at ("connect", "tls", "upgrade", "first_message", "close";
    // "room lookup" when the probe's ListRooms failed before the WebSocket)
    std::string step;
    // failed, and the probe found a proxy that does not pass Upgrade/Connection (the upgrade
    // answered 404 with no body, or 426): the fix is the proxy's headers.
    bool proxy_headers = false;
};

struct TokenFacts {
    inspect::Inspection inspection;
    std::string room;  // the room its grant names (LiveKit video.room, Twilio video.room)
};

struct Facts {
    Request request;
    std::string provider;        // "livekit", "twilio"
    std::string room_template;   // [rooms] room_name_template
    std::string status_source;   // where liveness comes from ("status", "sessions.status")
    std::string database_error;  // one line when the database could not be read
    std::vector<RowFacts> rows;  // the rows the request names (usually one)
    std::string room;            // the room in question (server name); may be empty
    ServerFacts server;
    std::optional<TokenFacts> token;
    SignalFacts signal;
    std::int64_t now = 0;  // unix seconds, local clock
};

}  // namespace roomctl::explain
