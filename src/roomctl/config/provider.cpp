#include "roomctl/config/provider.hpp"

namespace roomctl::config {

std::string to_string(Provider p) {
    switch (p) {
        case Provider::livekit:
            return "livekit";
        case Provider::twilio:
            return "twilio";
    }
    return "livekit";
}

std::optional<Provider> parse_provider(std::string_view name) {
    if (name == "livekit") return Provider::livekit;
    if (name == "twilio") return Provider::twilio;
    return std::nullopt;
}

}  // namespace roomctl::config
