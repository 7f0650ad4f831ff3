#include "roomctl/util/redact.hpp"

#include <regex>

namespace roomctl {

std::string redact_database_url(std::string_view url) {
    std::string s{url};
    // URI form: scheme://user:password@host
    static const std::regex uri{R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?#]*):[^@/?#]*@)"};
    s = std::regex_replace(s, uri, "$1:" + std::string{k_redacted} + "@",
                           std::regex_constants::format_first_only);
    // URI query parameter ?password=... and conninfo password=... (optionally quoted)
    static const std::regex kv{R"((^|[\s?&])password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]*))",
                               std::regex::icase};
    s = std::regex_replace(s, kv, "$1password=" + std::string{k_redacted});
    return s;
}

std::string redact_secret(std::string_view secret) {
    return secret.empty() ? std::string{} : std::string{k_redacted};
}

}  // namespace roomctl
