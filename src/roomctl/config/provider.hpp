#pragma once
// The media server roomctl talks to. Its spelling ("livekit", "twilio") is what users type
// (--provider, ROOMCTL_PROVIDER, provider = in the config file) and what JSON documents and
// metrics labels print; to_string and parse_provider are the only places that spell it.

#include <optional>
#include <string>
#include <string_view>

namespace roomctl::config {

enum class Provider { livekit, twilio };

// "livekit", "twilio".
std::string to_string(Provider p);

// The provider spelled exactly `name` (lower case, as documented), or nullopt.
std::optional<Provider> parse_provider(std::string_view name);

}  // namespace roomctl::config
