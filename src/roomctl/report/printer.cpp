#include "roomctl/report/printer.hpp"

#include <fmt/format.h>

#include <ostream>

#include "roomctl/report/color.hpp"

namespace roomctl::report {

namespace {

// Status, warning and error lines carry values from rows, servers and settings. A control
// character in one (a room name or URL with a newline, an ESC sequence) must neither split the
// line, forge a second "roomctl: error:" line, nor reach the terminal: it is shown escaped.
std::string one_line(const std::string& line) {
    std::string out;
    out.reserve(line.size());
    for (char c : line) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if ((u < 0x20 && c != '\t') || u == 0x7f) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    return out;
}

}  // namespace

Printer::Printer(std::ostream& out, std::ostream& err, OutputOptions options)
    : m_out(out), m_err(err), m_options(options) {}

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
    if (!m_options.quiet) m_err << one_line(line) << '\n';
}

void Printer::warn(const std::string& line) {
    m_err << paint(m_options.err_color, "33", "warning: " + one_line(line)) << '\n';
}

void Printer::error(const std::string& line) {
    m_err << paint(m_options.err_color, "31", "roomctl: error: " + one_line(line)) << '\n';
}

void Printer::trace(const std::string& line) {
    if (m_options.verbosity > 0) m_err << one_line(line) << '\n';
}

}  // namespace roomctl::report
