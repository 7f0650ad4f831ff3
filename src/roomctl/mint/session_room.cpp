#include "roomctl/mint/session_room.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "roomctl/util/error.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::mint {

std::string room_for_session(store::RoomStore& store, const config::RoomMapping& m,
                             const std::string& session, const std::string& chosen) {
    auto rows = store.find_session(session);
    std::vector<std::string> live;
    for (const auto& row : rows) {
        if (!row.live || row.room.empty()) continue;
        const auto& room = row.room;  // the template applied by the server
        if (std::find(live.begin(), live.end(), room) == live.end()) live.push_back(room);
    }
    if (live.size() == 1) return live.front();
    if (live.size() > 1) {
        if (chosen.empty()) {
            throw usage_error(
                fmt::format("session \"{}\" has {} live rooms ({}); pass --room NAME to choose one",
                            session, live.size(), fmt::join(live, ", ")));
        }
        if (std::find(live.begin(), live.end(), chosen) == live.end()) {
            throw usage_error(
                fmt::format("--room \"{}\" is not one of the live rooms of session \"{}\" ({})",
                            chosen, session, fmt::join(live, ", ")));
        }
        return chosen;
    }
    if (rows.empty()) {
        throw runtime_error(
            fmt::format("no row in {} has {} = \"{}\"; not minting a token for a "
                        "session the database does not know",
                        m.table, m.session_column, session));
    }
    throw runtime_error(fmt::format(
        "the room of session \"{}\" is not live ({} is \"{}\", live is {}); a token for it would "
        "let someone into a room the app considers closed",
        session, config::status_source(m), rows.front().status.value_or("NULL"),
        fmt::join(m.live_statuses, "/")));
}

void use_session_room(MintRequest& f, store::RoomStore& store, const config::Settings& settings) {
    auto room = room_for_session(store, settings.rooms, f.session, f.room);
    if (!f.room.empty() && f.room != room) {
        throw usage_error(
            fmt::format("--room \"{}\" contradicts --session, whose room is \"{}\"", f.room, room));
    }
    f.room = room;
    if (settings.provider == config::Provider::livekit &&
        !(f.join || f.admin || f.create || f.list || f.record)) {
        f.join = true;
    }
}

std::optional<std::string> session_room_warning(media::MediaServer& server,
                                                const std::string& room) {
    try {
        // LiveKit: ListRooms names=[room]; Twilio: GET /v1/Rooms/{room} (in progress only).
        if (server.get_room(room)) return std::nullopt;
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted) throw;
        return fmt::format(
            "could not ask the server whether room \"{}\" exists ({}); the token is printed "
            "anyway (--no-server-check skips the check)",
            room, text::first_line(e.what(), 200));
    }
    if (server.provider() == "twilio") {
        return fmt::format(
            "room \"{}\" (the grant's room) is not in progress on Twilio: the join fails with "
            "53106 \"Room not found\", or, with client-side room creation on, creates an ad-hoc "
            "room with the account's defaults instead of the app's settings; run roomctl "
            "recreate {} --apply first",
            room, room);
    }
    return fmt::format(
        "room \"{}\" (the grant's room) does not exist on the LiveKit server: with "
        "room.auto_create off the join gets 404 \"requested room does not exist\"; with it on, "
        "the join creates a room with the server's defaults, not the app's settings; run "
        "roomctl recreate {} --apply first",
        room, room);
}

}  // namespace roomctl::mint
