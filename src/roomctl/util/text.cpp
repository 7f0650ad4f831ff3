#include "roomctl/util/text.hpp"

#include <cctype>
#include <cstdio>

namespace roomctl::text {

namespace {
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

std::string lower(std::string_view s) {
    std::string out{s};
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string{s.substr(b, e - b)};
}

std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = s.find('\n', start);
        if (nl == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, nl - start));
        start = nl + 1;
    }
}

std::string first_line(std::string_view s, std::size_t max) {
    std::string_view line = s.substr(0, s.find('\n'));
    if (line.size() > max) return std::string{line.substr(0, max)} + "...";
    return std::string{line};
}

std::string blank_controls(std::string_view s) {
    std::string out{s};
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return out;
}

std::string escape_controls(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool is_sid(std::string_view s, std::string_view prefix) {
    if (s.size() != 34 || s.substr(0, 2) != prefix) return false;
    for (const char c : s.substr(2))
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
    return true;
}

}  // namespace roomctl::text
