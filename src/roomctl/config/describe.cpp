// describe_settings / describe: the effective settings for `config show` and diagnostics,
// secrets redacted.

#include <fmt/format.h>

#include "roomctl/config/settings.hpp"
#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/redact.hpp"

namespace roomctl::config {

namespace {

using detail::hide_userinfo;

std::string show_timeout(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0)
        return format_duration(std::chrono::duration_cast<std::chrono::seconds>(ms));
    return fmt::format("{}ms", ms.count());
}


}  // namespace

std::vector<SettingLine> describe_settings(const Settings& s) {
    std::vector<SettingLine> lines;
    auto line = [&](const std::string& key, const std::string& value) {
        auto it = s.origins.find(key);
        const Origin origin = it == s.origins.end() ? Origin{} : it->second;
        // A secret file of the provider not in use was not opened: say so rather than "not set".
        const auto unread = s.unread_secret_files.find(key);
        const std::string shown =
            unread == s.unread_secret_files.end()
                ? value
                : fmt::format("(file {} not read: provider is {})", unread->second, s.provider);
        lines.push_back(SettingLine{key, shown, to_string(origin.source), origin.detail});
    };
    line("profile", s.profile);
    line("provider", s.provider);
    line("livekit.url", hide_userinfo(s.livekit.url));
    line("livekit.api_key", s.livekit.api_key);
    line("livekit.api_secret", redact_secret(s.livekit.api_secret));
    line("twilio.account_sid", s.twilio.account_sid);
    line("twilio.api_key", s.twilio.api_key);
    line("twilio.api_secret", redact_secret(s.twilio.api_secret));
    line("twilio.auth_token", redact_secret(s.twilio.auth_token));
    line("twilio.base_url", hide_userinfo(s.twilio.base_url));
    line("database.url", redact_database_url(s.database_url));
    line("database.lock_timeout", show_timeout(s.database_lock_timeout));
    line("database.statement_timeout", show_timeout(s.database_statement_timeout));
    line("rooms.table", s.rooms.table);
    line("rooms.name_column", s.rooms.name_column);
    line("rooms.sid_column", s.rooms.sid_column);
    line("rooms.status_column", s.rooms.status_column);
    line("rooms.live_statuses", fmt::format("{}", fmt::join(s.rooms.live_statuses, ", ")));
    line("rooms.ended_statuses", fmt::format("{}", fmt::join(s.rooms.ended_statuses, ", ")));
    line("rooms.room_name_template", s.rooms.room_name_template);
    line("rooms.session_column", s.rooms.session_column);
    line("request_timeout", show_timeout(s.request_timeout));
    line("ca_file", s.ca_file);
    line("recreate.empty_timeout", format_duration(std::chrono::seconds{s.empty_timeout}));
    line("recreate.departure_timeout", format_duration(std::chrono::seconds{s.departure_timeout}));
    line("cleanup.min_age", format_duration(s.min_age));
    line("cleanup.keep", fmt::format("{}", fmt::join(s.keep, ", ")));
    line("cleanup.max_deletes", std::to_string(s.max_deletes));
    return lines;
}

std::vector<std::string> describe(const Settings& s) {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("config_file = {}", s.config_path.empty() ? "(none)" : s.config_path));
    for (const auto& l : describe_settings(s)) {
        const std::string origin = l.detail.empty() ? l.source : l.source + " " + l.detail;
        lines.push_back(fmt::format("{} = {} ({})", l.key, l.value.empty() ? "(not set)" : l.value,
                                    origin));
    }
    return lines;
}


}  // namespace roomctl::config
