#pragma once
// `roomctl config show`: the effective settings and where each came from, secrets redacted
// (config::describe_settings does the redaction; nothing here sees a raw secret value).

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"schema_version": 1, "command": "config show", "config_file": path|null,
//  "profile": name|null, "settings": [{"key", "value" (null when not set), "source", "detail"}]}
nlohmann::json config_json(const config::Settings& s);

// "config file: /path" (and "profile: NAME"), then a KEY/VALUE/SOURCE table. With
// TableFormat::tsv, the table alone (style.headers: its header row).
std::string render_config(const config::Settings& s, const TextStyle& style = {});

}  // namespace roomctl::report
