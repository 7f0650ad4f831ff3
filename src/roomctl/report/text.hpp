#pragma once
// What every human rendering of roomctl shares: the style, tables and ages. Each feature's
// text is built in its view (audit_view, plan_view, check_view, rooms_view, config_view).
// Pure: functions return strings; `color` only adds ANSI styling, never content.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace roomctl::report {

// How a table is written: aligned columns for people, or tab-separated values for `cut`, `awk`
// and spreadsheets (-o tsv).
enum class TableFormat { text, tsv };

struct TextStyle {
    bool color = false;
    std::int64_t now = 0;  // unix seconds, for ages ("created 5m ago")
    // -o tsv: a view that has a table prints that table alone (no prose, no summary lines),
    // even when it has no rows (then only its header row).
    TableFormat format = TableFormat::text;
    bool headers = true;  // false with --no-headers: the header row is left out
    // False on a terminal without --show-all or -o wide: a view may leave out rows that need
    // no attention (actions done); its summary still counts them.
    bool all_rows = true;
    // -q: a view prints nothing when there is nothing to act on or report (cron mails
    // nothing); failures and refusals still print.
    bool quiet = false;
};

// One table cell: its text (any bytes; control characters are shown escaped) and the SGR code
// painting it when colour is on ("31" red; empty: none).
struct Cell {
    Cell(std::string t) : text(std::move(t)) {}  // NOLINT(google-explicit-constructor)
    Cell(const char* t) : text(t) {}             // NOLINT(google-explicit-constructor)
    Cell(std::string t, std::string code) : text(std::move(t)), sgr(std::move(code)) {}
    std::string text;
    std::string sgr;
};

// Left-aligned columns separated by two spaces; the header row is upper case. Widths count
// UTF-8 characters, not bytes, and ignore ANSI escape sequences (a painted cell aligns as its
// text does). Cells are written as given: callers escape values they did not make.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

// The table in `style`: text as above, each cell's control characters escaped
// (text::escape_controls) and painted with its code when style.color, the reset before the
// padding and the newline; or with TableFormat::tsv, one line per row, cells separated by one
// tab and escaped by escape_tsv, never painted, header names lower case. The header row is
// left out when !style.headers.
std::string render_table(const TextStyle& style, const std::vector<std::string>& header,
                         const std::vector<std::vector<Cell>>& rows);

// A value as one TSV field: '\\' -> "\\\\", tab -> "\t", newline -> "\n", CR -> "\r" (backslash
// escapes, as PostgreSQL's COPY text format writes them), other control bytes and DEL ->
// "\xNN"; UTF-8 unchanged. A field then never splits a row or a column.
std::string escape_tsv(std::string_view s);

// What a terminal shows of `s`, in columns: UTF-8 characters count one, continuation bytes
// and ANSI escape sequences (CSI "ESC [ ... final", and two-byte "ESC x") nothing.
std::size_t display_width(std::string_view s);

// How long ago `created` (unix seconds) was at style.now, as format_duration writes it ("5m");
// "-" when either is unknown (0), "0s" for a time in the future. Never overflows.
std::string render_age(const TextStyle& style, std::int64_t created);

}  // namespace roomctl::report
