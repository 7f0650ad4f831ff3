#pragma once
// Internal to src/roomctl/config/ (not part of roomctl's API): what the files implementing
// settings.hpp share. file_layer.cpp reads the config file, resolve.cpp layers flags, the
// environment and the file, requirements.cpp checks what commands need, describe.cpp shows it.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::config::detail {

using Env = std::map<std::string, std::string>;

// An environment value, or nullptr when the variable is unset or empty.
const std::string* env_value(const Env& env, std::string_view name);
using text::lower;

// One setting's value in the config file.
struct FileValue {
    Value value;
    // The value is the path of a file holding the setting (SettingSpec::toml_file), already
    // resolved against the config file's directory; resolution reads it only when needed.
    bool names_file = false;
};

// Values found in the config file: the top level with the selected profile over it.
struct FileLayer {
    std::string path;
    std::string profile;                 // the [profiles.NAME] read over the top level, or ""
    std::set<std::string> profile_keys;  // settings keys ("livekit.url") the profile set
    // Where the profile's values came from, for their origin: "/path [profiles.staging]", or
    // another tool's file "~/.livekit/cli-config.yaml [lk:staging]" (external_profiles.hpp).
    std::string profile_detail;
    bool holds_secret = false;                // an inline secret anywhere in the file (any profile)
    std::map<std::string, FileValue> values;  // settings key -> value; absent: not in the file
};

// Reads `path` (TOML) and, when `profile` is non-empty, its [profiles.NAME] over the top level;
// `from` names who chose the profile, for messages. Throws Error(config) naming the file, key
// and line that are wrong. (file_layer.cpp documents the rules for unknown keys.)
FileLayer read_config_file(const std::string& path, const std::string& profile,
                           const std::string& from);

// Reads another tool's profile (external_profiles.hpp) over `f`: its values replace the
// credential set of its provider, as a [profiles.NAME] does. Warns in `warnings` when the
// file holds a secret and is readable by others.
void apply_external_profile(FileLayer& f, const std::string& profile, const Env& env,
                            std::vector<std::string>& warnings);

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

}  // namespace roomctl::config::detail
