#include "roomctl/report/config_view.hpp"

#include <fmt/format.h>

#include <vector>

#include "roomctl/report/json.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

namespace {

nlohmann::json string_or_null(const std::string& v) {
    return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v);
}

}  // namespace

nlohmann::json config_json(const config::Settings& s) {
    auto doc = envelope("config show");
    doc["config_file"] = string_or_null(s.config_path);
    doc["profile"] = string_or_null(s.profile);
    auto settings = nlohmann::json::array();
    for (const auto& l : config::describe_settings(s)) {
        settings.push_back({{"key", l.key},
                            {"value", string_or_null(l.value)},
                            {"source", l.source},
                            {"detail", l.detail}});
    }
    doc["settings"] = std::move(settings);
    // Credentials from two layers: commands that call the server refuse them (exit 3).
    doc["credential_conflict"] = string_or_null(config::credential_conflict(s));
    return doc;
}

std::string render_config(const config::Settings& s, const TextStyle& style) {
    std::vector<std::vector<Cell>> rows;
    for (const auto& l : config::describe_settings(s)) {
        rows.push_back({l.key, l.value.empty() ? "(not set)" : l.value,
                        l.detail.empty() ? l.source : l.source + " " + l.detail});
    }
    const std::vector<std::string> header{"setting", "value", "source"};
    if (style.format == TableFormat::tsv) return render_table(style, header, rows);
    std::string out =
        fmt::format("config file: {}\n", s.config_path.empty() ? "(none)" : s.config_path);
    if (!s.profile.empty()) out += fmt::format("profile:     {}\n", s.profile);
    out += "\n";
    out += render_table(style, header, rows);
    if (const auto conflict = config::credential_conflict(s); !conflict.empty())
        out += fmt::format("\nrefused: {}\n", conflict);
    return out;
}

}  // namespace roomctl::report
