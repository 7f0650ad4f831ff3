// Layering: flag > environment > config file (profile over top level) > default, with the
// origin of every value, and the checks that do not depend on the command being run.

#include "roomctl/config/settings.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <initializer_list>
#include <system_error>

#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"

extern char** environ;

namespace roomctl::config {

namespace {

using namespace detail;
namespace fs = std::filesystem;

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

    // A secret file is read only for the provider in use: an unreadable [twilio]
    // api_secret_file must not break LiveKit commands, nor the other way round. For the other
    // provider the origin is kept and config show says the file was not read.
    auto secret_from_file = [&](const std::string& key, bool used, const std::string& path,
                                const std::string& from) -> std::optional<std::string> {
        if (!used) {
            s.unread_secret_files[key] = path;
            return std::string{};
        }
        return read_secret_file(path, from, s.warnings);
    };

    // The secret: --api-secret-file > LIVEKIT_API_SECRET > LIVEKIT_API_SECRET_FILE >
    // file api_secret_file > file api_secret. Only the winning file is read.
    if (!twilio && flags.api_secret_file) {
        const std::string from{k_flag_api_secret_file};
        s.livekit.api_secret = read_secret_file(*flags.api_secret_file, from, s.warnings);
        s.origins["livekit.api_secret"] = Origin{Source::flag, from};
    } else if (const auto* v = env_value(env, "LIVEKIT_API_SECRET")) {
        s.livekit.api_secret = *v;
        s.origins["livekit.api_secret"] = Origin{Source::env, "LIVEKIT_API_SECRET"};
    } else if (const auto* p = env_value(env, "LIVEKIT_API_SECRET_FILE")) {
        s.livekit.api_secret = *secret_from_file("livekit.api_secret", !twilio, *p,
                                                 "LIVEKIT_API_SECRET_FILE");
        s.origins["livekit.api_secret"] = Origin{Source::env, "LIVEKIT_API_SECRET_FILE"};
    } else if (file.api_secret_file) {
        s.livekit.api_secret =
            *secret_from_file("livekit.api_secret", !twilio, *file.api_secret_file,
                              fmt::format("livekit.api_secret_file in {}", fp));
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
        tw_flag_secret = read_secret_file(*flags.api_secret_file,
                                          std::string{k_flag_api_secret_file}, s.warnings);
    // Within the file's layer a *_file key wins over the inline key, as for LiveKit; only
    // the file that would win is read, and only when the Twilio credentials are needed at all
    // (a higher layer that sets the value leaves it unread).
    auto file_secret = [&](const std::string& key, const std::optional<std::string>& higher1,
                           const std::optional<std::string>& higher2,
                           const std::optional<std::string>& path,
                           const std::optional<std::string>& inline_value,
                           const char* file_key) -> std::optional<std::string> {
        if (higher1 || higher2 || !path) return inline_value;
        return secret_from_file(key, twilio, *path, fmt::format("twilio.{} in {}", file_key, fp));
    };
    const auto file_tw_secret =
        file_secret("twilio.api_secret", tw_flag_secret, env_tw_secret,
                    file.twilio_api_secret_file, file.twilio_api_secret, "api_secret_file");
    const std::optional<std::string> no_flag;
    const auto file_tw_token =
        file_secret("twilio.auth_token", no_flag, env_tw_token, file.twilio_auth_token_file,
                    file.twilio_auth_token, "auth_token_file");
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
                       {&file_tw_secret, Source::file, fp}});
    pick<std::string>(s, "twilio.auth_token", s.twilio.auth_token,
                      {{&env_tw_token, Source::env, "TWILIO_AUTH_TOKEN"},
                       {&file_tw_token, Source::file, fp}});
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


}  // namespace roomctl::config
