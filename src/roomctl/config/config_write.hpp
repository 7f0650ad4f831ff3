#pragma once
// Writing roomctl's config file (`config init`, `config set`). The rules that protect what is
// written:
// - A file roomctl writes is mode 0600; a directory it creates for it is 0700 (the file may
//   hold a database password, and file_layer refuses files others could write).
// - An existing file is never replaced unless the caller says so (`config init --force`).
// - A file is never lost half-written: the content goes to a temporary file in the same
//   directory (O_EXCL, 0600), is fsync()ed, then renamed over the target; the directory is
//   fsync()ed after the rename.
// - `config set` validates a value with the registry's parser before anything is written, and
//   refuses secrets given as a value (the command line is visible in ps and shell history).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/config/settings.hpp"

namespace roomctl::config {

// The user config file: $XDG_CONFIG_HOME/roomctl/config.toml (when absolute), else
// $HOME/.config/roomctl/config.toml. Throws Error(config) when neither variable is set.
std::string default_config_path(const std::map<std::string, std::string>& env);

// The config file resolution would read (--config, ROOMCTL_CONFIG, else the user file when it
// exists), or nullopt. Throws Error(config) as resolve_settings does for an explicitly named
// file that does not exist.
std::optional<std::string> find_config_file(const FlagValues& flags,
                                            const std::map<std::string, std::string>& env);

// The file `config set` and `config init` write: --config, else ROOMCTL_CONFIG, else
// default_config_path. It need not exist.
std::string target_config_path(const FlagValues& flags,
                               const std::map<std::string, std::string>& env);

// Writes `content` to `path` (see the rules above): creates missing parent directories with
// mode 0700, refuses an existing `path` unless `overwrite`, and leaves no temporary file
// behind on failure. Throws Error(config) naming the path and the fix (never the content):
// "already exists (use --force)", a directory that cannot be created, a write that failed.
void write_private_file(const std::string& path, std::string_view content, bool overwrite);

// The [profiles.NAME] tables of the TOML file `path`, in file order: the name and the
// provider the profile sets ("" when it sets none). Throws Error(config) when the file is not
// valid TOML.
struct FileProfile {
    std::string name;
    std::string provider;
};
std::vector<FileProfile> config_file_profiles(const std::string& path);

// The TOML text `existing` (empty: a new file) with one setting set. `key` is a settings key
// with a config file place ("livekit.url", "rooms.table") or a *_file key
// ("livekit.api_secret_file"); `profile`, when non-empty, puts it under [profiles.NAME].
// The value is parsed as the registry's kind (durations need a unit, counts are whole
// numbers, the provider is livekit or twilio); paths are made absolute against the current
// directory. Other keys are kept; comments and the original formatting are NOT (toml++
// writes the table anew). Throws Error(usage) for an unknown key, a malformed value or a
// secret given as a value (naming the *_file key or variable to use instead, never the
// value), Error(config) when `existing` is not valid TOML (`path` names it).
std::string set_config_value(const std::string& existing, const std::string& path,
                             std::string_view key, std::string_view value,
                             const std::string& profile);

// `config set`: reads the TOML file `path` (a missing file counts as empty), sets one key as
// set_config_value does, and writes it back with write_private_file (0600, atomically).
// Throws what those throw, and Error(config) naming the path when it exists but cannot be
// read: a file roomctl cannot read is never replaced by one holding only the new key.
void set_config_file(const std::string& path, std::string_view key, std::string_view value,
                     const std::string& profile);

// The config file keys `config set` accepts, for help and completion: every settings key
// with a config file place, and every *_file key.
std::vector<std::string> settable_keys();

}  // namespace roomctl::config
