#include "roomctl/report/text.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "roomctl/util/duration.hpp"

namespace roomctl::report {

namespace {

// Display width, counting UTF-8 continuation bytes as nothing.
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) widths[i] = width(header[i]);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], width(row[i]));
        }
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string l;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            l += cells[i];
            if (i + 1 < cells.size()) l += std::string(widths[i] - width(cells[i]) + 2, ' ');
        }
        out += l + "\n";
    };
    std::vector<std::string> upper = header;
    for (auto& h : upper) std::transform(h.begin(), h.end(), h.begin(), ::toupper);
    line(upper);
    for (const auto& row : rows) line(row);
    return out;
}

std::string render_age(const TextStyle& s, std::int64_t created) {
    if (!created || !s.now) return "-";
    // `created` comes from the server unchecked: a far-past value must not overflow.
    if (created >= s.now) return format_duration(std::chrono::seconds{0});
    std::int64_t elapsed = 0;
    if (__builtin_sub_overflow(s.now, created, &elapsed))
        elapsed = std::numeric_limits<std::int64_t>::max();
    return format_duration(std::chrono::seconds{elapsed});
}

}  // namespace roomctl::report
