#include "roomctl/report/printer.hpp"

#include <ostream>

#include "roomctl/report/color.hpp"

namespace roomctl::report {

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
    if (!m_options.quiet) m_err << line << '\n';
}

void Printer::warn(const std::string& line) {
    m_err << paint(m_options.err_color, "33", "warning: " + line) << '\n';
}

void Printer::error(const std::string& line) {
    m_err << paint(m_options.err_color, "31", "roomctl: error: " + line) << '\n';
}

void Printer::trace(const std::string& line) {
    if (m_options.verbosity > 0) m_err << line << '\n';
}

}  // namespace roomctl::report
