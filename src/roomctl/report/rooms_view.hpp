#pragma once
// `rooms list|create|participants`: a server's rooms and a room's participants, as JSON values
// (the command puts them in its envelope) and as text. Pure: data in, JSON or string out.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"name", "sid", "num_participants", "creation_time" (ISO 8601 or null),
//  "empty_timeout_seconds", "departure_timeout_seconds", "max_participants", "metadata",
//  "type", "status_callback" (user info hidden), "status_callback_method", "media_region"}:
// every key always present, "" / 0 where the provider has no such setting or did not say.
nlohmann::json room_json(const media::ServerRoom& r);
// {"sid", "identity", "name", "state", "joined_at" (ISO 8601 or null)}
nlohmann::json participant_json(const media::Participant& p);

// A table (name, sid, participants, age, empty timeout) in `style` (text or tsv, headers or
// not); "no rooms on the server" as text when empty (tsv: the header row only; -q: nothing).
std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style);
// One room, one "label: value" line per field; metadata and the Twilio settings only when
// set, each cut to one line of at most 120 characters, the callback's user info hidden.
std::string render_room(const media::ServerRoom& room, const TextStyle& style);
// A table (identity, sid, state, name) in `style`, as render_rooms; "no participants" as text
// when empty.
std::string render_participants(const std::vector<media::Participant>& ps,
                                const TextStyle& style = {});

}  // namespace roomctl::report
