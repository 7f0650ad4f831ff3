#include "roomctl/util/url.hpp"

#include <algorithm>
#include <cctype>

#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl {

std::string hide_userinfo(std::string_view url) {
    auto sep = url.find("://");
    if (sep == std::string_view::npos) return std::string{url};
    const auto start = sep + 3;
    const auto end = url.find_first_of("/?#", start);
    const auto authority =
        url.substr(start, end == std::string_view::npos ? url.npos : end - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string{url};
    std::string out{url.substr(0, start)};
    out += k_redacted;
    out += '@';
    out += url.substr(start + at + 1);
    return out;
}

bool valid_media_url(std::string_view url) {
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const auto scheme = text::lower(url.substr(0, sep));
    if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss") return false;
    const auto rest = url.substr(sep + 3);
    const auto end = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, end);
    const auto tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    // API paths are appended to the URL: a query or fragment would end up in front of them.
    if (tail.find_first_of("?#") != std::string_view::npos) return false;
    if (authority.find('@') != std::string_view::npos) return false;  // no userinfo

    std::string_view host;
    std::string_view after_host;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = authority.substr(1, close - 1);
        after_host = authority.substr(close + 1);
        if (host.empty()) return false;
        for (char c : host)
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.' && c != '%')
                return false;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        after_host = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
        if (host.empty()) return false;
        for (char c : host)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
                return false;
    }
    if (!after_host.empty()) {
        if (after_host.front() != ':') return false;
        const auto port = after_host.substr(1);
        if (port.empty() || port.size() > 5) return false;
        unsigned value = 0;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return false;
    }
    return true;
}

bool is_loopback_host(std::string_view host) {
    if (text::lower(host) == "localhost" || host == "::1") return true;
    // 127.0.0.0/8 as a dotted quad: four decimal parts of at most 255, the first 127.
    int parts = 0;
    std::size_t i = 0;
    while (i <= host.size()) {
        const auto dot = host.find('.', i);
        const auto part = host.substr(i, dot == std::string_view::npos ? host.npos : dot - i);
        if (part.empty() || part.size() > 3 ||
            !std::all_of(part.begin(), part.end(),
                         [](unsigned char c) { return std::isdigit(c) != 0; }))
            return false;
        const int value = std::stoi(std::string{part});
        if (value > 255 || (parts == 0 && value != 127)) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        i = dot + 1;
    }
    return parts == 4;
}

bool plain_text_to_remote(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const auto scheme = text::lower(url.substr(0, sep));
    if (scheme != "http" && scheme != "ws") return false;
    const auto rest = url.substr(sep + 3);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view host;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        host = authority.substr(1, close == std::string_view::npos ? authority.npos : close - 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    return !is_loopback_host(host);
}

std::string http_base_url(std::string_view in) {
    std::string url{in};
    std::size_t keep = 0;  // never strip into "scheme://"
    if (const auto sep = url.find("://"); sep != std::string::npos) {
        const auto scheme = text::lower(std::string_view{url}.substr(0, sep));
        const std::string mapped = scheme == "ws" ? "http" : scheme == "wss" ? "https" : scheme;
        url = mapped + url.substr(sep);
        keep = mapped.size() + 3;
    }
    while (url.size() > keep && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace roomctl
