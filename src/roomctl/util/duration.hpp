#pragma once
// Durations as operators type them: "90s", "10m", "6h", "1d", "1h30m", or a bare number of
// seconds ("600"). Units are always explicit in the API: std::chrono::seconds.

#include <chrono>
#include <string>
#include <string_view>

namespace roomctl {

// Parses a duration. Throws Error(usage) naming the value when it is empty, negative,
// has an unknown unit, or overflows.
std::chrono::seconds parse_duration(std::string_view text);

// Formats seconds compactly for people: 0s, 45s, 10m, 1h30m, 2d3h.
std::string format_duration(std::chrono::seconds s);

}  // namespace roomctl
