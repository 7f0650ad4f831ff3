// The room mapping: which server room a row names ([rooms] room_name_template), which columns
// carry per-row room settings, and the default mapping of Twilio's seed schema.

#include <algorithm>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::config {

std::string status_source(const RoomMapping& m) {
    if (!m.live_when.empty()) return "live_when";
    if (!m.session_table.empty()) return m.session_table + "." + m.session_status_column;
    return m.status_column;
}

std::vector<TemplatePart> parse_room_template(const RoomMapping& m) {
    const std::string& t = m.room_name_template;
    auto bad = [&](const std::string& why) {
        return Error(ErrorKind::config, "rooms.room_name_template \"" + t + "\" " + why +
                                            ", e.g. \"session-{name}\" or \"{session_id}-{name}\"");
    };
    std::vector<TemplatePart> parts;
    bool placeholder = false;
    std::size_t i = 0;
    while (i < t.size()) {
        const auto open = t.find('{', i);
        const auto stray = t.find('}', i);
        if (stray < open) throw bad("has a \"}\" without its \"{\"");
        if (open == std::string::npos) {
            parts.push_back({false, t.substr(i)});
            break;
        }
        if (open > i) parts.push_back({false, t.substr(i, open - i)});
        const auto close = t.find('}', open);
        if (close == std::string::npos) throw bad("has a \"{\" without its \"}\"");
        std::string column = t.substr(open + 1, close - open - 1);
        if (column.empty() || column.find('{') != std::string::npos)
            throw bad("has an empty or nested placeholder");
        parts.push_back({true, column == "name" ? m.name_column : column});
        placeholder = true;
        i = close + 1;
    }
    if (!placeholder) throw bad("must contain {name} or another {column}");
    return parts;
}

std::vector<std::string> template_columns(const RoomMapping& m) {
    std::vector<std::string> columns;
    for (const auto& part : parse_room_template(m)) {
        if (part.is_column && std::find(columns.begin(), columns.end(), part.text) == columns.end())
            columns.push_back(part.text);
    }
    return columns;
}

std::string room_name_for(const RoomMapping& m, const std::string& value) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return value;
    return m.room_name_template.substr(0, at) + value + m.room_name_template.substr(at + 6);
}

std::optional<std::string> database_name_for(const RoomMapping& m, const std::string& room) {
    auto at = m.room_name_template.find("{name}");
    if (at == std::string::npos) return std::nullopt;
    const std::string prefix = m.room_name_template.substr(0, at);
    const std::string suffix = m.room_name_template.substr(at + 6);
    if (prefix.find('{') != std::string::npos || suffix.find('{') != std::string::npos)
        return std::nullopt;  // more than one placeholder: the name alone does not give the room
    if (room.size() < prefix.size() + suffix.size() ||
        room.compare(0, prefix.size(), prefix) != 0 ||
        room.compare(room.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    return room.substr(prefix.size(), room.size() - prefix.size() - suffix.size());
}

std::vector<std::pair<std::string, std::string>> RoomMapping::setting_columns() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [setting, column] :
         {std::pair<const char*, const std::string*>{"type", &type_column},
          {"max_participants", &max_participants_column},
          {"metadata", &metadata_column},
          {"departure_timeout", &departure_timeout_column},
          {"status_callback", &status_callback_column},
          {"media_region", &media_region_column}}) {
        if (!column->empty()) out.emplace_back(setting, *column);
    }
    return out;
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
