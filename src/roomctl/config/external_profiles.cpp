// Reading the LiveKit CLI's and twilio-cli's profiles in place (external_profiles.hpp).
// YAML through yaml-cpp, JSON through nlohmann::json: no parser of our own.

#include "roomctl/config/external_profiles.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::config {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_lk = "lk:";
constexpr std::string_view k_twilio = "twilio:";

std::string home_file(const std::map<std::string, std::string>& env, const char* rel) {
    const auto* home = detail::env_value(env, "HOME");
    return home == nullptr ? std::string{} : (fs::path{*home} / rel).string();
}

std::string lk_file(const std::map<std::string, std::string>& env) {
    return home_file(env, ".livekit/cli-config.yaml");
}
std::string twilio_file(const std::map<std::string, std::string>& env) {
    return home_file(env, ".twilio-cli/config.json");
}

bool exists(const std::string& path) {
    std::error_code ec;
    return !path.empty() && fs::is_regular_file(path, ec);
}

std::string scalar(const YAML::Node& n, const char* key) {
    const auto v = n[key];
    return v && v.IsScalar() ? v.as<std::string>() : std::string{};
}

// lk's projects, secrets included; [] when the file does not exist.
std::vector<std::pair<ExternalProfile, std::string>> read_lk(const std::string& path) {
    std::vector<std::pair<ExternalProfile, std::string>> out;
    if (!exists(path)) return out;
    detail::require_private_file(path, "LiveKit CLI config file");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
        throw config_error(fmt::format("LiveKit CLI config file {} is not valid YAML (line {})",
                                       path, e.mark.line + 1));
    }
    if (!root.IsMap()) return out;
    const std::string def = scalar(root, "default_project");
    const auto projects = root["projects"];
    if (!projects || !projects.IsSequence()) return out;
    for (const auto& p : projects) {
        if (!p.IsMap() || scalar(p, "name").empty()) continue;
        ExternalProfile e;
        e.name = std::string{k_lk} + scalar(p, "name");
        e.file = path;
        e.provider = Provider::livekit;
        e.is_default = scalar(p, "name") == def;
        e.url = scalar(p, "url");
        e.api_key = scalar(p, "api_key");
        const std::string secret = scalar(p, "api_secret");
        e.has_secret = !secret.empty();
        out.emplace_back(std::move(e), secret);
    }
    return out;
}

std::vector<ExternalProfile> read_twilio(const std::string& path) {
    std::vector<ExternalProfile> out;
    if (!exists(path)) return out;
    detail::require_private_file(path, "twilio-cli config file");
    nlohmann::json root;
    try {
        std::ifstream in(path, std::ios::binary);
        root = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
        throw config_error(fmt::format("twilio-cli config file {} is not valid JSON", path));
    }
    if (!root.is_object() || !root.contains("profiles") || !root["profiles"].is_object())
        return out;
    const std::string active = root.contains("activeProfile") && root["activeProfile"].is_string()
                                   ? root["activeProfile"].get<std::string>()
                                   : std::string{};
    for (const auto& [name, p] : root["profiles"].items()) {
        if (!p.is_object()) continue;
        ExternalProfile e;
        e.name = std::string{k_twilio} + name;
        e.file = path;
        e.provider = Provider::twilio;
        e.is_default = name == active;
        if (p.contains("accountSid") && p["accountSid"].is_string())
            e.account_sid = p["accountSid"].get<std::string>();
        if (p.contains("apiKey") && p["apiKey"].is_string())
            e.api_key = p["apiKey"].get<std::string>();
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

bool is_external_profile(const std::string& profile) {
    return profile.rfind(k_lk, 0) == 0 || profile.rfind(k_twilio, 0) == 0;
}

std::vector<ExternalProfile> list_external_profiles(const std::map<std::string, std::string>& env) {
    std::vector<ExternalProfile> out;
    for (auto& [p, secret] : read_lk(lk_file(env))) out.push_back(std::move(p));
    for (auto& p : read_twilio(twilio_file(env))) out.push_back(std::move(p));
    return out;
}

ExternalValues read_external_profile(const std::string& profile,
                                     const std::map<std::string, std::string>& env) {
    const bool lk = profile.rfind(k_lk, 0) == 0;
    const std::string file = lk ? lk_file(env) : twilio_file(env);
    if (!exists(file))
        throw config_error(fmt::format("profile \"{}\" needs {}, and it does not exist{}", profile,
                                       file.empty() ? std::string{lk ? "~/.livekit/cli-config.yaml"
                                                                     : "~/.twilio-cli/config.json"}
                                                    : file,
                                       file.empty() ? " (HOME is not set)" : ""));
    ExternalValues out;
    out.file = file;
    std::vector<std::string> names;
    if (lk) {
        for (auto& [p, secret] : read_lk(file)) {
            names.push_back(p.name);
            if (p.name != profile) continue;
            out.values["provider"] = "livekit";
            out.values["livekit.url"] = p.url;
            out.values["livekit.api_key"] = p.api_key;
            out.values["livekit.api_secret"] = secret;
            out.holds_secret = !secret.empty();
            return out;
        }
    } else {
        for (auto& p : read_twilio(file)) {
            names.push_back(p.name);
            if (p.name != profile) continue;
            out.values["provider"] = "twilio";
            out.values["twilio.account_sid"] = p.account_sid;
            if (!p.api_key.empty()) out.values["twilio.api_key"] = p.api_key;
            return out;
        }
    }
    throw config_error(fmt::format("unknown profile \"{}\": {} {}", profile, file,
                                   names.empty()
                                       ? std::string{"defines none"}
                                       : fmt::format("defines {}", fmt::join(names, ", "))));
}

namespace detail {

void apply_external_profile(FileLayer& f, const std::string& profile, const Env& env,
                            std::vector<std::string>& warnings) {
    auto ext = read_external_profile(profile, env);
    const Provider provider =
        ext.values["provider"] == "twilio" ? Provider::twilio : Provider::livekit;
    // The profile replaces its provider's whole credential set (settings.hpp).
    for (const auto& spec : settings_registry())
        if (spec.credential_of == provider) f.values.erase(std::string{spec.key});
    f.profile_keys.clear();
    for (const auto& [key, value] : ext.values) {
        if (value.empty()) continue;
        f.values.insert_or_assign(key, FileValue{value, false});
        f.profile_keys.insert(key);
    }
    f.profile = profile;
    f.profile_detail = fmt::format("{} [{}]", ext.file, profile);
    std::error_code ec;
    const auto perms = fs::status(ext.file, ec).permissions();
    if (!ec && ext.holds_secret &&
        (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
        warnings.push_back(fmt::format("{} is readable by others and holds a secret; chmod 600 {}",
                                       ext.file, ext.file));
}

}  // namespace detail

}  // namespace roomctl::config
