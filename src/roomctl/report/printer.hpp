#pragma once
// Where output goes. Results go to stdout (text, tab-separated values with -o tsv, or exactly
// one JSON document with --json / -o json); status, warnings and errors go to stderr. --quiet
// silences status lines, never warnings or errors, and makes views print nothing when there is
// nothing to act on (TextStyle::quiet). TTY checks decide decoration (color) and, for the
// results a person reads on a terminal, which rows are shown (TextStyle::all_rows): a pipe
// always gets every row.

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/report/text.hpp"

namespace roomctl::report {

struct OutputOptions {
    bool json = false;
    bool quiet = false;
    int verbosity = 0;       // -v count
    bool color = false;      // decided by the caller from TTY, NO_COLOR, --no-color
    bool err_color = false;  // the same decision for stderr: errors red, warnings yellow
    TableFormat format = TableFormat::text;  // -o tsv
    bool headers = true;                     // false with --no-headers
    bool all_rows = true;  // false: stdout is a terminal and neither --show-all nor -o wide
};

class Printer {
public:
    Printer(std::ostream& out, std::ostream& err, OutputOptions options);

    const OutputOptions& options() const { return m_options; }
    bool json() const { return m_options.json; }
    // The style of text results at `now` (unix seconds): colour, -o tsv, --no-headers, which
    // rows, -q (quiet only for text: --json always prints its document).
    TextStyle style(std::int64_t now) const;

    // Prints the result: `doc` with --json, otherwise `text`. Call once per run.
    void result(const nlohmann::json& doc, const std::string& text);
    void status(const std::string& line);  // stderr, unless quiet
    void warn(const std::string& line);    // stderr, always: "warning: ..."
    void error(const std::string& line);   // stderr, always: "roomctl: error: ..."
    void trace(const std::string& line);   // stderr at -v
    bool printed_result() const { return m_printed; }

private:
    std::ostream& m_out;
    std::ostream& m_err;
    OutputOptions m_options;
    bool m_printed = false;
};

}  // namespace roomctl::report
