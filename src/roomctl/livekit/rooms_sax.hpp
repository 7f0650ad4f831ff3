#pragma once
// Streaming parse of a ListRooms answer ({"rooms": [Room, ...]}) straight into ServerRooms,
// without building a JSON document first: a fleet's answer runs to tens of MB, and a DOM of it
// costs several times that. Accepts what room_from_json accepts (snake_case or camelCase,
// int64 as string or number, unknown keys and nested values skipped).

#include <string_view>
#include <vector>

#include "roomctl/media/server.hpp"

namespace roomctl::livekit {

// Throws Error(runtime) when `body` is not JSON, not an object, has a non-list "rooms", or a
// field of an impossible type — the same outcomes as parsing with room_from_json.
std::vector<media::ServerRoom> parse_list_rooms(std::string_view body);

}  // namespace roomctl::livekit
