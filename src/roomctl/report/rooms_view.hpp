#pragma once
// `rooms list|create|participants`: a server's rooms and a room's participants, as JSON values
// (the command puts them in its envelope) and as text. Pure: data in, JSON or string out.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"name", "sid", "num_participants", "creation_time" (ISO 8601 or null),
//  "empty_timeout_seconds", "departure_timeout_seconds", "max_participants", "metadata",
//  "type", "status_callback" (user info hidden), "status_callback_method", "media_region"}:
// every key always present, "" / 0 where the provider has no such setting or did not say.
// "num_participants" is the number of connected participants, or null when it is not known
// (Twilio: its room resource has no count and reading the participants failed); never a
// made-up 0.
nlohmann::json room_json(const media::ServerRoom& r);

// A participant count as the views show it: the number, or in JSON null and in text
// `unknown` (`?` in tables) when it is not known. Every view shows counts through these.
nlohmann::json participant_count_json(const std::optional<std::uint32_t>& count);
std::string participant_count_text(const std::optional<std::uint32_t>& count,
                                   const char* unknown = "unknown");
// {"sid", "identity", "name", "state", "joined_at" (ISO 8601 or null), "kind", "metadata",
//  "attributes" {k: v}, "permission" ({"can_subscribe", "can_publish", "can_publish_data",
//  "can_publish_sources", "hidden", "can_update_metadata"} or null where the provider has
//  none: Twilio), "tracks" [track_json...]}: every key always present.
nlohmann::json participant_json(const media::Participant& p);
// {"sid", "name", "type", "source", "mime_type", "muted"}
nlohmann::json track_json(const media::Track& t);

// A table (name, sid, participants, age, empty timeout) in `style` (text or tsv, headers or
// not); "no rooms on the server" as text when empty (tsv: the header row only; -q: nothing).
// An unknown participant count shows as `?`.
std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style);
// One room, one "label: value" line per field (participants: `unknown` when not known);
// metadata and the Twilio settings only when set, each cut to one line of at most 120
// characters, the callback's user info hidden.
std::string render_room(const media::ServerRoom& room, const TextStyle& style);
// A table (identity, sid, state, name, tracks "N (M muted)", may = what the permission
// allows, attributes, metadata; "-" where the provider has no such thing) in `style`, as
// render_rooms; "no participants" as text when empty. Attributes and metadata are cut to one
// line of at most 40 characters.
std::string render_participants(const std::vector<media::Participant>& ps,
                                const TextStyle& style = {});
// One participant, "label: value" lines (those set), then its tracks as a table.
std::string render_participant(const media::Participant& p, const TextStyle& style);

}  // namespace roomctl::report
