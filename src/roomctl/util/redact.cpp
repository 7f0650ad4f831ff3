#include "roomctl/util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

// The core has no libpq (io/module.hpp), so connection strings are tokenised here by hand,
// following libpq 15's own parsers step by step (fe-connect.c: conninfo_parse for
// keyword=value strings, conninfo_uri_parse_options / conninfo_uri_parse_params for URIs).
// tests/db/conninfo_test.cpp holds this to libpq: for many passwords, PQconninfoParse of the
// redacted string gives the same host, port, user and database, and never the password.
// Where libpq would reject a string, the guesses below hide more rather than less.

namespace roomctl {
namespace {

// Keywords whose values are secrets: the password and the client key's passphrase.
bool is_secret_key(std::string_view key) {
    auto eq = [&](std::string_view want) {
        return key.size() == want.size() &&
               std::equal(key.begin(), key.end(), want.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    return eq("password") || eq("sslpassword");
}

// The C locale's isspace, as libpq uses it.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding as libpq does it (conninfo_uri_decode); nullopt where libpq would fail.
std::optional<std::string> uri_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_value(s[i + 1]);
        const int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// A secret value in the string: [begin, end), and how libpq would decode it.
struct Secret {
    std::size_t begin = 0, end = 0;
    std::string decoded;
};

bool is_postgres_uri(std::string_view s) {
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

// Length of a leading "scheme://" (any scheme: "mysql://u:pw@h" is no PostgreSQL URL, but its
// password is still a password), or 0.
std::size_t scheme_length(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return 0;
    std::size_t i = 1;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' ||
                            s[i] == '-' || s[i] == '.'))
        ++i;
    return s.substr(i).starts_with("://") ? i + 3 : 0;
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// scheme://[user[:password]@][netloc][:port][,...][/dbname][?param=value&...]
std::vector<Secret> uri_secrets(std::string_view s, std::size_t start) {
    std::vector<Secret> out;
    const std::size_t n = s.size();
    auto add = [&](std::size_t b, std::size_t e) {
        if (e <= b) return;
        const auto raw = s.substr(b, e - b);
        out.push_back({b, e, uri_decode(raw).value_or(std::string{raw})});
    };
    // libpq takes credentials up to the first '@' before any '/'. A raw '@' in the password
    // ("u:p@ss@host") makes libpq read a host of "ss@host"; hiding up to the last '@' before
    // the '/' covers what the user meant as well as what libpq reads.
    std::size_t p = start;
    const std::size_t slash = s.find('/', start);
    const std::size_t authority_end = slash == std::string_view::npos ? n : slash;
    const std::size_t last_at = s.substr(0, authority_end).rfind('@');
    const bool has_userinfo = last_at != std::string_view::npos && last_at >= start;
    if (has_userinfo) {
        const std::size_t colon = s.find(':', start);
        if (colon < last_at) add(colon + 1, last_at);
        p = s.find('@', start) + 1;  // libpq's own end of the credentials
    }
    // Hosts and ports, comma-separated; IPv6 addresses in brackets.
    bool suspicious = false;  // what libpq reads here looks like a misplaced password
    char prev = '\0';
    while (true) {
        if (p < n && s[p] == '[') {
            const std::size_t close = s.find(']', p);
            if (close == std::string_view::npos) {
                p = n;
                suspicious = true;
            } else {
                p = close + 1;
            }
        } else {
            while (p < n && s[p] != ':' && s[p] != '/' && s[p] != '?' && s[p] != ',') ++p;
        }
        prev = p < n ? s[p] : '\0';
        if (prev == ':') {
            const std::size_t port = ++p;
            while (p < n && s[p] != '/' && s[p] != '?' && s[p] != ',') ++p;
            if (!all_digits(s.substr(port, p - port))) suspicious = true;
            prev = p < n ? s[p] : '\0';
        }
        if (prev != ',') break;
        ++p;
    }
    if (prev != '\0' && prev != '?') {
        const std::size_t db = ++p;
        while (p < n && s[p] != '?') ++p;
        if (s.substr(db, p - db).find('@') != std::string_view::npos) suspicious = true;
        prev = p < n ? s[p] : '\0';
    }
    if (prev != '\0') {
        ++p;
        while (p < n) {
            const std::size_t key = p;
            std::size_t eq = std::string_view::npos;
            while (p < n && s[p] != '&') {
                if (s[p] == '=' && eq == std::string_view::npos) eq = p;
                ++p;
            }
            if (eq == std::string_view::npos) {
                if (p > key) suspicious = true;  // libpq: missing key/value separator
            } else {
                const auto raw_key = s.substr(key, eq - key);
                if (is_secret_key(uri_decode(raw_key).value_or(std::string{raw_key})))
                    add(eq + 1, p);
            }
            if (p < n) ++p;  // past '&'
        }
    }
    // A password with a raw '/' or '?' ("u:pa/ss@host") hides from libpq's grammar in the
    // port, the database name or the parameters. Hide from the first ':' to the last '@'.
    if (!has_userinfo && suspicious) {
        const std::size_t at = s.rfind('@');
        const std::size_t colon = s.find(':', start);
        if (at != std::string_view::npos && at > start && colon < at) add(colon + 1, at);
    }
    return out;
}

// keyword = value ..., values bare (a backslash escapes the next character) or single-quoted
// (the same escapes), exactly as conninfo_parse reads them.
std::vector<Secret> keyword_secrets(std::string_view s) {
    std::vector<Secret> out;
    const std::size_t n = s.size();
    std::size_t p = 0;
    while (p < n) {
        if (is_space(s[p])) {
            ++p;
            continue;
        }
        const std::size_t key_begin = p;
        while (p < n && s[p] != '=' && !is_space(s[p])) ++p;
        const std::size_t key_end = p;
        while (p < n && is_space(s[p])) ++p;
        if (p >= n || s[p] != '=') {
            // libpq rejects the string ('missing "=" after ...'), so what the user meant
            // cannot be known ("password='it''s'" ends the value early): when the string
            // speaks of a password at all, hide everything from the first password value or
            // from here, whichever comes first.
            std::string lowered{s.substr(key_begin)};
            for (char& c : lowered)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (out.empty() && lowered.find("password") == std::string::npos) return out;
            const std::size_t begin = out.empty() ? key_begin : out.front().begin;
            out.clear();
            out.push_back({begin, n, {}});
            return out;
        }
        ++p;  // '='
        while (p < n && is_space(s[p])) ++p;
        const std::size_t value_begin = p;
        std::string value;
        if (p < n && s[p] == '\'') {
            ++p;
            while (p < n) {
                if (s[p] == '\\') {
                    ++p;
                    if (p < n) value += s[p++];
                    continue;
                }
                if (s[p] == '\'') {
                    ++p;
                    break;
                }
                value += s[p++];
            }
        } else {
            while (p < n && !is_space(s[p])) {
                if (s[p] == '\\') {
                    ++p;
                    if (p < n) value += s[p++];
                } else {
                    value += s[p++];
                }
            }
        }
        if (is_secret_key(s.substr(key_begin, key_end - key_begin)) && p > value_begin)
            out.push_back({value_begin, p, std::move(value)});
    }
    return out;
}

std::vector<Secret> secrets_of(std::string_view s) {
    if (const std::size_t scheme = is_postgres_uri(s) ? s.find("://") + 3 : scheme_length(s))
        return uri_secrets(s, scheme);
    return keyword_secrets(s);
}

}  // namespace

std::string redact_database_url(std::string_view url) {
    auto secrets = secrets_of(url);
    std::sort(secrets.begin(), secrets.end(),
              [](const Secret& a, const Secret& b) { return a.begin < b.begin; });
    std::string out;
    std::size_t pos = 0;
    for (const auto& secret : secrets) {
        if (secret.begin < pos) continue;  // overlapping guesses: the first already hides it
        out.append(url.substr(pos, secret.begin - pos));
        out.append(k_redacted);
        pos = secret.end;
    }
    out.append(url.substr(std::min(pos, url.size())));
    return out;
}

std::vector<std::string> database_url_secrets(std::string_view url) {
    std::vector<std::string> out;
    for (const auto& secret : secrets_of(url)) {
        out.emplace_back(url.substr(secret.begin, secret.end - secret.begin));
        if (!secret.decoded.empty() && secret.decoded != out.back()) out.push_back(secret.decoded);
    }
    return out;
}

std::string redact_secret(std::string_view secret) {
    return secret.empty() ? std::string{} : std::string{k_redacted};
}

}  // namespace roomctl
