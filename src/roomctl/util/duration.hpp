#pragma once
// Durations as operators type them: "90s", "10m", "6h", "1d", "1h30m". A bare number ("600")
// is refused on the command line and in the environment (was it seconds or minutes? Twilio
// counts some timeouts in minutes, LiveKit in seconds): the error suggests the unit. Only the
// config file, for backward compatibility, still reads bare numbers as seconds (BareNumber::
// seconds). "0" needs no unit. Units are always explicit in the API: std::chrono::seconds.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace roomctl {

// What a number without a unit means: refused (with a "did you mean 10m?" hint), or seconds
// (the config file's documented legacy form).
enum class BareNumber { refused, seconds };

// Parses a duration. Throws Error(usage) naming the value when it is empty, negative,
// has an unknown unit, overflows, or (BareNumber::refused) is a non-zero number without a unit.
std::chrono::seconds parse_duration(std::string_view text,
                                    BareNumber bare_number = BareNumber::refused);

// A duration for a protocol field counted in whole seconds (uint32, e.g. LiveKit's
// empty_timeout). A unit is required as in parse_duration. Throws Error(usage) naming `flag`
// when it does not parse or does not fit.
std::uint32_t parse_seconds_u32(std::string_view text, std::string_view flag);

// Formats seconds compactly for people: 0s, 45s, 10m, 1h30m, 2d3h.
std::string format_duration(std::chrono::seconds s);

}  // namespace roomctl
