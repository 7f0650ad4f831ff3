#pragma once
// `roomctl config show`: the effective settings and where each came from, secrets redacted
// (config::describe_settings does the redaction; nothing here sees a raw secret value).

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/config/config_write.hpp"
#include "roomctl/config/external_profiles.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"schema_version": 1, "command": "config show", "config_file": path|null,
//  "profile": name|null, "settings": [{"key", "value" (null when not set), "source", "detail"}]}
nlohmann::json config_json(const config::Settings& s);

// "config file: /path" (and "profile: NAME"), then a KEY/VALUE/SOURCE table. With
// TableFormat::tsv, the table alone (style.headers: its header row).
std::string render_config(const config::Settings& s, const TextStyle& style = {});

// `roomctl config profiles`: the config file's profiles (from `path`, empty when there is no
// file) and the other tools' read-only ones. {"profiles": [{"name", "file", "read_only",
// "provider", ...}]}; no secret appears (an external profile says only where its comes from).
nlohmann::json profiles_json(const std::string& path, const std::vector<config::FileProfile>& own,
                             const std::vector<config::ExternalProfile>& external);
std::string render_profiles(const std::string& path, const std::vector<config::FileProfile>& own,
                            const std::vector<config::ExternalProfile>& external);

}  // namespace roomctl::report
