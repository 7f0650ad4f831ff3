#pragma once
// The settings a room that recreate creates is made with, so that it is the room the app made
// (a Twilio `go` room comes back as a `go` room, with the app's StatusCallback; a LiveKit room
// keeps its max_participants, metadata and departure timeout). Pure: no I/O.
//
// Each setting is decided on its own, from the first of these that gives it:
//   1. the row's column ([rooms] type_column, ...: config::RoomMapping::setting_columns), when
//      it is not NULL;
//   2. the [recreate] value the configuration sets explicitly (config::is_set);
//   3. the old room: the room the row's recorded SID names, as the server still knows it
//      (Twilio keeps completed rooms: media::MediaServer::previous_room), or as the journal
//      recorded it when cleanup deleted it (LiveKit forgets closed rooms);
//   4. nothing: the server's default applies, which is a guess (RoomSettings::guessed).
// The room's empty timeout is not among them: [recreate] empty_timeout and schedules decide it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/media/server.hpp"

namespace roomctl::config {
struct Settings;
}

namespace roomctl::reconcile {

// The settings of a room, by the names the config keys, the JSON and the journal use.
inline constexpr std::string_view k_type = "type";
inline constexpr std::string_view k_max_participants = "max_participants";
inline constexpr std::string_view k_metadata = "metadata";
inline constexpr std::string_view k_departure_timeout = "departure_timeout";  // seconds
inline constexpr std::string_view k_status_callback = "status_callback";
inline constexpr std::string_view k_status_callback_method = "status_callback_method";
inline constexpr std::string_view k_media_region = "media_region";

// The settings `provider` ("livekit", "twilio") can create a room with, in display order.
// LiveKit: max_participants, metadata, departure_timeout. Twilio: type, max_participants,
// departure_timeout (EmptyRoomTimeout), status_callback, status_callback_method, media_region.
std::vector<std::string_view> room_settings_of(std::string_view provider);

enum class SettingOrigin {
    row,            // the row's column
    config,         // [recreate] in the configuration
    previous_room,  // the old room, as the server still knows it
    journal,        // the old room, as the journal recorded it when it was deleted
};
std::string_view to_string(SettingOrigin o);

struct ResolvedSetting {
    std::string value;  // as text: numbers in decimal, seconds for departure_timeout
    SettingOrigin origin = SettingOrigin::config;
};

struct RoomSettings {
    // The create request's settings (name and empty_timeout are left for the executor).
    media::CreateRoomOptions options;
    // Setting -> its value and origin, for the settings something gave.
    std::map<std::string, ResolvedSetting, std::less<>> values;
    // The provider's settings nothing gave: the server's default applies, a guess.
    std::vector<std::string> guessed;
};

// The old room of a row, when it could be looked for.
struct PreviousRoom {
    std::optional<media::ServerRoom> room;  // nullopt: neither the server nor the journal knew it
    SettingOrigin origin = SettingOrigin::previous_room;  // previous_room or journal
    std::string error;  // one line when asking the server failed: the room is then unknown
};

// Where the settings of the rooms of one recreate run come from, besides each row.
struct RoomSettingSources {
    std::string provider;  // "livekit", "twilio"
    // Setting -> text value, for the [recreate] settings the configuration sets explicitly.
    std::map<std::string, std::string, std::less<>> fixed;
    // Server room name -> its old room (looked up only for rows that have something to learn).
    std::map<std::string, PreviousRoom> previous;
};

// The sources of a run against `provider` from the settings: [recreate]'s values that are set
// explicitly (config::is_set; recreate.departure_timeout included), no old rooms yet.
RoomSettingSources room_setting_sources(const config::Settings& s, const std::string& provider);
// The settings a [rooms] <setting>_column gives per row (config::RoomMapping::setting_columns).
std::vector<std::string> mapped_settings(const config::Settings& s);

// Decides each setting of `provider` for a row with column values `row` (setting -> text, as
// store::DbRoom::settings) and old room `previous` (may be null). Throws Error(usage), one line
// naming the setting and its origin, when a value is not a number where one is needed
// (max_participants, departure_timeout). The provider's own limits are checked afterwards with
// media::MediaServer::validate on RoomSettings::options.
RoomSettings resolve_room_settings(const RoomSettingSources& sources,
                                   const std::map<std::string, std::string>& row,
                                   const PreviousRoom* previous);

// True when some setting of `provider` is given neither by a mapped column nor by the
// configuration, so the old room could supply it (worth looking up).
bool old_room_could_help(const RoomSettingSources& sources,
                         const std::vector<std::string>& mapped_settings);

// "type go (old room), max_participants 2 (row), status_callback https://***@app/cb (config)":
// the settings as a plan shows them, user info of URLs hidden; "" when there are none.
std::string describe(const RoomSettings& s);

// What a room the server returned has other than `asked` requested, for the settings the
// request set and the server reports ("max_participants 10 (asked 2)"); empty when nothing
// differs. A create that adopts an existing room (LiveKit's idempotent CreateRoom, Twilio's
// 53113) returns that room as it is.
std::vector<std::string> differences(const media::CreateRoomOptions& asked,
                                     const media::ServerRoom& got);

}  // namespace roomctl::reconcile
