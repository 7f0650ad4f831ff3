#include "roomctl/reconcile/room_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::reconcile {

namespace {

std::string origin_words(SettingOrigin o, std::string_view setting) {
    switch (o) {
        case SettingOrigin::row:
            return fmt::format("the row's [rooms] {}_column", setting);
        case SettingOrigin::config:
            return fmt::format("[recreate] {}", setting);
        case SettingOrigin::previous_room:
            return "the old room on the server";
        case SettingOrigin::journal:
            return "the old room in the journal";
    }
    return "";
}

std::uint32_t parse_count(const ResolvedSetting& v, std::string_view setting) {
    std::uint32_t n = 0;
    const auto* first = v.value.data();
    const auto* last = first + v.value.size();
    auto [end, ec] = std::from_chars(first, last, n);
    if (ec != std::errc{} || end != last) {
        throw usage_error(fmt::format(
            "{} \"{}\" from {} is not a whole number{}: fix the value, or map another column",
            setting, text::escape_controls(v.value), origin_words(v.origin, setting),
            setting == k_departure_timeout ? " of seconds" : ""));
    }
    return n;
}

// The old room's value of `setting`, when the old room tells it. Zero and empty are values on
// LiveKit (unlimited, no metadata); on Twilio a zero count or an empty word means "not
// reported", except that an empty status callback means the room had none.
std::optional<std::string> old_value(const media::ServerRoom& r, std::string_view setting,
                                     bool livekit) {
    if (setting == k_type) return r.type.empty() ? std::nullopt : std::optional(r.type);
    if (setting == k_max_participants) {
        if (!livekit && r.max_participants == 0) return std::nullopt;
        return std::to_string(r.max_participants);
    }
    if (setting == k_metadata) return livekit ? std::optional(r.metadata) : std::nullopt;
    if (setting == k_departure_timeout) return std::to_string(r.departure_timeout);
    if (setting == k_status_callback) return r.status_callback;
    if (setting == k_status_callback_method) {
        return r.status_callback_method.empty() ? std::nullopt
                                                : std::optional(r.status_callback_method);
    }
    if (setting == k_media_region) {
        return r.media_region.empty() ? std::nullopt : std::optional(r.media_region);
    }
    return std::nullopt;
}

void apply(media::CreateRoomOptions& o, std::string_view setting, const ResolvedSetting& v) {
    if (setting == k_type) o.type = v.value;
    if (setting == k_max_participants) o.max_participants = parse_count(v, setting);
    if (setting == k_metadata) o.metadata = v.value;
    if (setting == k_departure_timeout) o.departure_timeout = parse_count(v, setting);
    if (setting == k_status_callback) o.status_callback = v.value;
    if (setting == k_status_callback_method) o.status_callback_method = v.value;
    if (setting == k_media_region) o.media_region = v.value;
}

std::string_view origin_tag(SettingOrigin o) {
    switch (o) {
        case SettingOrigin::row:
            return "row";
        case SettingOrigin::config:
            return "config";
        case SettingOrigin::previous_room:
        case SettingOrigin::journal:
            return "old room";
    }
    return "";
}

}  // namespace

std::vector<std::string_view> room_settings_of(std::string_view provider) {
    if (provider == "twilio") {
        return {k_type,
                k_max_participants,
                k_departure_timeout,
                k_status_callback,
                k_status_callback_method,
                k_media_region};
    }
    return {k_max_participants, k_metadata, k_departure_timeout};
}

std::string_view to_string(SettingOrigin o) {
    switch (o) {
        case SettingOrigin::row:
            return "row";
        case SettingOrigin::config:
            return "config";
        case SettingOrigin::previous_room:
            return "previous_room";
        case SettingOrigin::journal:
            return "journal";
    }
    return "";
}

RoomSettingSources room_setting_sources(const config::Settings& s, const std::string& provider) {
    RoomSettingSources out;
    out.provider = provider;
    const auto& d = s.room_settings;
    auto fix = [&](std::string_view setting, std::string value) {
        if (config::is_set(s, "recreate." + std::string(setting))) {
            out.fixed.emplace(std::string(setting), std::move(value));
        }
    };
    fix(k_type, d.type);
    fix(k_max_participants, std::to_string(d.max_participants));
    fix(k_metadata, d.metadata);
    fix(k_departure_timeout, std::to_string(s.departure_timeout));
    fix(k_status_callback, d.status_callback);
    fix(k_status_callback_method, d.status_callback_method);
    fix(k_media_region, d.media_region);
    return out;
}

std::vector<std::string> mapped_settings(const config::Settings& s) {
    std::vector<std::string> out;
    for (const auto& [setting, column] : s.rooms.setting_columns()) out.push_back(setting);
    return out;
}

RoomSettings resolve_room_settings(const RoomSettingSources& sources,
                                   const std::map<std::string, std::string>& row,
                                   const PreviousRoom* previous) {
    RoomSettings out;
    const bool livekit = sources.provider != "twilio";
    for (auto setting : room_settings_of(sources.provider)) {
        std::optional<ResolvedSetting> v;
        if (auto it = row.find(std::string(setting)); it != row.end()) {
            v = ResolvedSetting{it->second, SettingOrigin::row};
        } else if (auto f = sources.fixed.find(setting); f != sources.fixed.end()) {
            v = ResolvedSetting{f->second, SettingOrigin::config};
        } else if (previous && previous->room) {
            if (auto old = old_value(*previous->room, setting, livekit)) {
                v = ResolvedSetting{*old, previous->origin};
            }
        }
        if (!v) {
            out.guessed.emplace_back(setting);
            continue;
        }
        apply(out.options, setting, *v);
        out.values.emplace(std::string(setting), std::move(*v));
    }
    // A method without a callback says nothing; sending it alone would be refused by Twilio.
    if (out.options.status_callback.empty()) {
        out.options.status_callback_method.clear();
        out.values.erase(std::string(k_status_callback_method));
        std::erase(out.guessed, std::string(k_status_callback_method));
    }
    return out;
}

bool old_room_could_help(const RoomSettingSources& sources,
                         const std::vector<std::string>& mapped_settings) {
    for (auto setting : room_settings_of(sources.provider)) {
        if (sources.fixed.contains(setting)) continue;
        if (std::find(mapped_settings.begin(), mapped_settings.end(), setting) !=
            mapped_settings.end()) {
            continue;
        }
        return true;
    }
    return false;
}

std::string describe(const RoomSettings& s) {
    // In the provider's order; the origin once when all settings share it.
    std::vector<std::pair<std::string, SettingOrigin>> shown;
    for (auto setting : room_settings_of("twilio")) {
        if (setting == k_departure_timeout) continue;  // after metadata, as LiveKit lists it
        if (setting == k_status_callback) {
            for (auto extra : {k_metadata, k_departure_timeout}) {
                if (auto it = s.values.find(extra); it != s.values.end()) {
                    shown.emplace_back(std::string(extra), it->second.origin);
                }
            }
        }
        if (auto it = s.values.find(setting); it != s.values.end()) {
            shown.emplace_back(std::string(setting), it->second.origin);
        }
    }
    const bool one_origin = std::all_of(shown.begin(), shown.end(), [&](const auto& p) {
        return origin_tag(p.second) == origin_tag(shown[0].second);
    });
    std::string out;
    for (const auto& [setting, origin] : shown) {
        const auto& value = s.values.find(setting)->second.value;
        std::string text = setting == k_status_callback ? hide_userinfo(value) : value;
        if (text.empty()) text = "\"\"";
        if (setting == k_departure_timeout) text += "s";
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", setting, text::escape_controls(text));
        if (!one_origin) out += fmt::format(" ({})", origin_tag(origin));
    }
    if (one_origin && !shown.empty())
        out += fmt::format(" (all from {})", origin_tag(shown[0].second));
    return out;
}

std::vector<std::string> differences(const media::CreateRoomOptions& asked,
                                     const media::ServerRoom& got) {
    std::vector<std::string> out;
    auto text = [&](std::string_view setting, const std::string& want, const std::string& have,
                    bool url = false) {
        if (want.empty() || have.empty() || want == have) return;
        out.push_back(fmt::format("{} {} (asked {})", setting,
                                  text::escape_controls(url ? hide_userinfo(have) : have),
                                  text::escape_controls(url ? hide_userinfo(want) : want)));
    };
    auto count = [&](std::string_view setting, std::uint32_t want, std::uint32_t have) {
        if (want == 0 || have == 0 || want == have) return;
        out.push_back(fmt::format("{} {} (asked {})", setting, have, want));
    };
    text(k_type, asked.type, got.type);
    count(k_max_participants, asked.max_participants, got.max_participants);
    if (!asked.metadata.empty() && asked.metadata != got.metadata) {
        out.push_back(fmt::format("metadata differs (asked {} bytes, the room has {})",
                                  asked.metadata.size(), got.metadata.size()));
    }
    count(k_departure_timeout, asked.departure_timeout, got.departure_timeout);
    text(k_status_callback, asked.status_callback, got.status_callback, true);
    text(k_media_region, asked.media_region, got.media_region);
    return out;
}

}  // namespace roomctl::reconcile
