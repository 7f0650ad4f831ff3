#include "roomctl/report/printer.hpp"

#include <fmt/format.h>

#include <ostream>

#include "roomctl/report/color.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::report {

namespace {

// Status, warning and error lines carry values from rows, servers and settings. A control
// character in one (a room name or URL with a newline, an ESC sequence) must neither split the
// line, forge a second "roomctl: error:" line, nor reach the terminal: it is shown escaped.
using text::escape_controls;

}  // namespace

Printer::Printer(std::ostream& out, std::ostream& err, OutputOptions options)
    : m_out(out), m_err(err), m_options(options) {}

TextStyle Printer::style(std::int64_t now) const {
    TextStyle s;
    s.color = m_options.color && m_options.format == TableFormat::text;
    s.now = now;
    s.format = m_options.format;
    s.headers = m_options.headers;
    s.all_rows = m_options.all_rows;
    s.quiet = m_options.quiet;
    return s;
}

void Printer::result(const nlohmann::json& doc, const std::string& text) {
    if (m_options.json) {
        // Invalid UTF-8 from a server or a row must not abort the one document we print.
        m_out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
        m_out << text;
    }
    m_out.flush();
    m_printed = true;
}

void Printer::status(const std::string& line) {
    if (!m_options.quiet) m_err << escape_controls(line) << '\n';
}

void Printer::warn(const std::string& line) {
    m_err << paint(m_options.err_color, "33", "warning: " + escape_controls(line)) << '\n';
}

void Printer::error(const std::string& line) {
    m_err << paint(m_options.err_color, "31", "roomctl: error: " + escape_controls(line)) << '\n';
}

void Printer::trace(const std::string& line) {
    if (m_options.verbosity > 0) m_err << escape_controls(line) << '\n';
}

}  // namespace roomctl::report
