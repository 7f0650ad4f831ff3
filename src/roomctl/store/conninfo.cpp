#include "roomctl/store/conninfo.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>

#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::store {
namespace {

bool is_uri(std::string_view s) {
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

// The lines of a message that say something, trimmed.
std::vector<std::string> message_lines(std::string_view s) {
    std::vector<std::string> out;
    for (const auto& line : text::lines_of(s))
        if (std::string t = text::trim(line); !t.empty()) out.push_back(std::move(t));
    return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    if (from.empty()) return;
    for (std::size_t pos = s.find(from); pos != std::string::npos;
         pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

// "ERROR:  relation ..." -> "relation ...", "... failed: FATAL:  password ..." -> "... failed:
// password ...": the severity adds nothing for an operator.
std::string tidy(std::string line) {
    for (const std::string_view sev : {"FATAL:  ", "ERROR:  ", "FATAL: ", "ERROR: "}) {
        replace_all(line, sev, "");
    }
    return text::trim(line);
}

// `needle` is lower-case.
bool contains_ci(std::string_view hay, std::string_view needle) {
    return text::lower(hay).find(needle) != std::string::npos;
}

struct OptionsDeleter {
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// PQconninfoParse's result, or its error message.
struct Parsed {
    ConnOptions options;
    std::optional<std::string> error;
};

Parsed parse(const std::string& conninfo) {
    Parsed out;
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, OptionsDeleter> opts{PQconninfoParse(conninfo.c_str(), &err)};
    if (!opts) {
        out.error = err ? std::string{err} : std::string{"out of memory"};
        PQfreemem(err);
        return out;
    }
    for (const PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
        if (o->val != nullptr) out.options.emplace_back(o->keyword, o->val);
    }
    return out;
}

}  // namespace

std::string error_line(std::string_view message) {
    const auto lines = message_lines(message);
    return lines.empty() ? std::string{"unknown error"} : tidy(lines.front());
}

const std::string* find_option(const ConnOptions& options, std::string_view key) {
    for (const auto& [k, v] : options)
        if (k == key) return &v;
    return nullptr;
}

ConnOptions parse_conninfo(const std::string& conninfo) {
    if (!is_uri(conninfo)) {
        // "mysql://...", "http://...": libpq would say 'missing "=" after ...', echoing it all.
        const auto sep = conninfo.find("://");
        if (sep != std::string::npos && sep > 0 && conninfo.find_first_of(" \t=") > sep &&
            std::all_of(conninfo.begin(), conninfo.begin() + static_cast<std::ptrdiff_t>(sep),
                        [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                                   c == '-' || c == '.';
                        }))
            throw config_error("malformed database URL: scheme \"" + conninfo.substr(0, sep) +
                               "\" is not supported (use postgresql://... or key=value pairs)");
    }
    Parsed parsed = parse(conninfo);
    if (parsed.error)
        throw config_error("malformed database URL: " + error_line(scrub(*parsed.error, conninfo)));
    return std::move(parsed.options);
}

ConnOptions with_defaults(ConnOptions options) {
    auto has = [&](std::string_view key) { return find_option(options, key) != nullptr; };
    const bool service = has("service") || env_set("PGSERVICE");
    if (!has("connect_timeout") && !env_set("PGCONNECT_TIMEOUT") && !service)
        options.emplace_back("connect_timeout", "5");
    if (!has("client_encoding") && !env_set("PGCLIENTENCODING") && !service)
        options.emplace_back("client_encoding", "UTF8");
    if (!has("application_name") && !has("fallback_application_name"))
        options.emplace_back("fallback_application_name", "roomctl");
    return options;
}

std::string scrub(std::string message, const std::string& conninfo) {
    // Double-quoted fragments that come from a secret part of the string.
    const std::string redacted = redact_database_url(conninfo);
    std::string out;
    std::size_t pos = 0;
    while (pos < message.size()) {
        const std::size_t open = message.find('"', pos);
        if (open == std::string::npos) break;
        const std::size_t close = message.find('"', open + 1);
        if (close == std::string::npos) break;
        std::string token = message.substr(open + 1, close - open - 1);
        if (!token.empty() && conninfo.find(token) != std::string::npos &&
            redacted.find(token) == std::string::npos) {
            std::string r = redact_database_url(token);
            token = r != token ? r : std::string{k_redacted};
        }
        out += message.substr(pos, open - pos);
        out += '"' + token + '"';
        pos = close + 1;
    }
    out += message.substr(std::min(pos, message.size()));
    // Every spelling of the secrets: as libpq decodes them, and as written.
    std::vector<std::string> secrets = database_url_secrets(conninfo);
    const Parsed parsed = parse(conninfo);
    for (const auto& [key, value] : parsed.options)
        if (key == "password" || key == "sslpassword") secrets.push_back(value);
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    // Very short ones would garble the message and are caught as quoted fragments above.
    for (const auto& secret : secrets)
        if (secret.size() >= 3) replace_all(out, secret, k_redacted);
    return out;
}

// Why words and not SQLSTATEs: a connection attempt that fails never reaches libpqxx's
// sql_error, and libpq's public API keeps no SQLSTATE for it. PQconnectdbParams only leaves
// PQstatus() == CONNECTION_BAD and the text of PQerrorMessage(); the server's ErrorResponse
// (with its code) stays inside the PGconn. Two kinds of text arrive here:
// - libpq's own (option values, name resolution, refused or timed-out connects, no password):
//   English whatever the server, because libpq translates through gettext only when the
//   program has set a locale, and roomctl never calls setlocale;
// - the server's FATAL during startup (wrong password 28P01, no pg_hba.conf entry or unknown
//   role 28000, no such database 3D000, no CONNECT privilege 42501): in the server's
//   lc_messages. On a server that speaks another language these do not match; the attempt is
//   then reported as "cannot connect to the database: <the server's words>" (runtime), never
//   misread as another cause.
// libpq may report several attempts (one per address), one per line; the first line that
// explains the failure is used.
Error connection_error(const std::string& libpq_message, const std::string& conninfo) {
    const std::string message = scrub(libpq_message, conninfo);
    const auto lines = message_lines(message);
    auto line_with =
        [&](std::initializer_list<std::string_view> needles) -> std::optional<std::string> {
        for (const auto& line : lines)
            for (auto n : needles)
                if (contains_ci(line, n)) return tidy(line);
        return std::nullopt;
    };
    // libpq's words for an option value it cannot use.
    if (auto l =
            line_with({"invalid integer value", "invalid port number", "invalid sslmode",
                       "invalid value for", "invalid gssencmode", "invalid target_session_attrs",
                       "invalid channel_binding", "invalid require_auth", "could not match",
                       "definition of service", "invalid connection option"}))
        return config_error("malformed database URL: " + *l);
    // The server's (28P01, 28000, 42501) and libpq's ("no password supplied", "password
    // retrieved from file", which libpq adds after a 28P01).
    if (auto l = line_with({"password authentication failed", "authentication failed",
                            "no pg_hba.conf entry", "pg_hba.conf rejects", "no password supplied",
                            "password is required", "role \"", "does not have connect privilege",
                            "permission denied for database", "password retrieved from file"}))
        return auth_error("database refused the credentials: " + *l);
    // The server's 3D000.
    if (auto l = line_with({"database \""}); l && contains_ci(*l, "does not exist"))
        return config_error("cannot use the database: " + *l +
                            " (check the database name in the URL)");
    // libpq's words for a server it could not reach, or that hung up during startup.
    if (auto l = line_with({"connection refused", "could not translate host name",
                            "timeout expired", "timed out", "no route to host",
                            "network is unreachable", "name or service not known",
                            "temporary failure in name resolution", "could not connect",
                            "no such file or directory", "server closed the connection"}))
        return runtime_error("cannot reach the database: " + *l);
    return runtime_error("cannot connect to the database: " + error_line(message));
}

}  // namespace roomctl::store
