#pragma once
// Durations as operators type them: "90s", "10m", "6h", "1d", "1h30m", or a bare number of
// seconds ("600"). Units are always explicit in the API: std::chrono::seconds.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace roomctl {

// Parses a duration. Throws Error(usage) naming the value when it is empty, negative,
// has an unknown unit, or overflows.
std::chrono::seconds parse_duration(std::string_view text);

// A duration for a protocol field counted in whole seconds (uint32, e.g. LiveKit's
// empty_timeout). Throws Error(usage) naming `flag` when it does not fit.
std::uint32_t parse_seconds_u32(std::string_view text, std::string_view flag);

// Formats seconds compactly for people: 0s, 45s, 10m, 1h30m, 2d3h.
std::string format_duration(std::chrono::seconds s);

}  // namespace roomctl
