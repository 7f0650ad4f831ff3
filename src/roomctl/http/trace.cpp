#include "roomctl/http/trace.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::http {

namespace {

using text::lower;

bool secret_name(std::string_view name) {
    const std::string n = lower(name);
    constexpr std::array<std::string_view, 6> words = {"auth",   "cookie",   "token",
                                                       "secret", "password", "signature"};
    return std::any_of(words.begin(), words.end(),
                       [&](std::string_view w) { return n.find(w) != std::string::npos; });
}

}  // namespace

bool is_secret_header(std::string_view name) { return secret_name(name); }

std::string trace_header(std::string_view name, std::string_view value) {
    std::string out{name};
    out += ": ";
    if (!is_secret_header(name)) return out + std::string{value};
    // "Basic xxx" / "Bearer xxx": the scheme says which credentials were used, and is no secret.
    const auto space = value.find(' ');
    const auto scheme = value.substr(0, space);
    const bool has_scheme = space != std::string_view::npos && !scheme.empty() &&
                            std::all_of(scheme.begin(), scheme.end(),
                                        [](unsigned char c) { return std::isalpha(c) != 0; });
    if (has_scheme && lower(name).find("cookie") == std::string::npos)
        out.append(scheme).append(" ");
    return out.append(k_redacted);
}

std::string trace_url(std::string_view url) {
    std::string out;
    // userinfo
    std::string_view rest = url;
    if (const auto sep = url.find("://"); sep != std::string_view::npos) {
        const auto start = sep + 3;
        const auto end = url.find_first_of("/?#", start);
        const auto authority =
            url.substr(start, end == std::string_view::npos ? url.npos : end - start);
        out.append(url.substr(0, start));
        if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
            out.append(k_redacted).append("@").append(authority.substr(at + 1));
        } else {
            out.append(authority);
        }
        rest = end == std::string_view::npos ? std::string_view{} : url.substr(end);
    }
    // query parameters
    const auto q = rest.find('?');
    if (q == std::string_view::npos) return out.append(rest);
    out.append(rest.substr(0, q + 1));
    std::string_view query = rest.substr(q + 1);
    std::string_view fragment;
    if (const auto hash = query.find('#'); hash != std::string_view::npos) {
        fragment = query.substr(hash);
        query = query.substr(0, hash);
    }
    bool first = true;
    while (true) {
        const auto amp = query.find('&');
        const auto param = query.substr(0, amp);
        if (!first) out += '&';
        first = false;
        const auto eq = param.find('=');
        if (eq != std::string_view::npos && secret_name(param.substr(0, eq)))
            out.append(param.substr(0, eq + 1)).append(k_redacted);
        else
            out.append(param);
        if (amp == std::string_view::npos) break;
        query = query.substr(amp + 1);
    }
    return out.append(fragment);
}

}  // namespace roomctl::http
