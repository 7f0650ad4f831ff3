#include "roomctl/store/room_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <pqxx/pqxx>
#include <set>
#include <string_view>
#include <utility>

#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"

// libpqxx 6.4 notes (see /work/shared/reference/ecosystem.md §4):
// - every statement goes through exec_params (PQexecParams, an unnamed statement), so the store
//   works behind transaction-mode poolers; no prepared statements, no session SET;
// - identifiers are quoted with connection::quote_name (PQescapeIdentifier), values are always
//   bound parameters;
// - libpq is not linked directly (pkg-config libpqxx gives -lpqxx only), so the small amount of
//   connection-string inspection needed here is done by hand, mirroring libpq's grammar.

namespace roomctl::store {
namespace {

// ---------------------------------------------------------------------------------------------
// Connection strings
// ---------------------------------------------------------------------------------------------

bool is_uri(std::string_view s) {
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding as libpq does it; nullopt on a malformed %-sequence.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_value(s[i + 1]);
        const int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// What we need to know about a connection string: the keywords it sets and the password
// (as written and as libpq will decode it). `ok` is false when it does not parse; libpq then
// reports the exact problem when we try to connect.
struct ConnInfo {
    bool ok = false;
    bool uri = false;
    std::set<std::string> keywords;
    std::vector<std::string> secrets;  // password spellings, for scrubbing messages
};

// keyword = value [keyword = value ...], values bare (backslash escapes) or single-quoted.
ConnInfo parse_keyword_form(std::string_view s) {
    ConnInfo info;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && is_space(s[i])) ++i;
        if (i >= s.size()) break;
        std::string key;
        while (i < s.size() && !is_space(s[i]) && s[i] != '=') key += s[i++];
        while (i < s.size() && is_space(s[i])) ++i;
        if (i >= s.size() || s[i] != '=') return info;
        ++i;
        while (i < s.size() && is_space(s[i])) ++i;
        const std::size_t value_start = i;
        std::string value;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    value += s[i + 1];
                    i += 2;
                } else if (s[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += s[i++];
                }
            }
            if (!closed) return info;
        } else {
            while (i < s.size() && !is_space(s[i])) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    value += s[i + 1];
                    i += 2;
                } else {
                    value += s[i++];
                }
            }
        }
        if (key == "password") {
            info.secrets.emplace_back(s.substr(value_start, i - value_start));
            info.secrets.push_back(value);
        }
        info.keywords.insert(key);
    }
    info.ok = true;
    return info;
}

// postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]
ConnInfo parse_uri_form(std::string_view s) {
    ConnInfo info;
    info.uri = true;
    const std::size_t start = s.find("://") + 3;
    // libpq looks for '@' before the first '/' (a '?' does not stop it).
    const std::size_t slash = s.find('/', start);
    const std::size_t at = s.substr(0, slash).find('@', start);
    if (at != std::string_view::npos) {
        const std::string_view userinfo = s.substr(start, at - start);
        if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            const std::string_view pw = userinfo.substr(colon + 1);
            info.secrets.emplace_back(pw);
            if (auto decoded = percent_decode(pw)) info.secrets.push_back(*decoded);
            info.keywords.insert("password");
        }
    }
    const std::size_t q = s.find('?', at == std::string_view::npos ? start : at);
    if (q != std::string_view::npos) {
        std::string_view rest = s.substr(q + 1);
        while (!rest.empty()) {
            const std::size_t amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
            if (pair.empty()) continue;
            const std::size_t eq = pair.find('=');
            if (eq == std::string_view::npos) return info;
            auto key = percent_decode(pair.substr(0, eq));
            if (!key) return info;
            if (*key == "password") {
                info.secrets.emplace_back(pair.substr(eq + 1));
                if (auto v = percent_decode(pair.substr(eq + 1))) info.secrets.push_back(*v);
            }
            info.keywords.insert(*key);
        }
    }
    info.ok = true;
    return info;
}

ConnInfo parse_conninfo(std::string_view s) {
    return is_uri(s) ? parse_uri_form(s) : parse_keyword_form(s);
}

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

// Adds connect_timeout=5 (so an unreachable server fails in seconds, not minutes),
// client_encoding=UTF8 (room names are compared byte for byte) and
// fallback_application_name=roomctl, each only when neither the string nor libpq's
// environment sets it. These are startup parameters, not session SETs, so poolers keep them.
std::string with_defaults(const std::string& url) {
    const ConnInfo info = parse_conninfo(url);
    if (!info.ok) return url;  // let libpq report the syntax error verbatim
    const bool service = info.keywords.contains("service") || env_set("PGSERVICE");
    std::vector<std::pair<std::string, std::string>> extra;
    if (!info.keywords.contains("connect_timeout") && !env_set("PGCONNECT_TIMEOUT") && !service)
        extra.emplace_back("connect_timeout", "5");
    if (!info.keywords.contains("client_encoding") && !env_set("PGCLIENTENCODING") && !service)
        extra.emplace_back("client_encoding", "UTF8");
    if (!info.keywords.contains("application_name") &&
        !info.keywords.contains("fallback_application_name"))
        extra.emplace_back("fallback_application_name", "roomctl");
    std::string out = url;
    for (const auto& [key, value] : extra) {
        if (info.uri) {
            if (out.find('?', out.find("://") + 3) == std::string::npos)
                out += '?';
            else if (out.back() != '?' && out.back() != '&')
                out += '&';
            out += key + "=" + value;
        } else {
            if (!out.empty() && !is_space(out.back())) out += ' ';
            out += key + "=" + value;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string{s.substr(b, e - b)};
}

std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const std::size_t nl = s.find('\n', pos);
        std::string line = trim(s.substr(pos, nl == std::string_view::npos ? s.npos : nl - pos));
        if (!line.empty()) out.push_back(std::move(line));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
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
    return trim(line);
}

std::string first_line(std::string_view message) {
    const auto lines = lines_of(message);
    return lines.empty() ? std::string{"unknown error"} : tidy(lines.front());
}

// libpq messages do not normally contain the password, but some echo pieces of the connection
// string ("invalid percent-encoded token: "...""), even all of it. Every double-quoted fragment
// that comes from the password part of `url` is redacted, and any spelling of the password that
// is still present is replaced.
std::string scrub(std::string message, const std::string& url) {
    const std::string redacted_url = redact_database_url(url);
    std::string out;
    std::size_t pos = 0;
    while (pos < message.size()) {
        const std::size_t open = message.find('"', pos);
        if (open == std::string::npos) break;
        const std::size_t close = message.find('"', open + 1);
        if (close == std::string::npos) break;
        std::string token = message.substr(open + 1, close - open - 1);
        if (!token.empty() && url.find(token) != std::string::npos &&
            redacted_url.find(token) == std::string::npos) {
            std::string r = redact_database_url(token);
            token = r != token ? r : std::string{k_redacted};
        }
        out += message.substr(pos, open - pos);
        out += '"' + token + '"';
        pos = close + 1;
    }
    out += message.substr(std::min(pos, message.size()));
    const ConnInfo info = parse_conninfo(url);
    std::vector<std::string> secrets = info.secrets;
    if (!info.ok) {
        // Best effort for strings libpq will reject anyway.
        if (is_uri(url)) {
            secrets = parse_uri_form(url).secrets;
        } else if (auto p = url.find("password"); p != std::string::npos) {
            auto eq = url.find('=', p);
            if (eq != std::string::npos) {
                auto b = eq + 1;
                while (b < url.size() && is_space(url[b])) ++b;
                auto e = b;
                while (e < url.size() && !is_space(url[e])) ++e;
                secrets.push_back(url.substr(b, e - b));
            }
        }
    }
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& secret : secrets) {
        if (secret.size() >= 3) replace_all(out, secret, k_redacted);
    }
    return out;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
}

// Maps a failed connection attempt to the right kind of Error. libpq may report several
// attempts (one per address), one per line; the first line that explains the failure is used.
Error connection_error(const std::string& raw_message, const std::string& url) {
    const std::string message = scrub(raw_message, url);
    const auto lines = lines_of(message);
    auto line_with = [&](std::initializer_list<std::string_view> needles) -> std::optional<std::string> {
        for (const auto& line : lines)
            for (auto n : needles)
                if (contains_ci(line, n)) return tidy(line);
        return std::nullopt;
    };
    if (auto l = line_with({"missing \"=\" after", "invalid uri", "invalid connection option",
                            "invalid percent-encoded", "unterminated quoted string",
                            "unexpected character", "in uri", "invalid integer value",
                            "invalid port number", "invalid sslmode", "invalid value for",
                            "invalid gssencmode", "invalid target_session_attrs",
                            "invalid channel_binding", "invalid require_auth",
                            "could not match", "definition of service"}))
        return config_error("malformed database URL: " + *l);
    if (auto l = line_with({"password authentication failed", "authentication failed",
                            "no pg_hba.conf entry", "pg_hba.conf rejects",
                            "no password supplied", "password is required", "role \"",
                            "does not have connect privilege", "permission denied for database",
                            "password retrieved from file"}))
        return auth_error("database refused the credentials: " + *l);
    if (auto l = line_with({"database \""}); l && contains_ci(*l, "does not exist"))
        return config_error("cannot use the database: " + *l +
                            " (check the database name in the URL)");
    if (auto l = line_with({"connection refused", "could not translate host name",
                            "timeout expired", "timed out", "no route to host",
                            "network is unreachable", "name or service not known",
                            "temporary failure in name resolution", "could not connect",
                            "no such file or directory", "server closed the connection"}))
        return runtime_error("cannot reach the database: " + *l);
    return runtime_error("cannot connect to the database: " + first_line(message));
}

std::unique_ptr<pqxx::connection> open_connection(const std::string& url) {
    if (!is_uri(url)) {
        // "mysql://...", "http://...": libpq would say 'missing "=" after ...'.
        const auto sep = url.find("://");
        if (sep != std::string::npos && sep > 0 &&
            url.find_first_of(" \t=") > sep &&
            std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
            }))
            throw config_error("malformed database URL: scheme \"" + url.substr(0, sep) +
                               "\" is not supported (use postgresql://... or key=value pairs)");
    }
    const std::string prepared = with_defaults(url);
    // libpq may echo the string it was given; show the operator's own (redacted) string.
    auto report = [&](const char* what) {
        std::string message = what;
        if (prepared != url) replace_all(message, prepared, url);
        return connection_error(message, url);
    };
    try {
        return std::make_unique<pqxx::connection>(prepared);
    } catch (const pqxx::broken_connection& e) {
        throw report(e.what());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw report(e.what());
    }
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

// A PostgreSQL text[] literal: every element double-quoted, '"' and '\' backslash-escaped, so
// commas, braces, quotes, spaces and the word NULL are all taken literally.
std::string text_array_literal(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

// Like text_array_literal, with nullopt as an unquoted NULL element.
std::string nullable_text_array_literal(const std::vector<std::optional<std::string>>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if (!values[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (char c : *values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::optional<std::string> optional_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return std::string{f.c_str(), f.size()};
}

class PgRoomStore final : public RoomStore {
public:
    PgRoomStore(std::unique_ptr<pqxx::connection> conn, std::string url,
                config::RoomMapping mapping)
        : m_conn(std::move(conn)),
          m_url(std::move(url)),
          m_mapping(std::move(mapping)),
          m_live(m_mapping.live_statuses.begin(), m_mapping.live_statuses.end()),
          m_live_array(text_array_literal(m_mapping.live_statuses)) {
        const auto dot = m_mapping.table.find('.');
        if (dot == std::string::npos) {
            m_table_name = m_mapping.table;
        } else {
            m_schema_name = m_mapping.table.substr(0, dot);
            m_table_name = m_mapping.table.substr(dot + 1);
        }
        const bool table_ok = !m_table_name.empty() && (dot == std::string::npos || !m_schema_name.empty());
        if (table_ok) {
            m_table_sql = (dot == std::string::npos ? "" : m_conn->quote_name(m_schema_name) + ".") +
                          m_conn->quote_name(m_table_name);
        }
        auto column = [&](const std::string& c) { return c.empty() ? c : m_conn->quote_name(c); };
        m_name_sql = column(m_mapping.name_column);
        m_sid_sql = column(m_mapping.sid_column);
        m_status_sql = column(m_mapping.status_column);
        m_identifiers_ok = table_ok && !m_name_sql.empty() && !m_sid_sql.empty() && !m_status_sql.empty();
    }

    std::vector<DbRoom> load_rooms() override {
        return select_rooms("", std::nullopt);
    }

    bool try_advisory_lock(std::int64_t key) override {
        return guarded([&] {
            const bool taken = take_lock(*m_conn, key);
            if (taken) m_locks.push_back(key);
            return taken;
        });
    }

    std::vector<DbRoom> find_session(const std::string& session) override {
        // The session column is quoted like every identifier; the value is bound.
        const std::string column = m_conn->quote_name(m_mapping.session_column);
        return select_rooms(" WHERE " + column + "::text = $1::text", session);
    }

    std::vector<int> update_sids(const std::vector<SidUpdate>& updates) override {
        std::vector<int> changed(updates.size(), 0);
        if (updates.empty()) return changed;
        std::vector<std::optional<std::string>> names, expected, sids;
        for (const auto& u : updates) {
            names.emplace_back(u.name);
            expected.push_back(u.expected_sid);
            sids.emplace_back(u.new_sid);
        }
        return guarded([&] {
            // One statement: each compare-and-set is atomic, whatever else writes the table,
            // and the batch is one round trip. The new SID is cast to the column's own type
            // (text does not assign to uuid implicitly).
            const std::string sql =
                "UPDATE " + m_table_sql + " AS t SET " + m_sid_sql + " = CAST(u.new_sid AS " +
                sid_type() +
                ") FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
                "AS u(name, expected, new_sid, i) WHERE t." +
                m_name_sql + "::text = u.name AND t." + m_status_sql +
                "::text = ANY($4::text[]) AND t." + m_sid_sql +
                "::text IS NOT DISTINCT FROM u.expected RETURNING u.i";
            pqxx::work tx{*m_conn};
            const pqxx::result r = tx.exec_params(sql, nullable_text_array_literal(names),
                                                  nullable_text_array_literal(expected),
                                                  nullable_text_array_literal(sids), m_live_array);
            tx.commit();
            for (const auto& row : r) {
                const auto i = row[0].as<std::size_t>();
                if (i >= 1 && i <= changed.size()) ++changed[i - 1];
            }
            return changed;
        });
    }

    RecordedSid recorded_sid(const std::string& name) override {
        if (holds_nul(name)) return {};
        const std::string sql = "SELECT " + m_sid_sql + "::text FROM " + m_table_sql + " WHERE " +
                                m_name_sql + "::text = $1::text AND " + m_status_sql +
                                "::text = ANY($2::text[]) ORDER BY 1 LIMIT 1";
        return guarded_read([&] {
            pqxx::work tx{*m_conn};
            const pqxx::result r = tx.exec_params(sql, name, m_live_array);
            tx.commit();
            RecordedSid out;
            if (!r.empty()) {
                out.live = true;
                out.sid = optional_text(r[0][0]);
            }
            return out;
        });
    }

    bool is_live(const std::string& name) override {
        if (holds_nul(name)) return false;
        const std::string sql = "SELECT EXISTS (SELECT 1 FROM " + m_table_sql + " WHERE " +
                                m_name_sql + "::text = $1::text AND " + m_status_sql +
                                "::text = ANY($2::text[]))";
        return guarded_read([&] {
            pqxx::work tx{*m_conn};
            const pqxx::row row = tx.exec_params1(sql, name, m_live_array);
            tx.commit();
            return row[0].as<bool>();
        });
    }

    MappingCheck check_mapping() override {
        MappingCheck check;
        if (m_table_sql.empty()) {
            check.problem = "table \"" + m_mapping.table + "\" is not a valid table name (set [rooms] table)";
            return check;
        }
        try {
            pqxx::work tx{*m_conn};
            const pqxx::result t = tx.exec_params(
                "SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
                "pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = pg_catalog.to_regclass($1::text)",
                m_table_sql);
            if (t.empty()) {
                check.problem =
                    "table \"" + m_mapping.table + "\" does not exist (set [rooms] table)";
                return check;
            }
            check.qualified_table = t[0][0].c_str();
            const pqxx::result cols = tx.exec_params(
                "SELECT attname::text FROM pg_catalog.pg_attribute "
                "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attnum > 0 "
                "AND NOT attisdropped",
                m_table_sql);
            tx.commit();
            std::set<std::string> names;
            for (const auto& row : cols) names.insert(row[0].c_str());
            const std::pair<const std::string*, const char*> wanted[] = {
                {&m_mapping.name_column, "name_column"},
                {&m_mapping.sid_column, "sid_column"},
                {&m_mapping.status_column, "status_column"},
            };
            for (const auto& [column, key] : wanted) {
                if (column->empty() || !names.contains(*column)) {
                    check.problem = "column \"" + *column + "\" does not exist in table " +
                                    check.qualified_table + " (set [rooms] " + key + ")";
                    return check;
                }
            }
        } catch (const pqxx::broken_connection& e) {
            throw runtime_error("lost the database connection: " + first_line(e.what()));
        } catch (const pqxx::sql_error& e) {
            throw runtime_error("database error: " + first_line(e.what()));
        } catch (const pqxx::failure& e) {
            throw runtime_error("database error: " + first_line(e.what()));
        }
        check.ok = true;
        return check;
    }

private:
    // A server may name a room with U+0000, which PostgreSQL text cannot hold, so no row owns
    // such a name. It must not be asked about: libpq would cut the parameter at the NUL and
    // answer for another room ("evil\0x" as "evil").
    static bool holds_nul(const std::string& name) {
        return name.find('\0') != std::string::npos;
    }

    // A read that met a lost connection is asked once more, on a new connection holding the
    // locks again (reconnect_if_lost): reading twice changes nothing.
    template <typename F>
    auto guarded_read(F&& f) -> decltype(f()) {
        try {
            return guarded(f);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::runtime || (!m_lost && m_conn->is_open())) throw;
            return guarded(f);
        }
    }

    // Runs one database operation, translating libpqxx exceptions into roomctl Errors.
    template <typename F>
    auto guarded(F&& f) -> decltype(f()) {
        if (!m_identifiers_ok) throw config_error(check_mapping().problem);
        reconnect_if_lost();
        try {
            return f();
        } catch (const pqxx::undefined_table& e) {
            throw mapping_error(e);
        } catch (const pqxx::undefined_column& e) {
            throw mapping_error(e);
        } catch (const pqxx::in_doubt_error& e) {
            m_lost = true;
            throw WriteInDoubt(
                "database error: the connection was lost while committing; the change may or "
                "may not have been applied: " +
                first_line(e.what()));
        } catch (const pqxx::broken_connection& e) {
            m_lost = true;
            throw runtime_error("lost the database connection: " + first_line(e.what()));
        } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() == "3F000") throw mapping_error(e);  // invalid_schema_name
            // 57P01..57P03: the server is shutting down or terminated this backend
            // (pg_terminate_backend): the connection is gone even if libpqxx has not noticed.
            if (e.sqlstate().rfind("57P0", 0) == 0 || !m_conn->is_open()) {
                m_lost = true;
                throw runtime_error("lost the database connection: " + first_line(e.what()));
            }
            throw runtime_error("database error: " + first_line(e.what()));
        } catch (const Error&) {
            throw;
        } catch (const pqxx::failure& e) {
            if (!m_conn->is_open()) {  // e.g. "Could not obtain client encoding: not connected"
                m_lost = true;
                throw runtime_error("lost the database connection: " + first_line(e.what()));
            }
            throw runtime_error("database error: " + first_line(e.what()));
        }
    }

    Error mapping_error(const std::exception& e) {
        try {
            MappingCheck check = check_mapping();
            if (!check.ok) return config_error(check.problem);
        } catch (const std::exception&) {
            // fall through to the server's own words
        }
        return config_error("the room table mapping does not match the database: " +
                            first_line(e.what()) + " (check [rooms])");
    }

    static bool take_lock(pqxx::connection& conn, std::int64_t key) {
        pqxx::nontransaction tx{conn};
        return tx.exec_params1("SELECT pg_try_advisory_lock($1::bigint)", key)[0].as<bool>();
    }

    // After a lost connection, a new one, holding every lock the old one held, before any
    // statement runs. libpqxx 6 would otherwise reconnect by itself and silently run without
    // the locks.
    void reconnect_if_lost() {
        if (!m_lost && m_conn->is_open()) return;
        auto fresh = open_connection(m_url);
        try {
            for (auto key : m_locks) {
                if (!take_lock(*fresh, key)) {
                    throw locked_error(
                        "the database connection was lost and another roomctl run took the "
                        "lock meanwhile; stopping here (wait for it to finish, then run again)");
                }
            }
        } catch (const pqxx::failure& e) {
            throw runtime_error("lost the database connection: " + first_line(e.what()));
        }
        m_conn = std::move(fresh);
        m_lost = false;
    }

    // The SID column's SQL type as the server spells it ("uuid", "character varying(64)").
    const std::string& sid_type() {
        if (m_sid_type.empty()) {
            pqxx::work tx{*m_conn};
            const pqxx::result r = tx.exec_params(
                "SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attname = $2::text "
                "AND attnum > 0 AND NOT attisdropped",
                m_table_sql, m_mapping.sid_column);
            tx.commit();
            if (r.empty()) throw config_error(check_mapping().problem);
            m_sid_type = r[0][0].c_str();
        }
        return m_sid_type;
    }

    std::unique_ptr<pqxx::connection> m_conn;
    std::string m_url;
    std::vector<std::int64_t> m_locks;  // advisory locks this store holds
    bool m_lost = false;                // the connection broke; reconnect before the next use
    std::string m_sid_type;
    config::RoomMapping m_mapping;
    std::set<std::string> m_live;
    std::string m_live_array;
    std::string m_schema_name;
    std::string m_table_name;
    bool m_identifiers_ok = false;
    // Rows as DbRoom, optionally filtered by `where` with one bound text parameter.
    std::vector<DbRoom> select_rooms(const std::string& where,
                                     const std::optional<std::string>& param) {
        const std::string sql = "SELECT " + m_name_sql + "::text, " + m_sid_sql + "::text, " +
                                m_status_sql + "::text FROM " + m_table_sql + where +
                                " ORDER BY " + m_name_sql + ", 2";
        return guarded_read([&] {
            pqxx::work tx{*m_conn};
            const pqxx::result r = param ? tx.exec_params(sql, *param) : tx.exec_params(sql);
            tx.commit();
            std::vector<DbRoom> rooms;
            rooms.reserve(r.size());
            for (const auto& row : r) {
                DbRoom room;
                room.name = optional_text(row[0]).value_or("");
                room.sid = optional_text(row[1]);
                room.status = optional_text(row[2]);
                room.live = room.status && m_live.contains(*room.status);
                room.liveness = room.live ? Liveness::live : Liveness::ended;
                rooms.push_back(std::move(room));
            }
            return rooms;
        });
    }

    std::string m_table_sql, m_name_sql, m_sid_sql, m_status_sql;
};

}  // namespace

std::unique_ptr<RoomStore> connect_room_store(const std::string& database_url,
                                              const config::RoomMapping& mapping) {
    auto conn = open_connection(database_url);
    return std::make_unique<PgRoomStore>(std::move(conn), database_url, mapping);
}

std::string probe_database(const std::string& database_url) {
    auto conn = open_connection(database_url);
    try {
        pqxx::nontransaction tx{*conn};
        const pqxx::row row = tx.exec_params1("SHOW server_version");
        std::string version = row[0].c_str();
        // "15.10 (Debian 15.10-0+deb12u1)" -> "15.10"
        if (const auto sp = version.find(' '); sp != std::string::npos) version.resize(sp);
        return "PostgreSQL " + version;
    } catch (const pqxx::broken_connection& e) {
        throw runtime_error("lost the database connection: " + first_line(e.what()));
    } catch (const pqxx::failure& e) {
        throw runtime_error("database error: " + first_line(e.what()));
    }
}

}  // namespace roomctl::store
