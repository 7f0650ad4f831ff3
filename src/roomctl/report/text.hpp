#pragma once
// What every human rendering of roomctl shares: the style, tables and ages. Each feature's
// text is built in its view (audit_view, plan_view, check_view, rooms_view, config_view).
// Pure: functions return strings; `color` only adds ANSI styling, never content.

#include <cstdint>
#include <string>
#include <vector>

namespace roomctl::report {

struct TextStyle {
    bool color = false;
    std::int64_t now = 0;  // unix seconds, for ages ("created 5m ago")
};

// Left-aligned columns separated by two spaces; the header row is upper case. Widths count
// UTF-8 characters, not bytes.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

// How long ago `created` (unix seconds) was at style.now, as format_duration writes it ("5m");
// "-" when either is unknown (0), "0s" for a time in the future. Never overflows.
std::string render_age(const TextStyle& style, std::int64_t created);

}  // namespace roomctl::report
