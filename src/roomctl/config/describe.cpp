// describe_settings / describe: the effective settings for `config show` and diagnostics,
// one line per registry entry, secrets redacted (show_value).

#include <fmt/format.h>

#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"

namespace roomctl::config {

std::vector<SettingLine> describe_settings(const Settings& s) {
    std::vector<SettingLine> lines;
    for (const auto& spec : settings_registry()) {
        if (!spec.listed) continue;
        const std::string key{spec.key};
        auto it = s.origins.find(key);
        const Origin origin = it == s.origins.end() ? Origin{} : it->second;
        // A secret file of the provider not in use was not opened: say so rather than "not set".
        const auto unread = s.unread_secret_files.find(key);
        const std::string shown = unread == s.unread_secret_files.end()
                                      ? show_value(spec, s)
                                      : fmt::format("(file {} not read: provider is {})",
                                                    unread->second, to_string(s.provider));
        lines.push_back(SettingLine{key, shown, to_string(origin.source), origin.detail});
    }
    return lines;
}

std::vector<std::string> describe(const Settings& s) {
    std::vector<std::string> lines;
    lines.push_back(
        fmt::format("config_file = {}", s.config_path.empty() ? "(none)" : s.config_path));
    for (const auto& l : describe_settings(s)) {
        const std::string origin = l.detail.empty() ? l.source : l.source + " " + l.detail;
        lines.push_back(
            fmt::format("{} = {} ({})", l.key, l.value.empty() ? "(not set)" : l.value, origin));
    }
    return lines;
}

}  // namespace roomctl::config
