#include "roomctl/report/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "roomctl/report/color.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::report {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// Joins laid-out cells into one line: every cell but the last padded to its column's width
// plus two spaces (the last is not padded, so no line ends in blanks).
void append_line(std::string& out, const std::vector<std::string>& cells,
                 const std::vector<std::size_t>& widths) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        out += cells[i];
        if (i + 1 < cells.size()) {
            const auto w = display_width(cells[i]);
            out += std::string(widths[i] > w ? widths[i] - w + 2 : 2, ' ');
        }
    }
    out += '\n';
}

std::vector<std::size_t> column_widths(const std::vector<std::string>& header,
                                       const std::vector<std::vector<std::string>>& rows,
                                       bool headers) {
    std::vector<std::size_t> widths(header.size(), 0);
    for (std::size_t i = 0; headers && i < header.size(); ++i) widths[i] = display_width(header[i]);
    for (const auto& row : rows) {
        if (row.size() > widths.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    }
    return widths;
}

}  // namespace

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0x1b && i + 1 < s.size()) {
            if (s[i + 1] == '[') {  // CSI: parameters and intermediates up to a final byte
                i += 2;
                while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
            } else {
                ++i;  // a two-byte escape
            }
            continue;
        }
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string escape_tsv(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f)
                    out += fmt::format("\\x{:02x}", c);
                else
                    out += ch;
        }
    }
    return out;
}

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    const auto widths = column_widths(header, rows, true);
    std::vector<std::string> head;
    for (const auto& h : header) head.push_back(upper(h));
    std::string out;
    append_line(out, head, widths);
    for (const auto& row : rows) append_line(out, row, widths);
    return out;
}

std::string render_table(const TextStyle& style, const std::vector<std::string>& header,
                         const std::vector<std::vector<Cell>>& rows) {
    std::string out;
    if (style.format == TableFormat::tsv) {
        const auto line = [&out](const auto& cells, auto text_of) {
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (i) out += '\t';
                out += escape_tsv(text_of(cells[i]));
            }
            out += '\n';
        };
        if (style.headers)
            line(header, [](const std::string& h) -> const std::string& { return h; });
        for (const auto& row : rows)
            line(row, [](const Cell& c) -> const std::string& { return c.text; });
        return out;
    }
    // Widths are measured on the escaped text; colour is added after, so it never counts.
    std::vector<std::vector<std::string>> shown;
    shown.reserve(rows.size());
    for (const auto& row : rows) {
        std::vector<std::string> cells;
        for (const auto& c : row) cells.push_back(text::escape_controls(c.text));
        shown.push_back(std::move(cells));
    }
    const auto widths = column_widths(header, shown, style.headers);
    if (style.headers) {
        std::vector<std::string> head;
        for (const auto& h : header) head.push_back(upper(h));
        append_line(out, head, widths);
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t i = 0; i < rows[r].size(); ++i) {
            if (!rows[r][i].sgr.empty())
                shown[r][i] = paint(style.color, rows[r][i].sgr, shown[r][i]);
        }
        append_line(out, shown[r], widths);
    }
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
