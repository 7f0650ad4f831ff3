// What commands require of the settings (require_media_server, require_database, ...). The
// URL checks behind them are in util/url.hpp.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string_view>

#include "roomctl/config/settings.hpp"
#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::config {

namespace {

using text::is_sid;  // a Twilio SID: two-letter prefix and 32 hex digits

// The layer a value came from: the command line, the environment, or one part of the config
// file (its top level, or the profile: Origin::detail then ends in "[profiles.NAME]").
std::string layer_of(const Origin& o) {
    switch (o.source) {
        case Source::flag:
            return "flags";
        case Source::env:
            return "env";
        case Source::file:
            return "file " + o.detail;
        case Source::default_value:
            return "default";
    }
    return "unknown";
}

void require_no_plain_text(const std::string& url, const char* what, const std::string& origin) {
    if (!plain_text_to_remote(url)) return;
    throw config_error(fmt::format(
        "{} \"{}\" ({}) would send credentials unencrypted to another machine: use https:// "
        "(wss:// for LiveKit); plain http:// is only for 127.0.0.1, [::1] and localhost",
        what, hide_userinfo(url), origin));
}

void require_twilio(const Settings& s, const std::function<std::string(const char*)>& from) {
    const auto& t = s.twilio;
    if (const auto conflict = credential_conflict(s); !conflict.empty())
        throw config_error(conflict);
    if (t.account_sid.empty())
        throw config_error(
            "no Twilio Account SID configured: set TWILIO_ACCOUNT_SID, --account-sid, or [twilio] "
            "account_sid in the config file");
    if (!is_sid(t.account_sid, "AC"))
        throw config_error(fmt::format(
            "Twilio Account SID \"{}\" is not an AC SID (AC followed by 32 hex digits) ({})",
            t.account_sid, from("twilio.account_sid")));
    if (!t.api_key.empty() && !is_sid(t.api_key, "SK"))
        throw config_error(fmt::format(
            "Twilio API key \"{}\" is not an SK SID (SK followed by 32 hex digits) ({})", t.api_key,
            from("twilio.api_key")));
    if (!t.api_key.empty() && t.api_secret.empty() && t.auth_token.empty())
        throw config_error(
            "Twilio API key given without its secret: set TWILIO_API_SECRET or "
            "--api-secret-file");
    if (!t.uses_api_key() && t.auth_token.empty())
        throw config_error(
            "no Twilio credentials configured: set TWILIO_API_KEY and TWILIO_API_SECRET (a "
            "Standard "
            "API key), or TWILIO_AUTH_TOKEN");
    if (!valid_media_url(t.base_url) || t.base_url.rfind("ws", 0) == 0)
        throw config_error(
            fmt::format("malformed Twilio Video base URL \"{}\": expected https://host[:port] ({})",
                        hide_userinfo(t.base_url), from("twilio.base_url")));
    require_no_plain_text(t.base_url, "Twilio Video base URL", from("twilio.base_url"));
}

}  // namespace

void require_livekit_url(const Settings& s) {
    if (s.livekit.url.empty())
        throw config_error(
            "no LiveKit URL configured: set LIVEKIT_URL, --url, or [livekit] url in the config "
            "file");
    if (!valid_media_url(s.livekit.url)) {
        auto it = s.origins.find("livekit.url");
        throw config_error(fmt::format(
            "malformed LiveKit URL \"{}\": expected http(s):// or ws(s)://host[:port] ({})",
            hide_userinfo(s.livekit.url),
            it == s.origins.end() ? std::string{"default"} : to_string(it->second)));
    }
    auto it = s.origins.find("livekit.url");
    require_no_plain_text(s.livekit.url, "LiveKit URL",
                          it == s.origins.end() ? std::string{"default"} : to_string(it->second));
}

std::string credential_conflict(const Settings& s) {
    if (s.provider != Provider::twilio) return {};
    struct Item {
        const char* key;
        const std::string* value;
    };
    const Item items[] = {{"twilio.account_sid", &s.twilio.account_sid},
                          {"twilio.api_key", &s.twilio.api_key},
                          {"twilio.auth_token", &s.twilio.auth_token}};
    const Item* first = nullptr;
    Origin first_origin;
    for (const auto& item : items) {
        if (item.value->empty()) continue;
        auto it = s.origins.find(item.key);
        const Origin o = it == s.origins.end() ? Origin{} : it->second;
        if (first == nullptr) {
            first = &item;
            first_origin = o;
            continue;
        }
        if (layer_of(o) == layer_of(first_origin)) continue;
        return fmt::format(
            "Twilio credentials come from two places: {} from {} but {} from {}; set the Account "
            "SID with its API key or Auth Token in one place (one profile, the environment or "
            "flags) and remove the other",
            first->key, to_string(first_origin), item.key, to_string(o));
    }
    return {};
}

void require_media_server(const Settings& s) {
    auto from = [&](const char* key) {
        auto it = s.origins.find(key);
        return it == s.origins.end() ? std::string{"default"} : to_string(it->second);
    };
    if (s.provider == Provider::twilio) return require_twilio(s, from);
    require_livekit_url(s);
    if (s.livekit.api_key.empty())
        throw config_error(
            "no LiveKit API key configured: set LIVEKIT_API_KEY, --api-key, or [livekit] api_key "
            "in the config file");
    if (s.livekit.api_secret.empty())
        throw config_error(
            "no LiveKit API secret configured: set LIVEKIT_API_SECRET or LIVEKIT_API_SECRET_FILE, "
            "--api-secret-file, or [livekit] api_secret_file in the config file");
}

void require_database(const Settings& s) {
    if (s.database_url.empty())
        throw config_error(
            "no database configured: set ROOMCTL_DATABASE_URL or DATABASE_URL (or libpq's PGHOST/"
            "PGDATABASE), or [database] url in the config file");
}

std::string api_url(const LiveKitSettings& lk) { return http_base_url(lk.url); }

void require_schedules(const Settings& s, bool flag_given) {
    if (!flag_given || !s.rooms.starts_column.empty()) return;
    throw usage_error(
        "--starting-within needs [rooms] starts_column (the column holding when each session "
        "starts); without it every live row is due: set starts_column or drop the flag");
}

}  // namespace roomctl::config
