#include "roomctl/media/room_name.hpp"

#include <fmt/format.h>

#include "roomctl/util/error.hpp"

namespace roomctl::media {

void require_room_name(const std::string& name, const char* what, std::size_t limit) {
    if (name.empty()) throw usage_error(std::string{what} + " must not be empty");
    if (name.size() > limit) {
        throw usage_error(
            fmt::format("{} is {} bytes; the server accepts at most {}{}", what, name.size(), limit,
                        limit == k_livekit_room_name_limit ? " (LiveKit limit.max_room_name_length)"
                                                           : " (Twilio)"));
    }
}

}  // namespace roomctl::media
