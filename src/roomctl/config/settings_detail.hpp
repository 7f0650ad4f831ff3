#pragma once
// Internal to src/roomctl/config/ (not part of roomctl's API): what the files implementing
// settings.hpp share. file_layer.cpp reads the config file, settings.cpp layers flags, the
// environment and the file, requirements.cpp checks what commands need, describe.cpp shows it.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/config/settings.hpp"

namespace roomctl::config::detail {

using Env = std::map<std::string, std::string>;

// Flag spellings, used as Origin::detail. The command line must define these names.
inline constexpr std::string_view k_flag_config = "--config";
inline constexpr std::string_view k_flag_provider = "--provider";
inline constexpr std::string_view k_flag_url = "--url";
inline constexpr std::string_view k_flag_api_key = "--api-key";
inline constexpr std::string_view k_flag_api_secret_file = "--api-secret-file";
inline constexpr std::string_view k_flag_database_url = "--database-url";
inline constexpr std::string_view k_flag_table = "--table";
inline constexpr std::string_view k_flag_timeout = "--timeout";
inline constexpr std::string_view k_flag_cacert = "--cacert";

// An environment value, or nullptr when the variable is unset or empty.
const std::string* env_value(const Env& env, std::string_view name);
std::string lower(std::string_view s);

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
    std::optional<std::string> twilio_api_secret_file;  // resolved; read only for provider twilio
    std::optional<std::string> twilio_auth_token;
    std::optional<std::string> twilio_auth_token_file;  // resolved; read only for provider twilio
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

// Reads `path` (TOML) and, when `profile` is non-empty, its [profiles.NAME] over the top level;
// `from` names who chose the profile, for messages. Throws Error(config) naming the file, key
// and line that are wrong. (file_layer.cpp documents the rules for unknown keys.)
FileLayer read_config_file(const std::string& path, const std::string& profile,
                           const std::string& from);

// Which config file to read: --config, else ROOMCTL_CONFIG, else the XDG user file if it
// exists. Explicitly named files must exist (else Error(config)). nullopt when there is none.
std::optional<std::string> config_file_path(const FlagValues& flags, const Env& env);

// Reads a secret file. One final "\n" is the file's line end and is dropped silently; any
// other trailing whitespace (CRLF, a second newline, spaces, tabs) is dropped too, with a
// warning naming the file appended to `warnings` (never silently kept: a server would reject
// the secret). Throws Error(config) naming the path and `from`, never the content, when the
// file is unreadable, a directory, empty, or unsafe (require_private_file).
std::string read_secret_file(const std::string& path, const std::string& from,
                             std::vector<std::string>& warnings);

// Refuses (Error(config), naming the file and the fix) a regular file that someone other than
// the user running roomctl could have written: writable by group or others, or owned by
// another user than the effective user or root. `what` is "config file", "secret file", ...
// Pipes, devices and files that cannot be stat()ed are left to the read that follows.
void require_private_file(const std::string& path, std::string_view what);

// "[profiles.staging]"; names that are not bare TOML keys are quoted.
std::string profile_section(const std::string& name);

// Replaces the userinfo of scheme://user:pw@host with ******** so a URL can be echoed.
std::string hide_userinfo(std::string_view url);
// Minimal check of scheme://host[:port][/path] with scheme http, https, ws or wss.
bool valid_media_url(std::string_view url);

}  // namespace roomctl::config::detail
