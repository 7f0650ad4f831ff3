// Reading the config file: TOML, the tables and keys roomctl knows, profiles, and whether the
// file holds a secret inline (for the permission warning). Secret files: secret_files.cpp.

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
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
    const std::string& no_nul(const std::string& v, std::string_view key,
                              const toml::node& n) const {
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
                // The file keeps reading "600" as seconds, as it always did (README).
                return parse_duration(s->get(), BareNumber::seconds);
            } catch (const Error& e) {
                throw config_error(fmt::format("{} in {}: {}", key, where(n), e.what()));
            }
        }
        fail(fmt::format("{} must be a duration such as \"10m\" or a whole number of seconds", key),
             n);
    }

    // A database timeout: like seconds(), but at least 1 s and at most a day (PostgreSQL
    // counts it in int milliseconds; 0 there would mean "wait forever", which is the hang
    // these settings exist to prevent).
    std::chrono::milliseconds timeout(const toml::node& n, std::string_view key) const {
        const auto s = seconds(n, key);
        if (s.count() <= 0)
            fail(fmt::format("{} must be positive (0 would mean no timeout), e.g. \"5s\"", key), n);
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

// Tables whose unknown keys are ignored (see read_config_file): they name future features.
bool open_table(std::string_view table) { return table == "recreate" || table == "cleanup"; }

// The node at a dotted path ("livekit.api_secret_file") of `t`, or nullptr.
const toml::node* node_at(const toml::table& t, std::string_view dotted) {
    const toml::table* cur = &t;
    for (;;) {
        const auto dot = dotted.find('.');
        const toml::node* n = cur->get(dotted.substr(0, dot));
        if (n == nullptr || dot == std::string_view::npos) return n;
        cur = n->as_table();
        if (cur == nullptr) return nullptr;
        dotted.remove_prefix(dot + 1);
    }
}

// The entry a config file key ("http.timeout", "livekit.api_secret_file") belongs to; *file
// says whether it is the entry's toml_file key.
const SettingSpec* spec_of_key(std::string_view dotted, bool* file) {
    for (const auto& spec : settings_registry()) {
        if (!spec.toml.empty() && spec.toml == dotted) {
            *file = false;
            return &spec;
        }
        if (!spec.toml_file.empty() && spec.toml_file == dotted) {
            *file = true;
            return &spec;
        }
    }
    return nullptr;
}

// Whether some entry lives in [table].
bool known_table(std::string_view table) {
    for (const auto& spec : settings_registry()) {
        const auto t = spec.toml.substr(0, spec.toml.find('.'));
        if (spec.toml.find('.') != std::string_view::npos && t == table) return true;
    }
    return open_table(table);
}

// One value of the file as the entry's kind demands; `dotted` names it in messages.
FileValue read_value(const FileReader& r, const SettingSpec& spec, const toml::node& n,
                     const std::string& dotted, bool names_file) {
    if (names_file) {
        // Only the path: the file is read when resolution needs it (resolve.cpp).
        auto v = *r.string(n, dotted);
        if (v.empty()) r.fail(fmt::format("{} must not be empty", dotted), n);
        return {resolve_against(r.path(), v), true};
    }
    switch (spec.kind) {
        case Kind::text:
        case Kind::url:
        case Kind::database_url:
        case Kind::provider:
            return {*r.string(n, dotted)};
        case Kind::path: {
            auto v = *r.string(n, dotted);
            return {v.empty() || !spec.relative ? v : resolve_against(r.path(), v)};
        }
        case Kind::list:
            return {r.string_list(n, dotted)};
        case Kind::request_timeout: {
            auto s = r.seconds(n, dotted);
            if (s.count() == 0) r.fail(fmt::format("{} must be positive", dotted), n);
            return {std::chrono::duration_cast<std::chrono::milliseconds>(s)};
        }
        case Kind::db_timeout:
            return {r.timeout(n, dotted)};
        case Kind::seconds:
            return {std::chrono::duration_cast<std::chrono::milliseconds>(r.seconds(n, dotted))};
        case Kind::count: {
            const auto* i = n.as_integer();
            if (i == nullptr || i->get() < 0 || i->get() > spec.max)
                r.fail(fmt::format("{} must be a whole number from 0 to {}", dotted, spec.max), n);
            return {static_cast<std::int64_t>(i->get())};
        }
    }
    r.fail(fmt::format("{} has a kind roomctl cannot read", dotted), n);
}

}  // namespace

// "[profiles.staging]"; names that are not bare TOML keys are quoted.
std::string profile_section(const std::string& name) {
    const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_' || c == '-';
    });
    return bare ? fmt::format("[profiles.{}]", name) : fmt::format("[profiles.\"{}\"]", name);
}

namespace {

// Whether a top-level or profile table holds a secret inline: a secret entry's own key
// (livekit.api_secret, twilio.api_secret, twilio.auth_token), or a database URL with a
// password (the *_file keys point elsewhere and do not count).
bool holds_inline_secret(const toml::table& t) {
    for (const auto& spec : settings_registry()) {
        if (spec.toml.empty() || (!spec.secret && spec.kind != Kind::database_url)) continue;
        const auto* n = node_at(t, spec.toml);
        const std::string v = n != nullptr ? n->value_or(std::string{}) : std::string{};
        if (v.empty()) continue;
        if (spec.secret) return true;
        if (!database_url_secrets(v).empty() || redact_database_url(v) != v) return true;
    }
    return false;
}

// The settings keys (Settings::origins) that the keys of a profile's subtree decide.
std::set<std::string> settings_keys_of(const toml::table& profile) {
    std::set<std::string> out;
    for (const auto& spec : settings_registry()) {
        if ((!spec.toml.empty() && node_at(profile, spec.toml) != nullptr) ||
            (!spec.toml_file.empty() && node_at(profile, spec.toml_file) != nullptr))
            out.emplace(spec.key);
    }
    return out;
}

// Credentials come from one place: a profile that sets any credential of a provider replaces
// that provider's whole credential set, so prod's account never runs with staging's key
// (settings.hpp states the rule). Drops from `f` the top level's credentials of every
// provider whose credentials `profile` sets.
void drop_replaced_credentials(const toml::table& profile, FileLayer& f) {
    for (const auto provider : {Provider::livekit, Provider::twilio}) {
        bool sets_any = false;
        for (const auto& spec : settings_registry()) {
            if (spec.credential_of != provider) continue;
            sets_any |= (!spec.toml.empty() && node_at(profile, spec.toml) != nullptr) ||
                        (!spec.toml_file.empty() && node_at(profile, spec.toml_file) != nullptr);
        }
        if (!sets_any) continue;
        for (const auto& spec : settings_registry())
            if (spec.credential_of == provider) f.values.erase(std::string{spec.key});
    }
}

}  // namespace

// Unknown keys: inside the tables roomctl owns completely ([livekit], [twilio], [database],
// [rooms], [http]) an unknown key is almost always a typo ("api_secert_file") that would
// otherwise be silently ignored, so it is an error. Unknown top-level *tables* are ignored,
// and so are unknown keys in [recreate] and [cleanup]: those name future features (more
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
        throw config_error(fmt::format("unknown profile \"{}\" ({}): {} {}", profile, from, path,
                                       names.empty()
                                           ? std::string{"defines no [profiles.NAME] sections"}
                                           : fmt::format("defines {}", fmt::join(names, ", "))));
    }
    const std::string section = profile_section(profile);
    FileReader pr{path, section};
    const auto& table = pr.table(*selected, "profiles." + profile);
    drop_replaced_credentials(table, f);
    read_layer(pr, table, f);
    f.profile = profile;
    f.profile_keys = settings_keys_of(table);
    f.profile_detail = path + " " + section;
    return f;
}

namespace {

// Reads the keys the registry knows from `root`: the top level of the file, or the subtree of
// a profile (then `r` names the profile in messages). Within one layer an entry's *_file key
// wins over its inline key; the layer's values replace those of the layer read before it.
void read_layer(const FileReader& r, const toml::table& root, FileLayer& f) {
    std::map<std::string, FileValue> layer;
    auto keep = [&](const SettingSpec& spec, FileValue v) {
        auto [it, added] = layer.try_emplace(std::string{spec.key}, v);
        if (!added && (v.names_file || !it->second.names_file)) it->second = std::move(v);
    };
    for (const auto& [k, node] : root) {
        const std::string key{k.str()};
        bool file = false;
        if (key == "profiles") {
            if (r.in_profile()) r.fail("profiles cannot be nested", node);
            for (const auto& [name, p] : r.table(node, key))
                r.table(p, fmt::format("profiles.{}", name.str()));  // read when selected
        } else if (known_table(key)) {
            for (const auto& [k2, n2] : r.table(node, key)) {
                const std::string dotted = fmt::format("{}.{}", key, k2.str());
                if (const auto* spec = spec_of_key(dotted, &file))
                    keep(*spec, read_value(r, *spec, n2, dotted, file));
                else if (!open_table(key))
                    r.unknown(dotted, n2);
                // other keys of an open table: future features, ignored (see above)
            }
        } else if (const auto* spec = spec_of_key(key, &file)) {
            keep(*spec, read_value(r, *spec, node, key, file));
        } else if (node.is_table()) {
            // unknown top-level table: a future feature; ignored
        } else {
            r.unknown(key, node);
        }
    }
    for (auto& [key, v] : layer) f.values.insert_or_assign(key, std::move(v));
}

}  // namespace

// Which config file to read: --config, else ROOMCTL_CONFIG, else the XDG user file if it
// exists. Explicitly named files must exist. Returns nullopt when there is none.
std::optional<std::string> config_file_path(const FlagValues& flags, const Env& env) {
    auto explicit_file = [](const std::string& p, std::string_view from) {
        if (p.empty())
            throw config_error(fmt::format("{} names no config file (empty path)", from));
        std::error_code ec;
        if (!fs::exists(p, ec))
            throw config_error(fmt::format("config file {} (from {}) does not exist", p, from));
        return p;
    };
    const auto& spec = *find_setting("config_file");
    if (auto it = flags.values.find(spec.flag); it != flags.values.end())
        return explicit_file(it->second, spec.flag);
    for (const auto& var : spec.env)
        if (const auto* p = env_value(env, var.name)) return explicit_file(*p, var.name);

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
