#include "roomctl/twilio/room_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "roomctl/util/error.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::twilio {

namespace {

constexpr std::array<std::string_view, 4> k_room_types = {"group", "group-small", "peer-to-peer",
                                                          "go"};
constexpr std::array<std::string_view, 10> k_media_regions = {"gll", "au1", "br1", "de1", "ie1",
                                                              "in1", "jp1", "sg1", "us1", "us2"};

bool one_of(std::span<const std::string_view> allowed, std::string_view v) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::string listed(std::span<const std::string_view> values) {
    return fmt::format("{}", fmt::join(values, ", "));
}

// A value from a config file or a column, safe to put in a one-line message.
std::string shown(std::string_view v) {
    return text::first_line(text::escape_controls(hide_userinfo(v)), 120);
}

}  // namespace

std::span<const std::string_view> room_types() { return k_room_types; }
std::span<const std::string_view> media_regions() { return k_media_regions; }

int to_twilio_minutes(std::uint32_t seconds, const char* flag) {
    if (seconds % 60 != 0 || seconds < 60 || seconds > 3600) {
        throw usage_error(
            fmt::format("{} is {} s, but Twilio takes whole minutes from 1 to 60 (e.g. 5m, 60m)",
                        flag, seconds));
    }
    return static_cast<int>(seconds / 60);
}

bool is_absolute_http_url(std::string_view url) {
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const auto scheme = text::lower(url.substr(0, sep));
    if (scheme != "http" && scheme != "https") return false;
    const auto rest = url.substr(sep + 3);
    auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority = authority.substr(at + 1);
    }
    // A host, not just a port: "https://:443/x" names no machine.
    return !authority.empty() && authority.front() != ':';
}

void validate_create_options(const media::CreateRoomOptions& o) {
    if (o.name.size() > 128) {
        throw usage_error(
            fmt::format("room name is {} characters; Twilio accepts at most 128", o.name.size()));
    }
    if (o.empty_timeout) to_twilio_minutes(o.empty_timeout, "--empty-timeout");
    if (o.departure_timeout) to_twilio_minutes(o.departure_timeout, "--departure-timeout");
    if (!o.type.empty() && !one_of(room_types(), o.type)) {
        throw usage_error(fmt::format("room type \"{}\" is not a Twilio Video room type: use {}",
                                      shown(o.type), listed(room_types())));
    }
    if (o.max_participants > k_max_participants) {
        throw usage_error(fmt::format(
            "max participants is {}, but Twilio Video rooms take at most {}: use 1 to {}",
            o.max_participants, k_max_participants, k_max_participants));
    }
    if (!o.status_callback.empty() && !is_absolute_http_url(o.status_callback)) {
        throw usage_error(fmt::format(
            "status callback \"{}\" is not an absolute http(s) URL: give the app's webhook, "
            "e.g. https://app.example.com/twilio/rooms",
            shown(o.status_callback)));
    }
    if (!o.status_callback_method.empty() && o.status_callback_method != "GET" &&
        o.status_callback_method != "POST") {
        throw usage_error(
            fmt::format("status callback method \"{}\" is not one Twilio accepts: use GET or POST",
                        shown(o.status_callback_method)));
    }
    if (!o.media_region.empty() && !one_of(media_regions(), o.media_region)) {
        throw usage_error(fmt::format("media region \"{}\" is not a Twilio Video region: use {}",
                                      shown(o.media_region), listed(media_regions())));
    }
    if (!o.metadata.empty()) {
        throw usage_error(
            "Twilio Video rooms have no metadata: leave metadata unset with provider twilio");
    }
}

std::vector<std::pair<std::string, std::string>> create_form(const media::CreateRoomOptions& o) {
    std::vector<std::pair<std::string, std::string>> form = {
        {"UniqueName", o.name}, {"Type", o.type.empty() ? std::string{"group"} : o.type}};
    // empty_timeout (nobody joined yet) is Twilio's UnusedRoomTimeout; departure_timeout
    // (after the last participant left) its EmptyRoomTimeout.
    if (o.empty_timeout) {
        form.emplace_back("UnusedRoomTimeout",
                          std::to_string(to_twilio_minutes(o.empty_timeout, "--empty-timeout")));
    }
    if (o.departure_timeout) {
        form.emplace_back("EmptyRoomTimeout", std::to_string(to_twilio_minutes(
                                                  o.departure_timeout, "--departure-timeout")));
    }
    if (o.max_participants)
        form.emplace_back("MaxParticipants", std::to_string(o.max_participants));
    if (!o.status_callback.empty()) form.emplace_back("StatusCallback", o.status_callback);
    if (!o.status_callback_method.empty())
        form.emplace_back("StatusCallbackMethod", o.status_callback_method);
    if (!o.media_region.empty()) form.emplace_back("MediaRegion", o.media_region);
    return form;
}

}  // namespace roomctl::twilio
