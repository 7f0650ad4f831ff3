// Reading the config file: TOML, the tables and keys roomctl knows, profiles, and whether the
// file holds a secret inline (for the permission warning). Secret files: secret_files.cpp.

#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>


#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"

namespace roomctl::config::detail {

namespace fs = std::filesystem;

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

namespace {

// Largest whole number of seconds accepted anywhere (parse_duration has the same limit).
constexpr std::int64_t k_max_seconds = std::numeric_limits<std::int32_t>::max();

// Resolves a path named in the config file against the config file's directory.
std::string resolve_against(const std::string& config_path, const std::string& p) {
    fs::path path{p};
    if (path.is_absolute()) return p;
    return (fs::path{config_path}.parent_path() / path).lexically_normal().string();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Config file layer

namespace {

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

}  // namespace

// "[profiles.staging]"; names that are not bare TOML keys are quoted.
std::string profile_section(const std::string& name) {
    const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_' || c == '-';
    });
    return bare ? fmt::format("[profiles.{}]", name) : fmt::format("[profiles.\"{}\"]", name);
}

namespace {

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
           (!db.empty() && (!database_url_secrets(db).empty() || redact_database_url(db) != db));
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

}  // namespace

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
    require_private_file(path, "config file");
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
    // Credentials come from one place: a profile that sets any credential of a provider
    // replaces that provider's whole credential set, so prod's account never runs with
    // staging's key (settings.hpp states the rule).
    auto sets_any = [&](const char* provider, std::initializer_list<const char*> keys) {
        const auto* t = table[provider].as_table();
        if (t == nullptr) return false;
        return std::any_of(keys.begin(), keys.end(),
                           [&](const char* k) { return t->contains(k); });
    };
    if (sets_any("livekit", {"api_key", "api_secret", "api_secret_file"})) {
        f.api_key.reset();
        f.api_secret.reset();
        f.api_secret_file.reset();
    }
    if (sets_any("twilio", {"account_sid", "api_key", "api_secret", "api_secret_file",
                            "auth_token", "auth_token_file"})) {
        f.twilio_account_sid.reset();
        f.twilio_api_key.reset();
        f.twilio_api_secret.reset();
        f.twilio_api_secret_file.reset();
        f.twilio_auth_token.reset();
        f.twilio_auth_token_file.reset();
    }
    read_layer(pr, table, f);
    f.profile = profile;
    f.profile_keys = settings_keys_of(table);
    return f;
}

namespace {

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
                // Only the path: the file is read when the provider is Twilio (settings.cpp).
                // n2 by init-capture: clang before 16 cannot capture a structured binding.
                auto secret_file = [&, &n = n2](std::optional<std::string>& field) {
                    auto v = *r.string(n, dotted);
                    if (v.empty()) r.fail(fmt::format("{} must not be empty", dotted), n);
                    field = resolve_against(path, v);
                };
                if (sub == "account_sid") f.twilio_account_sid = r.string(n2, dotted);
                else if (sub == "api_key") f.twilio_api_key = r.string(n2, dotted);
                else if (sub == "api_secret") f.twilio_api_secret = r.string(n2, dotted);
                else if (sub == "api_secret_file") secret_file(f.twilio_api_secret_file);
                else if (sub == "auth_token") f.twilio_auth_token = r.string(n2, dotted);
                else if (sub == "auth_token_file") secret_file(f.twilio_auth_token_file);
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

}  // namespace

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

}  // namespace roomctl::config::detail
