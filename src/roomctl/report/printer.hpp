#pragma once
// Where output goes. Results go to stdout (text, or exactly one JSON document with --json);
// status, warnings and errors go to stderr. --quiet silences status lines, never warnings or
// errors. TTY checks only decide decoration (color), never content.

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

namespace roomctl::report {

struct OutputOptions {
    bool json = false;
    bool quiet = false;
    int verbosity = 0;       // -v count
    bool color = false;      // decided by the caller from TTY, NO_COLOR, --no-color
    bool err_color = false;  // the same decision for stderr: errors red, warnings yellow
};

class Printer {
public:
    Printer(std::ostream& out, std::ostream& err, OutputOptions options);

    const OutputOptions& options() const { return m_options; }
    bool json() const { return m_options.json; }

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
