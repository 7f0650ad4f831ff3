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
    std::int64_t now = 0;  // unix seconds, local clock
};

}  // namespace roomctl::explain
