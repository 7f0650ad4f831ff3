#pragma once
// When output may carry ANSI colour. Each stream decides for itself (stdout for results,
// stderr for status, warnings and errors): a pipe or a log file must never receive escapes.

#include <string>
#include <string_view>

namespace roomctl::report {

// True only when the stream is a terminal, NO_COLOR is unset or empty (no-color.org),
// --no-color was not given, and TERM is not "dumb". `no_color_env` and `term` are the
// variables' values, empty when unset.
bool color_enabled(bool is_tty, std::string_view no_color_env, bool no_color_flag,
                   std::string_view term);

// `text` wrapped in SGR `code` ("31" red, "33" yellow) and a reset; `text` itself when off.
std::string paint(bool on, std::string_view code, std::string_view text);

}  // namespace roomctl::report
