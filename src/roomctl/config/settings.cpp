#include "roomctl/config/settings.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"

extern char** environ;

namespace roomctl::config {

namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

// Flag spellings, used as Origin::detail. The command line must define these names.
constexpr std::string_view k_flag_config = "--config";
constexpr std::string_view k_flag_provider = "--provider";
constexpr std::string_view k_flag_url = "--url";
constexpr std::string_view k_flag_api_key = "--api-key";
constexpr std::string_view k_flag_api_secret_file = "--api-secret-file";
constexpr std::string_view k_flag_database_url = "--database-url";
constexpr std::string_view k_flag_table = "--table";
constexpr std::string_view k_flag_timeout = "--timeout";
constexpr std::string_view k_flag_cacert = "--cacert";

// Largest whole number of seconds accepted anywhere (parse_duration has the same limit).
constexpr std::int64_t k_max_seconds = std::numeric_limits<std::int32_t>::max();

// An environment value, or nullptr when the variable is unset or empty.
const std::string* env_value(const Env& env, std::string_view name) {
    auto it = env.find(std::string{name});
    if (it == env.end() || it->second.empty()) return nullptr;
    return &it->second;
}

std::string lower(std::string_view s) {
    std::string out{s};
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Resolves a path named in the config file against the config file's directory.
std::string resolve_against(const std::string& config_path, const std::string& p) {
    fs::path path{p};
    if (path.is_absolute()) return p;
    return (fs::path{config_path}.parent_path() / path).lexically_normal().string();
}

// ---------------------------------------------------------------------------------------
// Secrets

// Reads a secret file: strips one trailing "\n" or "\r\n". Messages name the path, never
// the content.
std::string read_secret_file(const std::string& path, const std::string& from) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw config_error(fmt::format("cannot read API secret file {} (from {}): it is a directory",
                                       path, from));
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw config_error(fmt::format("cannot read API secret file {} (from {}): {}", path, from,
                                       err != 0 ? std::strerror(err) : "open failed"));
    }
    std::string content{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad())
        throw config_error(fmt::format("cannot read API secret file {} (from {})", path, from));
    if (content.size() >= 2 && content.compare(content.size() - 2, 2, "\r\n") == 0)
        content.resize(content.size() - 2);
    else if (!content.empty() && content.back() == '\n')
        content.pop_back();
    if (content.empty())
        throw config_error(fmt::format("API secret file {} (from {}) is empty", path, from));
    return content;
}

// ---------------------------------------------------------------------------------------
// Config file layer

// Values found in the config file; unset optionals mean "not in the file".
struct FileLayer {
    std::string path;
    std::string profile;                 // the [profiles.NAME] read over the top level, or ""
    std::set<std::string> profile_keys;  // settings keys ("livekit.url") the profile set
    bool holds_secret = false;           // an inline secret anywhere in the file (any profile)
    std::optional<std::string> provider;
    std::optional<std::string> url;
    std::optional<std::string> api_key;
    std::optional<std::string> api_secret;
    std::optional<std::string> api_secret_file;  // already resolved against the file's dir
    std::optional<std::string> database_url;
    std::optional<std::chrono::milliseconds> database_lock_timeout;
    std::optional<std::chrono::milliseconds> database_statement_timeout;
    std::optional<std::string> twilio_account_sid;
    std::optional<std::string> twilio_api_key;
    std::optional<std::string> twilio_api_secret;
    std::optional<std::string> twilio_auth_token;
    std::optional<std::string> twilio_base_url;
    std::optional<std::string> table;
    std::optional<std::string> name_column;
    std::optional<std::string> sid_column;
    std::optional<std::string> status_column;
    std::optional<std::vector<std::string>> live_statuses;
    std::optional<std::vector<std::string>> ended_statuses;
    std::optional<std::string> room_name_template;
    std::optional<std::string> session_column;
    std::optional<std::chrono::milliseconds> request_timeout;
    std::optional<std::string> ca_file;  // already resolved against the file's dir
    std::optional<std::uint32_t> empty_timeout;
    std::optional<std::uint32_t> departure_timeout;
    std::optional<std::chrono::seconds> min_age;
    std::optional<std::vector<std::string>> keep;
    std::optional<std::uint32_t> max_deletes;
};

class FileReader {
public:
    // `section` is "[profiles.NAME]" while reading a profile's subtree, else empty.
    explicit FileReader(std::string path, std::string section = {})
        : m_path(std::move(path)), m_section(std::move(section)) {}

    // "/path (line 3)", "/path [profiles.staging] (line 9)": where a node is, for messages.
    std::string where(const toml::node& n) const {
        const auto line = n.source().begin.line;
        const std::string file = m_section.empty() ? m_path : m_path + " " + m_section;
        return line > 0 ? fmt::format("{} (line {})", file, line) : file;
    }

    bool in_profile() const { return !m_section.empty(); }

    [[noreturn]] void fail(std::string_view what, const toml::node& n) const {
        throw config_error(fmt::format("{} in {}", what, where(n)));
    }

    std::optional<std::string> string(const toml::node& n, std::string_view key) const {
        if (const auto* v = n.as_string()) return no_nul(v->get(), key, n);
        fail(fmt::format("{} must be a string", key), n);
    }

    // TOML can spell a NUL ("\u0000"); no setting can hold one (libpq, libcurl and file names
    // end at it, and messages would be cut there), and flags and the environment cannot carry it.
    const std::string& no_nul(const std::string& v, std::string_view key, const toml::node& n) const {
        if (v.find('\0') != std::string::npos)
            fail(fmt::format("{} contains a NUL character (\\u0000)", key), n);
        return v;
    }

    std::vector<std::string> string_list(const toml::node& n, std::string_view key) const {
        const auto* arr = n.as_array();
        if (arr == nullptr) fail(fmt::format("{} must be a list of strings", key), n);
        std::vector<std::string> out;
        for (const auto& elem : *arr) {
            const auto* v = elem.as_string();
            if (v == nullptr) fail(fmt::format("{} must be a list of strings", key), elem);
            out.push_back(no_nul(v->get(), key, elem));
        }
        return out;
    }

    // A duration string ("10m") or a whole number of seconds; never negative.
    std::chrono::seconds seconds(const toml::node& n, std::string_view key) const {
        if (const auto* i = n.as_integer()) {
            auto v = i->get();
            if (v < 0) fail(fmt::format("{} must not be negative", key), n);
            if (v > k_max_seconds) fail(fmt::format("{} is too large", key), n);
            return std::chrono::seconds{v};
        }
        if (const auto* s = n.as_string()) {
            try {
                return parse_duration(s->get());
            } catch (const Error& e) {
                throw config_error(fmt::format("{} in {}: {}", key, where(n), e.what()));
            }
        }
        fail(fmt::format("{} must be a duration such as \"10m\" or a whole number of seconds",
                         key),
             n);
    }

    // A database timeout: like seconds(), but at least 1 s and at most a day (PostgreSQL
    // counts it in int milliseconds; 0 there would mean "wait forever", which is the hang
    // these settings exist to prevent).
    std::chrono::milliseconds timeout(const toml::node& n, std::string_view key) const {
        const auto s = seconds(n, key);
        if (s.count() <= 0)
            fail(fmt::format("{} must be positive (0 would mean no timeout), e.g. \"5s\"", key),
                 n);
        if (s > std::chrono::hours{24}) fail(fmt::format("{} must be at most 24h", key), n);
        return std::chrono::duration_cast<std::chrono::milliseconds>(s);
    }

    [[noreturn]] void unknown(std::string_view key, const toml::node& n) const {
        fail(fmt::format("unknown key {}", key), n);
    }

    const toml::table& table(const toml::node& n, std::string_view key) const {
        const auto* t = n.as_table();
        if (t == nullptr) fail(fmt::format("{} must be a table ([{}])", key, key), n);
        return *t;
    }

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::string m_section;
};

void read_layer(const FileReader& r, const toml::table& root, FileLayer& f);

// "[profiles.staging]"; names that are not bare TOML keys are quoted.
std::string profile_section(const std::string& name) {
    const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_' || c == '-';
    });
    return bare ? fmt::format("[profiles.{}]", name) : fmt::format("[profiles.\"{}\"]", name);
}

// Whether a libpq connection string carries a password, by libpq's own reading of the two
// forms: a URI's userinfo ends at the first '@' before any '/' (so a password may hold '#',
// '?' or ':'), and its query or a keyword/value string may say password=... . Independent of
// how redaction spells the result, so the permission warning cannot miss what it failed to hide.
bool database_url_has_password(std::string_view url) {
    const std::string low = lower(url);
    for (std::string_view prefix : {"postgresql://", "postgres://"}) {
        if (low.rfind(prefix, 0) != 0) continue;
        const auto start = prefix.size();
        const auto stop = url.find_first_of("@/", start);
        if (stop != std::string_view::npos && url[stop] == '@') {
            const auto userinfo = url.substr(start, stop - start);
            const auto colon = userinfo.find(':');
            if (colon != std::string_view::npos && colon + 1 < userinfo.size()) return true;
        }
        const auto query = url.find('?', stop == std::string_view::npos ? start : stop);
        if (query == std::string_view::npos) return false;
        for (auto at = low.find("password=", query); at != std::string::npos;
             at = low.find("password=", at + 1)) {
            const char before = low[at - 1];
            const auto value = at + 9;
            if ((before == '?' || before == '&') && value < low.size() && low[value] != '&')
                return true;
        }
        return false;
    }
    // keyword/value: password = value, with any spacing around '='; a quoted '' is empty.
    for (auto at = low.find("password"); at != std::string::npos; at = low.find("password", at + 1)) {
        if (at > 0 && std::isspace(static_cast<unsigned char>(low[at - 1])) == 0) continue;
        auto i = at + 8;
        while (i < low.size() && std::isspace(static_cast<unsigned char>(low[i])) != 0) ++i;
        if (i >= low.size() || low[i] != '=') continue;
        ++i;
        while (i < low.size() && std::isspace(static_cast<unsigned char>(low[i])) != 0) ++i;
        if (i < low.size() && low.compare(i, 2, "''") != 0) return true;
    }
    return false;
}

// Whether a top-level or profile table holds a secret inline: livekit.api_secret,
// twilio.api_secret, twilio.auth_token, or a database URL with a password (the *_file keys
// point elsewhere and do not count).
bool holds_inline_secret(const toml::table& t) {
    auto str = [&](const char* table, const char* key) {
        return t[table][key].value_or(std::string{});
    };
    const std::string db = str("database", "url");
    return !str("livekit", "api_secret").empty() || !str("twilio", "api_secret").empty() ||
           !str("twilio", "auth_token").empty() ||
           (!db.empty() && (database_url_has_password(db) || redact_database_url(db) != db));
}

// The settings keys (Settings::origins) that the keys of a profile's subtree decide.
std::set<std::string> settings_keys_of(const toml::table& profile) {
    std::set<std::string> out;
    for (const auto& [k, node] : profile) {
        const std::string table{k.str()};
        const auto* t = node.as_table();
        if (t == nullptr) {
            out.insert(table);  // provider
            continue;
        }
        for (const auto& [k2, unused] : *t) {
            std::string key{k2.str()};
            if (table == "http") {
                if (key == "timeout") out.insert("request_timeout");
                if (key == "cacert") out.insert("ca_file");
                continue;
            }
            constexpr std::string_view suffix = "_file";  // api_secret_file -> api_secret
            if ((table == "livekit" || table == "twilio") && key.size() > suffix.size() &&
                key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
                key.resize(key.size() - suffix.size());
            out.insert(table + "." + key);
        }
    }
    return out;
}

// Unknown keys: inside the tables roomctl owns completely ([livekit], [database], [rooms],
// [http]) an unknown key is almost always a typo ("api_secert_file") that would otherwise be
// silently ignored, so it is an error. Unknown top-level *tables* are ignored, and so are
// unknown keys in [recreate] and [cleanup]: those name future features (more
// recreate/cleanup knobs) and a config file written for a newer roomctl must still load.
// Unknown top-level *scalar* keys are errors (a misplaced `url = ...` belongs in a table and
// would otherwise be lost).
//
// Profiles: [profiles.NAME] holds the same tables and keys as the top level (same rules);
// the selected profile (`profile`, non-empty; `from` says who selected it) is read over the
// top level, so its values win. Only the selected profile is read; every profile counts for
// holds_secret.
FileLayer read_config_file(const std::string& path, const std::string& profile,
                           const std::string& from) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw config_error(fmt::format("config file {} is a directory", path));
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe) {
            const int err = errno;
            throw config_error(fmt::format("cannot read config file {}: {}", path,
                                           err != 0 ? std::strerror(err) : "open failed"));
        }
    }
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw config_error(fmt::format("config file {} is not valid TOML: {} at line {}, column {}",
                                       path, e.description(), e.source().begin.line,
                                       e.source().begin.column));
    }

    FileReader r{path};
    FileLayer f;
    f.path = path;
    read_layer(r, root, f);

    f.holds_secret = holds_inline_secret(root);
    const auto* profiles = root["profiles"].as_table();
    if (profiles != nullptr) {
        for (const auto& [name, node] : *profiles)
            if (const auto* t = node.as_table()) f.holds_secret |= holds_inline_secret(*t);
    }
    if (profile.empty()) return f;

    const toml::node* selected = profiles != nullptr ? profiles->get(profile) : nullptr;
    if (selected == nullptr) {
        std::vector<std::string> names;
        if (profiles != nullptr)
            for (const auto& [name, node] : *profiles) names.emplace_back(name.str());
        throw config_error(fmt::format(
            "unknown profile \"{}\" ({}): {} {}", profile, from, path,
            names.empty() ? std::string{"defines no [profiles.NAME] sections"}
                          : fmt::format("defines {}", fmt::join(names, ", "))));
    }
    const std::string section = profile_section(profile);
    FileReader pr{path, section};
    const auto& table = pr.table(*selected, "profiles." + profile);
    // The profile's secret replaces the top level's, whichever of the two keys each uses.
    if (table["livekit"]["api_secret"] || table["livekit"]["api_secret_file"]) {
        f.api_secret.reset();
        f.api_secret_file.reset();
    }
    read_layer(pr, table, f);
    f.profile = profile;
    f.profile_keys = settings_keys_of(table);
    return f;
}

// Reads the tables and keys roomctl knows from `root`: the top level of the file, or the
// subtree of a profile (then `r` names the profile in messages).
void read_layer(const FileReader& r, const toml::table& root, FileLayer& f) {
    const std::string& path = r.path();
    for (const auto& [k, node] : root) {
        const std::string_view key = k.str();
        if (key == "provider") {
            f.provider = r.string(node, "provider");
        } else if (key == "livekit") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("livekit.{}", sub);
                if (sub == "url") f.url = r.string(n2, dotted);
                else if (sub == "api_key") f.api_key = r.string(n2, dotted);
                else if (sub == "api_secret") f.api_secret = r.string(n2, dotted);
                else if (sub == "api_secret_file") {
                    auto v = *r.string(n2, dotted);
                    if (v.empty()) r.fail(fmt::format("{} must not be empty", dotted), n2);
                    f.api_secret_file = resolve_against(path, v);
                } else r.unknown(dotted, n2);
            }
        } else if (key == "twilio") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("twilio.{}", sub);
                // n2 by init-capture: clang before 16 cannot capture a structured binding.
                auto secret_file = [&, &n = n2](std::optional<std::string>& field) {
                    auto v = *r.string(n, dotted);
                    if (v.empty()) r.fail(fmt::format("{} must not be empty", dotted), n);
                    field = read_secret_file(resolve_against(path, v), dotted + " in " + path);
                };
                if (sub == "account_sid") f.twilio_account_sid = r.string(n2, dotted);
                else if (sub == "api_key") f.twilio_api_key = r.string(n2, dotted);
                else if (sub == "api_secret") f.twilio_api_secret = r.string(n2, dotted);
                else if (sub == "api_secret_file") secret_file(f.twilio_api_secret);
                else if (sub == "auth_token") f.twilio_auth_token = r.string(n2, dotted);
                else if (sub == "auth_token_file") secret_file(f.twilio_auth_token);
                else if (sub == "base_url") f.twilio_base_url = r.string(n2, dotted);
                else r.unknown(dotted, n2);
            }
        } else if (key == "database") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("database.{}", sub);
                if (sub == "url") f.database_url = r.string(n2, dotted);
                else if (sub == "lock_timeout") f.database_lock_timeout = r.timeout(n2, dotted);
                else if (sub == "statement_timeout")
                    f.database_statement_timeout = r.timeout(n2, dotted);
                else r.unknown(dotted, n2);
            }
        } else if (key == "rooms") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("rooms.{}", sub);
                if (sub == "table") f.table = r.string(n2, dotted);
                else if (sub == "name_column") f.name_column = r.string(n2, dotted);
                else if (sub == "sid_column") f.sid_column = r.string(n2, dotted);
                else if (sub == "status_column") f.status_column = r.string(n2, dotted);
                else if (sub == "live_statuses") f.live_statuses = r.string_list(n2, dotted);
                else if (sub == "ended_statuses") f.ended_statuses = r.string_list(n2, dotted);
                else if (sub == "room_name_template") f.room_name_template = r.string(n2, dotted);
                else if (sub == "session_column") f.session_column = r.string(n2, dotted);
                else r.unknown(dotted, n2);
            }
        } else if (key == "http") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("http.{}", sub);
                if (sub == "timeout") {
                    auto s = r.seconds(n2, dotted);
                    if (s.count() == 0) r.fail(fmt::format("{} must be positive", dotted), n2);
                    f.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s);
                } else if (sub == "cacert") {
                    auto v = *r.string(n2, dotted);
                    f.ca_file = v.empty() ? v : resolve_against(path, v);
                } else {
                    r.unknown(dotted, n2);
                }
            }
        } else if (key == "recreate") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                const std::string dotted = fmt::format("recreate.{}", sub);
                if (sub == "empty_timeout")
                    f.empty_timeout = static_cast<std::uint32_t>(r.seconds(n2, dotted).count());
                else if (sub == "departure_timeout")
                    f.departure_timeout = static_cast<std::uint32_t>(r.seconds(n2, dotted).count());
                // other keys: future features, ignored (see above)
            }
        } else if (key == "cleanup") {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string_view sub = k2.str();
                if (sub == "min_age") f.min_age = r.seconds(n2, "cleanup.min_age");
                else if (sub == "keep") f.keep = r.string_list(n2, "cleanup.keep");
                else if (sub == "max_deletes") {
                    const auto* i = n2.as_integer();
                    if (i == nullptr || i->get() < 0 || i->get() > 1'000'000)
                        r.fail("cleanup.max_deletes must be a whole number from 0 to 1000000", n2);
                    f.max_deletes = static_cast<std::uint32_t>(i->get());
                }
                // other keys: future features, ignored (see above)
            }
        } else if (key == "profiles") {
            if (r.in_profile()) r.fail("profiles cannot be nested", node);
            for (const auto& [name, p] : r.table(node, key))
                r.table(p, fmt::format("profiles.{}", name.str()));  // read when selected
        } else if (node.is_table()) {
            // unknown top-level table: a future feature; ignored
        } else {
            r.unknown(key, node);
        }
    }
}

// Which config file to read: --config, else ROOMCTL_CONFIG, else the XDG user file if it
// exists. Explicitly named files must exist. Returns nullopt when there is none.
std::optional<std::string> config_file_path(const FlagValues& flags, const Env& env) {
    auto explicit_file = [](const std::string& p, std::string_view from) {
        if (p.empty()) throw config_error(fmt::format("{} names no config file (empty path)", from));
        std::error_code ec;
        if (!fs::exists(p, ec))
            throw config_error(fmt::format("config file {} (from {}) does not exist", p, from));
        return p;
    };
    if (flags.config_path) return explicit_file(*flags.config_path, k_flag_config);
    if (const auto* p = env_value(env, "ROOMCTL_CONFIG")) return explicit_file(*p, "ROOMCTL_CONFIG");

    fs::path base;
    // The XDG spec says relative values are invalid and must be ignored.
    if (const auto* x = env_value(env, "XDG_CONFIG_HOME"); x && fs::path{*x}.is_absolute())
        base = *x;
    else if (const auto* home = env_value(env, "HOME"))
        base = fs::path{*home} / ".config";
    else
        return std::nullopt;
    const fs::path candidate = base / "roomctl" / "config.toml";
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.string();
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Layering

template <class T>
struct Candidate {
    const std::optional<T>* value;
    Source source;
    std::string detail;
};

// Sets `field` from the first candidate that has a value; records the origin under `key`.
template <class T>
void pick(Settings& s, const std::string& key, T& field, std::initializer_list<Candidate<T>> cands) {
    for (const auto& c : cands) {
        if (c.value != nullptr && c.value->has_value()) {
            field = **c.value;
            s.origins[key] = Origin{c.source, c.detail};
            return;
        }
    }
    s.origins[key] = Origin{};
}

std::optional<std::string> env_opt(const Env& env, std::string_view name) {
    if (const auto* v = env_value(env, name)) return *v;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// URLs

// Replaces the userinfo of scheme://user:pw@host with ******** so a URL can be echoed.
std::string hide_userinfo(std::string_view url) {
    auto sep = url.find("://");
    if (sep == std::string_view::npos) return std::string{url};
    const auto start = sep + 3;
    const auto end = url.find_first_of("/?#", start);
    const auto authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string{url};
    return fmt::format("{}{}@{}", url.substr(0, start), k_redacted, url.substr(start + at + 1));
}

// Minimal check of scheme://host[:port][/path] with scheme http, https, ws or wss.
bool valid_media_url(std::string_view url) {
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const auto scheme = lower(url.substr(0, sep));
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

// A dev shell exports DATABASE_URL for its own database; the operator then names the prod
// config (--config /etc/roomctl.toml --profile prod) and expects its [database] url. The
// documented precedence lets the environment win, so say so: read-only commands warn, --apply
// refuses (the command layer reads Settings::database_url_conflict). Only the generic
// DATABASE_URL counts: --database-url and ROOMCTL_DATABASE_URL name roomctl's database on
// purpose, and a config file found by the XDG default was not named by anyone.
void note_database_url_conflict(Settings& s, const FlagValues& flags, const Env& env,
                                const FileLayer& file) {
    const bool config_named = flags.config_path.has_value() || env_value(env, "ROOMCTL_CONFIG");
    const bool profile_named = s.origins["profile"].source != Source::default_value;
    if (!config_named && !profile_named) return;
    const auto& origin = s.origins["database.url"];
    if (origin.source != Source::env || origin.detail != "DATABASE_URL") return;
    if (!file.database_url || file.database_url->empty() || *file.database_url == s.database_url)
        return;
    const bool from_profile = file.profile_keys.count("database.url") > 0;
    s.database_url_conflict = fmt::format(
        "DATABASE_URL from the environment overrides [database] url of {}{}; unset "
        "DATABASE_URL or pass --database-url to choose",
        file.path, from_profile ? " " + profile_section(file.profile) : std::string{});
    s.warnings.push_back(s.database_url_conflict);
}

// A status word in both lists would make a row both live and ended: the store compares
// case-insensitively, so "Active" in one list and "active" in the other collide too.
void require_disjoint_statuses(Settings& s) {
    std::map<std::string, std::string> live;  // lower-cased -> as written
    for (const auto& w : s.rooms.live_statuses) live.emplace(lower(w), w);
    for (const auto& w : s.rooms.ended_statuses) {
        auto it = live.find(lower(w));
        if (it == live.end()) continue;
        throw config_error(fmt::format(
            "status \"{}\" is in both rooms.live_statuses ({}) and rooms.ended_statuses ({}) "
            "(compared case-insensitively): remove it from one of them",
            it->second, to_string(s.origins["rooms.live_statuses"]),
            to_string(s.origins["rooms.ended_statuses"])));
    }
}

std::string show_timeout(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0)
        return format_duration(std::chrono::duration_cast<std::chrono::seconds>(ms));
    return fmt::format("{}ms", ms.count());
}

}  // namespace

std::string to_string(Source s) {
    switch (s) {
        case Source::default_value: return "default";
        case Source::file: return "file";
        case Source::env: return "env";
        case Source::flag: return "flag";
    }
    return "unknown";
}

std::string to_string(const Origin& o) {
    if (o.detail.empty()) return to_string(o.source);
    return fmt::format("{} {}", to_string(o.source), o.detail);
}

Settings resolve_settings(const FlagValues& flags, const Env& env) {
    Settings s;
    FileLayer file;
    const auto env_profile = env_opt(env, "ROOMCTL_PROFILE");
    pick<std::string>(s, "profile", s.profile,
                      {{&flags.profile, Source::flag, "--profile"},
                       {&env_profile, Source::env, "ROOMCTL_PROFILE"}});
    if (auto path = config_file_path(flags, env)) {
        file = read_config_file(*path, s.profile, to_string(s.origins["profile"]));
        s.config_path = *path;
        std::error_code ec;
        const auto perms = fs::status(*path, ec).permissions();
        if (!ec && file.holds_secret &&
            (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
            s.warnings.push_back(fmt::format(
                "config file {} is readable by others and holds a secret; chmod 600 {}", *path,
                *path));
    } else if (!s.profile.empty()) {
        throw config_error(fmt::format(
            "profile \"{}\" ({}) needs a config file, and there is none: name one with --config "
            "or ROOMCTL_CONFIG, or create $XDG_CONFIG_HOME/roomctl/config.toml",
            s.profile, to_string(s.origins["profile"])));
    }
    const std::string& fp = file.path;

    // provider
    const auto env_provider = env_opt(env, "ROOMCTL_PROVIDER");
    pick<std::string>(s, "provider", s.provider,
                      {{&flags.provider, Source::flag, std::string{k_flag_provider}},
                       {&env_provider, Source::env, "ROOMCTL_PROVIDER"},
                       {&file.provider, Source::file, fp}});

    // --url, --api-key and --api-secret-file address the selected provider.
    const bool twilio = s.provider == "twilio";
    const std::optional<std::string> none;
    const auto& lk_flag_url = twilio ? none : flags.url;
    const auto& lk_flag_api_key = twilio ? none : flags.api_key;
    if (twilio) s.rooms = twilio_default_mapping();

    // [livekit]
    const auto env_url = env_opt(env, "LIVEKIT_URL");
    pick<std::string>(s, "livekit.url", s.livekit.url,
                      {{&lk_flag_url, Source::flag, std::string{k_flag_url}},
                       {&env_url, Source::env, "LIVEKIT_URL"},
                       {&file.url, Source::file, fp}});
    const auto env_key = env_opt(env, "LIVEKIT_API_KEY");
    pick<std::string>(s, "livekit.api_key", s.livekit.api_key,
                      {{&lk_flag_api_key, Source::flag, std::string{k_flag_api_key}},
                       {&env_key, Source::env, "LIVEKIT_API_KEY"},
                       {&file.api_key, Source::file, fp}});

    // The secret: --api-secret-file > LIVEKIT_API_SECRET > LIVEKIT_API_SECRET_FILE >
    // file api_secret_file > file api_secret. Only the winning file is read.
    if (!twilio && flags.api_secret_file) {
        const std::string from{k_flag_api_secret_file};
        s.livekit.api_secret = read_secret_file(*flags.api_secret_file, from);
        s.origins["livekit.api_secret"] = Origin{Source::flag, from};
    } else if (const auto* v = env_value(env, "LIVEKIT_API_SECRET")) {
        s.livekit.api_secret = *v;
        s.origins["livekit.api_secret"] = Origin{Source::env, "LIVEKIT_API_SECRET"};
    } else if (const auto* p = env_value(env, "LIVEKIT_API_SECRET_FILE")) {
        s.livekit.api_secret = read_secret_file(*p, "LIVEKIT_API_SECRET_FILE");
        s.origins["livekit.api_secret"] = Origin{Source::env, "LIVEKIT_API_SECRET_FILE"};
    } else if (file.api_secret_file) {
        s.livekit.api_secret =
            read_secret_file(*file.api_secret_file, fmt::format("livekit.api_secret_file in {}", fp));
        s.origins["livekit.api_secret"] = Origin{Source::file, fp};
    } else if (file.api_secret) {
        s.livekit.api_secret = *file.api_secret;
        s.origins["livekit.api_secret"] = Origin{Source::file, fp};
    } else {
        s.origins["livekit.api_secret"] = Origin{};
    }

    // [twilio]
    const auto env_account = env_opt(env, "TWILIO_ACCOUNT_SID");
    const auto env_tw_key = env_opt(env, "TWILIO_API_KEY");
    const auto env_tw_secret = env_opt(env, "TWILIO_API_SECRET");
    const auto env_tw_token = env_opt(env, "TWILIO_AUTH_TOKEN");
    const auto env_tw_url = env_opt(env, "TWILIO_VIDEO_BASE_URL");
    const auto& tw_flag_url = twilio ? flags.url : none;
    const auto& tw_flag_key = twilio ? flags.api_key : none;
    std::optional<std::string> tw_flag_secret;
    if (twilio && flags.api_secret_file)
        tw_flag_secret = read_secret_file(*flags.api_secret_file, std::string{k_flag_api_secret_file});
    pick<std::string>(s, "twilio.account_sid", s.twilio.account_sid,
                      {{&flags.account_sid, Source::flag, "--account-sid"},
                       {&env_account, Source::env, "TWILIO_ACCOUNT_SID"},
                       {&file.twilio_account_sid, Source::file, fp}});
    pick<std::string>(s, "twilio.api_key", s.twilio.api_key,
                      {{&tw_flag_key, Source::flag, std::string{k_flag_api_key}},
                       {&env_tw_key, Source::env, "TWILIO_API_KEY"},
                       {&file.twilio_api_key, Source::file, fp}});
    pick<std::string>(s, "twilio.api_secret", s.twilio.api_secret,
                      {{&tw_flag_secret, Source::flag, std::string{k_flag_api_secret_file}},
                       {&env_tw_secret, Source::env, "TWILIO_API_SECRET"},
                       {&file.twilio_api_secret, Source::file, fp}});
    pick<std::string>(s, "twilio.auth_token", s.twilio.auth_token,
                      {{&env_tw_token, Source::env, "TWILIO_AUTH_TOKEN"},
                       {&file.twilio_auth_token, Source::file, fp}});
    pick<std::string>(s, "twilio.base_url", s.twilio.base_url,
                      {{&tw_flag_url, Source::flag, std::string{k_flag_url}},
                       {&env_tw_url, Source::env, "TWILIO_VIDEO_BASE_URL"},
                       {&file.twilio_base_url, Source::file, fp}});

    // [database]
    const auto env_db_roomctl = env_opt(env, "ROOMCTL_DATABASE_URL");
    const auto env_db = env_opt(env, "DATABASE_URL");
    pick<std::string>(s, "database.url", s.database_url,
                      {{&flags.database_url, Source::flag, std::string{k_flag_database_url}},
                       {&env_db_roomctl, Source::env, "ROOMCTL_DATABASE_URL"},
                       {&env_db, Source::env, "DATABASE_URL"},
                       {&file.database_url, Source::file, fp}});
    pick<std::chrono::milliseconds>(s, "database.lock_timeout", s.database_lock_timeout,
                                    {{&file.database_lock_timeout, Source::file, fp}});
    pick<std::chrono::milliseconds>(s, "database.statement_timeout",
                                    s.database_statement_timeout,
                                    {{&file.database_statement_timeout, Source::file, fp}});
    if (s.database_url.empty()) {
        // libpq's own variables are enough on their own: "postgresql://" means "all defaults",
        // which libpq fills from PGHOST, PGDATABASE, PGUSER, PGSERVICE, ...
        for (const char* var : {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"}) {
            if (env_opt(env, var)) {
                s.database_url = "postgresql://";
                s.origins["database.url"] = Origin{Source::env, "PG* variables"};
                break;
            }
        }
    }

    // [rooms]
    pick<std::string>(s, "rooms.table", s.rooms.table,
                      {{&flags.table, Source::flag, std::string{k_flag_table}},
                       {&file.table, Source::file, fp}});
    pick<std::string>(s, "rooms.name_column", s.rooms.name_column,
                      {{&file.name_column, Source::file, fp}});
    pick<std::string>(s, "rooms.sid_column", s.rooms.sid_column,
                      {{&file.sid_column, Source::file, fp}});
    pick<std::string>(s, "rooms.status_column", s.rooms.status_column,
                      {{&file.status_column, Source::file, fp}});
    pick<std::vector<std::string>>(s, "rooms.live_statuses", s.rooms.live_statuses,
                                   {{&file.live_statuses, Source::file, fp}});
    pick<std::vector<std::string>>(s, "rooms.ended_statuses", s.rooms.ended_statuses,
                                   {{&file.ended_statuses, Source::file, fp}});
    const auto env_template = env_opt(env, "ROOMCTL_ROOM_NAME_TEMPLATE");
    pick<std::string>(s, "rooms.room_name_template", s.rooms.room_name_template,
                      {{&flags.room_name_template, Source::flag, "--room-name-template"},
                       {&env_template, Source::env, "ROOMCTL_ROOM_NAME_TEMPLATE"},
                       {&file.room_name_template, Source::file, fp}});
    pick<std::string>(s, "rooms.session_column", s.rooms.session_column,
                      {{&file.session_column, Source::file, fp}});

    // [http]
    pick<std::chrono::milliseconds>(
        s, "request_timeout", s.request_timeout,
        {{&flags.request_timeout, Source::flag, std::string{k_flag_timeout}},
         {&file.request_timeout, Source::file, fp}});
    const auto env_ca = env_opt(env, "ROOMCTL_CACERT");
    pick<std::string>(s, "ca_file", s.ca_file,
                      {{&flags.ca_file, Source::flag, std::string{k_flag_cacert}},
                       {&env_ca, Source::env, "ROOMCTL_CACERT"},
                       {&file.ca_file, Source::file, fp}});

    // [recreate], [cleanup]
    pick<std::uint32_t>(s, "recreate.empty_timeout", s.empty_timeout,
                        {{&file.empty_timeout, Source::file, fp}});
    pick<std::uint32_t>(s, "recreate.departure_timeout", s.departure_timeout,
                        {{&file.departure_timeout, Source::file, fp}});
    pick<std::chrono::seconds>(s, "cleanup.min_age", s.min_age, {{&file.min_age, Source::file, fp}});
    pick<std::vector<std::string>>(s, "cleanup.keep", s.keep, {{&file.keep, Source::file, fp}});
    pick<std::uint32_t>(s, "cleanup.max_deletes", s.max_deletes,
                        {{&file.max_deletes, Source::file, fp}});

    // Values the profile decided: "file /path [profiles.staging]".
    for (const auto& key : file.profile_keys) {
        auto it = s.origins.find(key);
        if (it != s.origins.end() && it->second.source == Source::file)
            it->second.detail = fp + " " + profile_section(file.profile);
    }
    note_database_url_conflict(s, flags, env, file);

    // Validation of what does not depend on the command being run.
    if (s.provider != "livekit" && s.provider != "twilio")
        throw config_error(fmt::format("unknown provider \"{}\" ({}): expected \"livekit\" or \"twilio\"",
                                       s.provider, to_string(s.origins["provider"])));
    auto non_empty = [&](const std::string& key, const std::string& value) {
        if (value.empty())
            throw config_error(fmt::format("{} must not be empty ({})", key, to_string(s.origins[key])));
    };
    non_empty("rooms.table", s.rooms.table);
    non_empty("rooms.name_column", s.rooms.name_column);
    non_empty("rooms.sid_column", s.rooms.sid_column);
    non_empty("rooms.status_column", s.rooms.status_column);
    non_empty("rooms.session_column", s.rooms.session_column);
    {
        const auto& t = s.rooms.room_name_template;
        const auto first = t.find("{name}");
        if (first == std::string::npos || t.find("{name}", first + 1) != std::string::npos)
            throw config_error(fmt::format(
                "rooms.room_name_template \"{}\" must contain {{name}} exactly once, e.g. "
                "\"session-{{name}}\" ({})",
                t, to_string(s.origins["rooms.room_name_template"])));
    }
    if (s.rooms.live_statuses.empty())
        throw config_error(fmt::format("rooms.live_statuses must list at least one status ({})",
                                       to_string(s.origins["rooms.live_statuses"])));
    require_disjoint_statuses(s);
    if (s.request_timeout.count() <= 0)
        throw config_error(fmt::format("request_timeout must be positive ({})",
                                       to_string(s.origins["request_timeout"])));
    if (s.min_age.count() < 0)
        throw config_error(fmt::format("cleanup.min_age must not be negative ({})",
                                       to_string(s.origins["cleanup.min_age"])));
    return s;
}

std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> out;
    if (environ == nullptr) return out;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view entry{*e};
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        out.emplace(std::string{entry.substr(0, eq)}, std::string{entry.substr(eq + 1)});
    }
    return out;
}

std::string room_name_for(const RoomMapping& m, const std::string& value) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return value;
    return m.room_name_template.substr(0, at) + value + m.room_name_template.substr(at + 6);
}

std::optional<std::string> database_name_for(const RoomMapping& m, const std::string& room) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return room;
    const std::string prefix = m.room_name_template.substr(0, at);
    const std::string suffix = m.room_name_template.substr(at + 6);
    if (room.size() < prefix.size() + suffix.size() || room.compare(0, prefix.size(), prefix) != 0 ||
        room.compare(room.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    return room.substr(prefix.size(), room.size() - prefix.size() - suffix.size());
}

RoomMapping twilio_default_mapping() {
    RoomMapping m;
    m.table = "breakout_rooms";
    m.name_column = "room_name";
    m.sid_column = "twilio_room_sid";
    m.status_column = "is_active";
    m.live_statuses = {"true"};
    return m;
}

namespace {

// A Twilio SID: two-letter prefix and 32 hex digits.
bool is_sid(std::string_view v, std::string_view prefix) {
    if (v.size() != 34 || v.substr(0, 2) != prefix) return false;
    return std::all_of(v.begin() + 2, v.end(),
                       [](unsigned char c) { return std::isxdigit(c) != 0; });
}

void require_twilio(const Settings& s, const std::function<std::string(const char*)>& from) {
    const auto& t = s.twilio;
    if (t.account_sid.empty())
        throw config_error(
            "no Twilio Account SID configured: set TWILIO_ACCOUNT_SID, --account-sid, or [twilio] "
            "account_sid in the config file");
    if (!is_sid(t.account_sid, "AC"))
        throw config_error(fmt::format(
            "Twilio Account SID \"{}\" is not an AC SID (AC followed by 32 hex digits) ({})",
            t.account_sid, from("twilio.account_sid")));
    if (!t.api_key.empty() && !is_sid(t.api_key, "SK"))
        throw config_error(fmt::format(
            "Twilio API key \"{}\" is not an SK SID (SK followed by 32 hex digits) ({})",
            t.api_key, from("twilio.api_key")));
    if (!t.api_key.empty() && t.api_secret.empty() && t.auth_token.empty())
        throw config_error("Twilio API key given without its secret: set TWILIO_API_SECRET or "
                           "--api-secret-file");
    if (!t.uses_api_key() && t.auth_token.empty())
        throw config_error(
            "no Twilio credentials configured: set TWILIO_API_KEY and TWILIO_API_SECRET (a Standard "
            "API key), or TWILIO_AUTH_TOKEN");
    if (!valid_media_url(t.base_url) || t.base_url.rfind("ws", 0) == 0)
        throw config_error(fmt::format(
            "malformed Twilio Video base URL \"{}\": expected https://host[:port] ({})",
            hide_userinfo(t.base_url), from("twilio.base_url")));
}

}  // namespace

void require_livekit_url(const Settings& s) {
    if (s.livekit.url.empty())
        throw config_error(
            "no LiveKit URL configured: set LIVEKIT_URL, --url, or [livekit] url in the config file");
    if (!valid_media_url(s.livekit.url)) {
        auto it = s.origins.find("livekit.url");
        throw config_error(fmt::format(
            "malformed LiveKit URL \"{}\": expected http(s):// or ws(s)://host[:port] ({})",
            hide_userinfo(s.livekit.url),
            it == s.origins.end() ? std::string{"default"} : to_string(it->second)));
    }
}

void require_media_server(const Settings& s) {
    auto from = [&](const char* key) {
        auto it = s.origins.find(key);
        return it == s.origins.end() ? std::string{"default"} : to_string(it->second);
    };
    if (s.provider == "twilio") return require_twilio(s, from);
    require_livekit_url(s);
    if (s.livekit.api_key.empty())
        throw config_error(
            "no LiveKit API key configured: set LIVEKIT_API_KEY, --api-key, or [livekit] api_key "
            "in the config file");
    if (s.livekit.api_secret.empty())
        throw config_error(
            "no LiveKit API secret configured: set LIVEKIT_API_SECRET or LIVEKIT_API_SECRET_FILE, "
            "--api-secret-file, or [livekit] api_secret_file in the config file");
}

void require_database(const Settings& s) {
    if (s.database_url.empty())
        throw config_error(
            "no database configured: set ROOMCTL_DATABASE_URL or DATABASE_URL (or libpq's PGHOST/"
            "PGDATABASE), or [database] url in the config file");
}

std::vector<SettingLine> describe_settings(const Settings& s) {
    std::vector<SettingLine> lines;
    auto line = [&](const std::string& key, const std::string& value) {
        auto it = s.origins.find(key);
        const Origin origin = it == s.origins.end() ? Origin{} : it->second;
        lines.push_back(SettingLine{key, value, to_string(origin.source), origin.detail});
    };
    line("profile", s.profile);
    line("provider", s.provider);
    line("livekit.url", hide_userinfo(s.livekit.url));
    line("livekit.api_key", s.livekit.api_key);
    line("livekit.api_secret", redact_secret(s.livekit.api_secret));
    line("twilio.account_sid", s.twilio.account_sid);
    line("twilio.api_key", s.twilio.api_key);
    line("twilio.api_secret", redact_secret(s.twilio.api_secret));
    line("twilio.auth_token", redact_secret(s.twilio.auth_token));
    line("twilio.base_url", hide_userinfo(s.twilio.base_url));
    line("database.url", redact_database_url(s.database_url));
    line("database.lock_timeout", show_timeout(s.database_lock_timeout));
    line("database.statement_timeout", show_timeout(s.database_statement_timeout));
    line("rooms.table", s.rooms.table);
    line("rooms.name_column", s.rooms.name_column);
    line("rooms.sid_column", s.rooms.sid_column);
    line("rooms.status_column", s.rooms.status_column);
    line("rooms.live_statuses", fmt::format("{}", fmt::join(s.rooms.live_statuses, ", ")));
    line("rooms.ended_statuses", fmt::format("{}", fmt::join(s.rooms.ended_statuses, ", ")));
    line("rooms.room_name_template", s.rooms.room_name_template);
    line("rooms.session_column", s.rooms.session_column);
    line("request_timeout", show_timeout(s.request_timeout));
    line("ca_file", s.ca_file);
    line("recreate.empty_timeout", format_duration(std::chrono::seconds{s.empty_timeout}));
    line("recreate.departure_timeout", format_duration(std::chrono::seconds{s.departure_timeout}));
    line("cleanup.min_age", format_duration(s.min_age));
    line("cleanup.keep", fmt::format("{}", fmt::join(s.keep, ", ")));
    line("cleanup.max_deletes", std::to_string(s.max_deletes));
    return lines;
}

std::vector<std::string> describe(const Settings& s) {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("config_file = {}", s.config_path.empty() ? "(none)" : s.config_path));
    for (const auto& l : describe_settings(s)) {
        const std::string origin = l.detail.empty() ? l.source : l.source + " " + l.detail;
        lines.push_back(fmt::format("{} = {} ({})", l.key, l.value.empty() ? "(not set)" : l.value,
                                    origin));
    }
    return lines;
}

std::string api_url(const LiveKitSettings& lk) {
    std::string url = lk.url;
    std::size_t keep = 0;  // never strip into "scheme://"
    if (const auto sep = url.find("://"); sep != std::string::npos) {
        const auto scheme = lower(std::string_view{url}.substr(0, sep));
        const std::string mapped = scheme == "ws" ? "http" : scheme == "wss" ? "https" : scheme;
        url = mapped + url.substr(sep);
        keep = mapped.size() + 3;
    }
    while (url.size() > keep && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace roomctl::config
