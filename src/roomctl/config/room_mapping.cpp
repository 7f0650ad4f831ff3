// The room mapping: which server room a row names ([rooms] room_name_template), and the
// default mapping of Twilio's seed schema.

#include "roomctl/config/settings.hpp"

namespace roomctl::config {

std::string room_name_for(const RoomMapping& m, const std::string& value) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return value;
    return m.room_name_template.substr(0, at) + value + m.room_name_template.substr(at + 6);
}

std::optional<std::string> database_name_for(const RoomMapping& m, const std::string& room) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return room;
    const std::string prefix = m.room_name_template.substr(0, at);
    const std::string suffix = m.room_name_template.substr(at + 6);
    if (room.size() < prefix.size() + suffix.size() ||
        room.compare(0, prefix.size(), prefix) != 0 ||
        room.compare(room.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    return room.substr(prefix.size(), room.size() - prefix.size() - suffix.size());
}

RoomMapping twilio_default_mapping() {
    RoomMapping m;
    m.table = "breakout_rooms";
    m.name_column = "room_name";
    m.sid_column = "twilio_room_sid";
    m.status_column = "is_active";
    m.live_statuses = {"true"};
    return m;
}

}  // namespace roomctl::config
