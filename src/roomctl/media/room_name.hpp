#pragma once
// A room name given on the command line, checked before any request: what both media servers
// refuse anyway, said in one line before anything is sent.

#include <cstddef>
#include <string>

namespace roomctl::media {

// The longest room name each server accepts, in bytes: LiveKit's default
// limit.max_room_name_length (256) and Twilio's UniqueName (128).
inline constexpr std::size_t k_livekit_room_name_limit = 256;
inline constexpr std::size_t k_twilio_room_name_limit = 128;

// Throws Error(usage) naming `what` ("room name", "--room") when `name` is empty or longer
// than `limit` bytes; the message names the server's limit.
void require_room_name(const std::string& name, const char* what = "room name",
                       std::size_t limit = k_livekit_room_name_limit);

}  // namespace roomctl::media
