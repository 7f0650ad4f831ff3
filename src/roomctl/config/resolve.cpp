// Layering: flag > environment > config file (profile over top level) > default, walking the
// registry, with the origin of every value; then the rules the registry cannot express
// (settings.hpp lists them) and the checks that do not depend on the command being run.

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "roomctl/config/external_profiles.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"

extern char** environ;

namespace roomctl::config {

namespace {

using namespace detail;
namespace fs = std::filesystem;

// One run of resolve_settings: its inputs and the settings being filled.
class Resolver {
public:
    Resolver(const FlagValues& flags, const Env& env) : m_flags(flags), m_env(env) {
        // Flags first: a malformed one is a usage error (exit 2), whatever else is wrong.
        for (const auto& spec : settings_registry()) {
            if (spec.flag.empty()) continue;
            if (const auto* text = flags.get(spec.flag))
                m_flag_values.emplace(spec.key, parse_text(spec, *text, spec.flag, true));
        }
    }

    Settings run() {
        resolve(*find_setting("profile"));
        read_file();
        for (const auto& spec : settings_registry()) {
            if (spec.key == "config_file" || spec.key == "profile") continue;
            resolve(spec);
            // The room mapping's defaults depend on the provider: a breakout_rooms table with a
            // boolean is_active for Twilio (twilio_default_mapping).
            if (spec.kind == Kind::provider && m_s.provider == Provider::twilio)
                m_s.rooms = twilio_default_mapping();
        }
        pg_variables_fallback();
        // Values the profile decided: "file /path [profiles.staging]".
        for (const auto& key : m_file.profile_keys) {
            auto it = m_s.origins.find(key);
            if (it != m_s.origins.end() && it->second.source == Source::file)
                it->second.detail = m_file.profile_detail;
        }
        note_database_url_conflict();
        validate();
        return std::move(m_s);
    }

private:
    // Sets the entry from its highest layer that has a value, and records the origin.
    void resolve(const SettingSpec& spec) {
        const std::string key{spec.key};
        auto take = [&](Value v, Origin o) {
            if (spec.kind == Kind::provider) require_provider(std::get<std::string>(v), o);
            spec.set(m_s, v);
            m_s.origins[key] = std::move(o);
        };
        // --url, --api-key and --api-secret-file address the selected provider.
        if (auto it = m_flag_values.find(key);
            it != m_flag_values.end() && (!spec.flag_for || *spec.flag_for == m_s.provider)) {
            const std::string flag{spec.flag};
            if (spec.flag_names_file)
                return take(secret_from_file(spec, std::get<std::string>(it->second), flag),
                            {Source::flag, flag});
            return take(it->second, {Source::flag, flag});
        }
        for (const auto& var : spec.env) {
            const auto* text = env_value(m_env, var.name);
            if (text == nullptr) continue;
            const std::string name{var.name};
            if (var.names_file)
                return take(secret_from_file(spec, *text, name), {Source::env, name});
            return take(parse_text(spec, *text, var.name, false), {Source::env, name});
        }
        if (auto it = m_file.values.find(key); it != m_file.values.end()) {
            if (it->second.names_file)
                return take(secret_from_file(spec, std::get<std::string>(it->second.value),
                                             fmt::format("{} in {}", spec.toml_file, m_file.path)),
                            {Source::file, m_file.path});
            return take(it->second.value, {Source::file, m_file.path});
        }
        m_s.origins[key] = Origin{};
    }

    // A secret file is read only for the provider in use: an unreadable [twilio]
    // api_secret_file must not break LiveKit commands, nor the other way round. For the other
    // provider the origin is kept and config show says the file was not read.
    Value secret_from_file(const SettingSpec& spec, const std::string& path,
                           const std::string& from) {
        if (spec.credential_of && *spec.credential_of != m_s.provider) {
            m_s.unread_secret_files[std::string{spec.key}] = path;
            return std::string{};
        }
        return read_secret_file(path, from, m_s.warnings);
    }

    void require_provider(const std::string& name, const Origin& o) {
        if (!parse_provider(name))
            throw config_error(
                fmt::format("unknown provider \"{}\" ({}): expected \"livekit\" or \"twilio\"",
                            name, to_string(o)));
    }

    void read_file() {
        // Another tool's profile ("lk:NAME") goes over the config file's top level.
        const bool external = is_external_profile(m_s.profile);
        if (auto path = config_file_path(m_flags, m_env)) {
            m_file = read_config_file(*path, external ? std::string{} : m_s.profile,
                                      to_string(m_s.origins["profile"]));
            m_s.config_path = *path;
            std::error_code ec;
            const auto perms = fs::status(*path, ec).permissions();
            if (!ec && m_file.holds_secret &&
                (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
                m_s.warnings.push_back(fmt::format(
                    "config file {} is readable by others and holds a secret; chmod 600 {}", *path,
                    *path));
        } else if (!m_s.profile.empty() && !external) {
            throw config_error(fmt::format(
                "profile \"{}\" ({}) needs a config file, and there is none: name one with "
                "--config or ROOMCTL_CONFIG, or create $XDG_CONFIG_HOME/roomctl/config.toml",
                m_s.profile, to_string(m_s.origins["profile"])));
        }
        if (external) apply_external_profile(m_file, m_s.profile, m_env, m_s.warnings);
    }

    // libpq's own variables are enough on their own: "postgresql://" means "all defaults",
    // which libpq fills from PGHOST, PGDATABASE, PGUSER, PGSERVICE, ...
    void pg_variables_fallback() {
        if (!m_s.database_url.empty()) return;
        for (const char* var : {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"}) {
            if (env_value(m_env, var)) {
                m_s.database_url = "postgresql://";
                m_s.origins["database.url"] = Origin{Source::env, "PG* variables"};
                return;
            }
        }
    }

    // A dev shell exports DATABASE_URL for its own database; the operator then names the prod
    // config (--config /etc/roomctl.toml --profile prod) and expects its [database] url. The
    // documented precedence lets the environment win, so say so: read-only commands warn,
    // --apply refuses (the command layer reads Settings::database_url_conflict). Only the
    // generic DATABASE_URL counts: --database-url and ROOMCTL_DATABASE_URL name roomctl's
    // database on purpose, and a config file found by the XDG default was not named by anyone.
    void note_database_url_conflict() {
        const auto& config = *find_setting("config_file");
        bool config_named = m_flags.values.count(config.flag) > 0;
        for (const auto& var : config.env) config_named |= env_value(m_env, var.name) != nullptr;
        const bool profile_named = m_s.origins["profile"].source != Source::default_value;
        if (!config_named && !profile_named) return;
        const auto& origin = m_s.origins["database.url"];
        if (origin.source != Source::env || origin.detail != "DATABASE_URL") return;
        auto it = m_file.values.find("database.url");
        if (it == m_file.values.end()) return;
        const auto& file_url = std::get<std::string>(it->second.value);
        if (file_url.empty() || file_url == m_s.database_url) return;
        const bool from_profile = m_file.profile_keys.count("database.url") > 0;
        m_s.database_url_conflict = fmt::format(
            "DATABASE_URL from the environment overrides [database] url of {}{}; unset "
            "DATABASE_URL or pass --database-url to choose",
            m_file.path, from_profile ? " " + profile_section(m_file.profile) : std::string{});
        m_s.warnings.push_back(m_s.database_url_conflict);
    }

    // Validation of what does not depend on the command being run.
    void validate() {
        auto& s = m_s;
        for (const auto& spec : settings_registry()) {
            if (!spec.required) continue;
            const std::string key{spec.key};
            const Value v = spec.get(s);
            const auto* text = std::get_if<std::string>(&v);
            if (text != nullptr && text->empty())
                throw config_error(
                    fmt::format("{} must not be empty ({})", key, to_string(s.origins[key])));
        }
        try {
            parse_room_template(s.rooms);
        } catch (const Error& e) {
            throw config_error(
                fmt::format("{} ({})", e.what(), to_string(s.origins["rooms.room_name_template"])));
        }
        validate_liveness_source();
        if (s.rooms.live_statuses.empty())
            throw config_error(fmt::format("rooms.live_statuses must list at least one status ({})",
                                           to_string(s.origins["rooms.live_statuses"])));
        require_disjoint_statuses();
        if (s.request_timeout.count() <= 0)
            throw config_error(fmt::format("request_timeout must be positive ({})",
                                           to_string(s.origins["request_timeout"])));
        if (s.min_age.count() < 0)
            throw config_error(fmt::format("cleanup.min_age must not be negative ({})",
                                           to_string(s.origins["cleanup.min_age"])));
    }

    // One liveness source at a time, and live_when one expression: it is placed into SQL as
    // written, so a ';' or a comment could end it early or hide the rest of the statement.
    void validate_liveness_source() {
        auto& s = m_s;
        const auto& expr = s.rooms.live_when;
        if (!expr.empty() && !s.rooms.session_table.empty())
            throw config_error(fmt::format(
                "rooms.live_when ({}) and rooms.session_table ({}) both decide liveness: keep "
                "one of them",
                to_string(s.origins["rooms.live_when"]),
                to_string(s.origins["rooms.session_table"])));
        if (expr.find(';') != std::string::npos || expr.find("--") != std::string::npos ||
            expr.find("/*") != std::string::npos)
            throw config_error(fmt::format(
                "rooms.live_when must be one SQL expression without ';' or comments ({})",
                to_string(s.origins["rooms.live_when"])));
        if (!expr.empty() && expr.find_first_not_of(" \t\r\n") == std::string::npos)
            throw config_error(fmt::format("rooms.live_when is blank ({})",
                                           to_string(s.origins["rooms.live_when"])));
    }

    // A status word in both lists would make a row both live and ended: the store compares
    // case-insensitively, so "Active" in one list and "active" in the other collide too.
    void require_disjoint_statuses() {
        auto& s = m_s;
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

    const FlagValues& m_flags;
    const Env& m_env;
    std::map<std::string, Value, std::less<>> m_flag_values;  // settings key -> parsed flag
    FileLayer m_file;
    Settings m_s;
};

}  // namespace

std::string to_string(Source s) {
    switch (s) {
        case Source::default_value:
            return "default";
        case Source::file:
            return "file";
        case Source::env:
            return "env";
        case Source::flag:
            return "flag";
    }
    return "unknown";
}

std::string to_string(const Origin& o) {
    if (o.detail.empty()) return to_string(o.source);
    return fmt::format("{} {}", to_string(o.source), o.detail);
}

bool is_set(const Settings& s, const std::string& key) {
    const auto it = s.origins.find(key);
    return it != s.origins.end() && it->second.source != Source::default_value;
}

Settings resolve_settings(const FlagValues& flags, const Env& env) {
    return Resolver{flags, env}.run();
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

}  // namespace roomctl::config
