#pragma once
// The one table of roomctl's settings. Each entry says how a setting is named (its key in
// `config show` and Settings::origins), which flag and environment variables set it, where it
// sits in the config file, how its value is parsed and printed, whether it is a secret, and
// one line of help. Resolution (resolve.cpp), the config file reader (file_layer.cpp),
// `config show` (describe.cpp), the global flags (commands/app.cpp), completion and the man
// page all walk this table; adding an ordinary setting is one entry here plus its field in
// Settings.
//
// What the table does not express stays code, fed by the table (settings.hpp lists the
// rules): the credential layers, a profile replacing a provider's credential set
// (credential_of), secret files read only for the provider in use (credential_of), file
// permissions, plain http to remote hosts, the DATABASE_URL conflict, libpq's PG* fallback,
// and the checks across settings (status lists disjoint, {name} in the room-name template).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roomctl/config/provider.hpp"

namespace roomctl::config {

struct Settings;

// How a value is written, checked and printed.
enum class Kind {
    text,             // a string
    url,              // a string; printed with any userinfo hidden
    database_url,     // libpq URI or conninfo; printed with its password hidden
    path,             // a file name; in the config file relative to the file's directory
    provider,         // "livekit" or "twilio"
    list,             // a list of strings (config file only)
    request_timeout,  // a duration of at least 1 s: "10s", or whole seconds in the file
    db_timeout,       // a duration from 1 s to 24 h (config file only)
    seconds,          // a duration, 0 allowed: "10m", or whole seconds in the file
    count,            // a whole number from 0 to SettingSpec::max
};

// A value in the form its Kind takes: text kinds and path -> string, list -> vector,
// durations -> milliseconds (whole seconds for Kind::seconds), count -> int64.
using Value =
    std::variant<std::string, std::vector<std::string>, std::chrono::milliseconds, std::int64_t>;

struct EnvVar {
    std::string_view name;
    bool names_file = false;  // the variable names a file holding the (secret) value
};

struct SettingSpec {
    std::string_view key;  // "livekit.url"
    Kind kind = Kind::text;
    std::string_view help;  // one line, for people: the man page, `config show --help`
    // The global flag that sets it ("--url"), or empty. Two entries may share a flag when
    // flag_for tells them apart (--url is the LiveKit URL or the Twilio base URL).
    std::string_view flag;
    std::optional<Provider> flag_for;  // the flag sets this entry only for this provider
    // --help text of the flag; empty on the second entry sharing a flag (registered once).
    std::string_view flag_help;
    bool flag_names_file = false;  // the flag's value is a file holding the secret
    std::vector<EnvVar> env;       // highest priority first
    std::string_view toml;         // path in the config file ("http.timeout"), or empty
    // A config file key naming a file that holds the value ("livekit.api_secret_file");
    // within one layer of the file it wins over `toml`. Relative to the config file.
    std::string_view toml_file;
    bool secret = false;    // never printed: config show says "********"
    bool relative = false;  // `toml` is a path relative to the config file's directory
    // Part of this provider's credential set: a profile that sets any of the set replaces
    // all of it, and its secret files are read only when this provider is in use.
    std::optional<Provider> credential_of;
    bool required = false;  // resolution refuses an empty value, from any layer
    bool listed = true;     // a line of config show (config_file is its header instead)
    std::int64_t max = 0;   // Kind::count: the largest value accepted
    Value (*get)(const Settings&) = nullptr;
    void (*set)(Settings&, const Value&) = nullptr;  // the value has the form of `kind`
};

// Every setting, in the order `config show` lists them (and resolution decides them).
const std::vector<SettingSpec>& settings_registry();

// The entry with `key`, or nullptr.
const SettingSpec* find_setting(std::string_view key);

// Global flags that name a file (their values complete as file names).
std::vector<std::string> path_flags();

// A flag's or environment variable's text as a value of `spec` (`from` is "--timeout" or
// "LIVEKIT_URL", for messages). Durations take parse_duration's forms ("10s", "1h30m") and need a
// unit ("600" is refused with "did you mean 600m?"; only the config file reads it as seconds).
// Throws Error(usage) when `is_flag`, else Error(config), naming `from` and the value.
Value parse_text(const SettingSpec& spec, std::string_view text, std::string_view from,
                 bool is_flag);

// Whether any text is a value of this kind (parse_text cannot fail): the string kinds.
bool is_textual(Kind kind);

// The value of `spec` in `s` as config show prints it: secrets "********" (empty when not
// set), URLs without userinfo, database URLs without passwords, lists joined by ", ",
// durations as "10m" (or "1500ms").
std::string show_value(const SettingSpec& spec, const Settings& s);

// A per-command flag standing for a setting (`recreate --empty-timeout` for
// recreate.empty_timeout): when `text` is non-empty it is parsed as `key`'s value, set in `s`
// and recorded as the key's origin ("flag --empty-timeout"). Throws Error(usage) naming `flag`
// for a malformed value; an unknown key is a programming error (std::out_of_range).
void apply_command_flag(Settings& s, std::string_view key, std::string_view flag,
                        std::string_view text);

}  // namespace roomctl::config
