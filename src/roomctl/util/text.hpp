#pragma once
// Small text helpers that several folders need, written once. Pure functions over bytes: no
// locale (letters are ASCII letters, whitespace is std::isspace in the "C" locale), and they
// never throw except std::bad_alloc. util/ depends on nothing, so any folder may use these.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace roomctl::text {

// `s` with ASCII letters lower-cased; every other byte (UTF-8 included) unchanged.
std::string lower(std::string_view s);

// `s` without leading and trailing whitespace (' ', \t, \n, \v, \f, \r).
std::string trim(std::string_view s);

// The lines of `s`, split at '\n' and kept as they are (no '\n'; a '\r' stays). Every line is
// returned, empty ones too: "" is one empty line, "a\n" is "a" and "".
std::vector<std::string> lines_of(std::string_view s);

// `s` up to its first '\n'. When that is longer than `max` bytes, its first `max` bytes
// followed by "..." (so at most max + 3 bytes; a cut may split a UTF-8 character).
std::string first_line(std::string_view s, std::size_t max = std::string_view::npos);

// `s` with every control byte below 0x20 (newline, tab, ESC, ...) replaced by one space,
// so that text from a server cannot break a one-line message. DEL and UTF-8 are unchanged.
std::string blank_controls(std::string_view s);

// `s` as one line for terminals and logs: '\n' -> "\n", '\r' -> "\r" (backslash escapes),
// other control bytes and DEL -> "\xNN" (two lower-case hex digits); tab and UTF-8 unchanged.
// A value with a newline or an ESC sequence can then neither split the line nor reach the
// terminal as a control sequence.
std::string escape_controls(std::string_view s);

// `s` folded onto one line: each run of spaces, tabs, '\r' and '\n' becomes one space, and
// none is left at either end ("a\n  b " -> "a b"). For help texts shown on one line.
std::string one_line(std::string_view s);

// True when `s` is a Twilio SID with two-letter `prefix` ("AC", "SK", "RM"): the prefix and
// 32 hexadecimal digits (either case), 34 characters in all.
bool is_sid(std::string_view s, std::string_view prefix);

}  // namespace roomctl::text
