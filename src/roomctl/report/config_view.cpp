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

namespace {

std::string secret_source(const config::ExternalProfile& p) {
    return p.has_secret ? "in the profile" : "TWILIO_API_SECRET or --api-secret-file";
}

}  // namespace

nlohmann::json profiles_json(const std::string& path, const std::vector<config::FileProfile>& own,
                             const std::vector<config::ExternalProfile>& external) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : own) {
        list.push_back(
            {{"name", p.name},
             {"file", path},
             {"read_only", false},
             {"provider", p.provider.empty() ? nlohmann::json{} : nlohmann::json(p.provider)}});
    }
    for (const auto& p : external) {
        list.push_back({{"name", p.name},
                        {"file", p.file},
                        {"read_only", true},
                        {"provider", config::to_string(p.provider)},
                        {"default", p.is_default},
                        {"url", p.url},
                        {"account_sid", p.account_sid},
                        {"api_key", p.api_key},
                        {"secret", secret_source(p)}});
    }
    return nlohmann::json{{"profiles", list}};
}

std::string render_profiles(const std::string& path, const std::vector<config::FileProfile>& own,
                            const std::vector<config::ExternalProfile>& external) {
    std::string text = fmt::format("{:<24} {:<8} {}\n", "PROFILE", "PROVIDER", "FROM");
    for (const auto& p : own) {
        text +=
            fmt::format("{:<24} {:<8} {}\n", p.name, p.provider.empty() ? "-" : p.provider, path);
    }
    for (const auto& p : external) {
        const bool twilio = p.provider == config::Provider::twilio;
        std::string note =
            twilio ? fmt::format("account {}; secret from {}", p.account_sid, secret_source(p))
                   : p.url;
        if (p.is_default) note += " (the tool's default)";
        text += fmt::format("{:<24} {:<8} {} (read-only): {}\n", p.name,
                            config::to_string(p.provider), p.file, note);
    }
    return text;
}

}  // namespace roomctl::report
