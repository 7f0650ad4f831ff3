#include "roomctl/mint/session_room.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "roomctl/util/error.hpp"

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

}  // namespace roomctl::mint
