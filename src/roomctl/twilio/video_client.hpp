#pragma once
// Twilio Programmable Video v1 Rooms client implementing media::MediaServer
// (twilio/twilio-oai: twilio_video_v1.yaml; Twilio's Rooms documentation). Twilio specifics:
//   - rooms are named by UniqueName, unique only among in-progress rooms; listing defaults to
//     in-progress and pages through meta.next_page_url until null (PageSize 1000);
//   - a completed room cannot be reopened: create_room makes a new room (new SID); 53113
//     "room exists" means an in-progress room has the name, and its SID is adopted;
//   - "delete" is Status=completed; 20404 or an already-completed room is already_gone;
//   - timeouts are whole minutes from 1 to 60: CreateRoomOptions.empty_timeout (seconds,
//     while nobody joined) becomes UnusedRoomTimeout, departure_timeout EmptyRoomTimeout;
//   - what else create_room sends and validate() refuses: twilio/room_settings.hpp;
//   - completed rooms stay readable by SID, so previous_room() can tell how one was made.

#include "roomctl/media/server.hpp"
#include "roomctl/media/server_clock.hpp"
#include "roomctl/twilio/rest.hpp"
#include "roomctl/twilio/room_settings.hpp"

namespace roomctl::twilio {

// Parses a Room resource into media::ServerRoom (the fields it documents: unique_name is the
// name, date_created the creation time, the timeouts minutes -> seconds, and type, status,
// status_callback(_method), media_region as sent). null or absent fields stay empty / 0;
// num_participants stays nullopt (unknown): the room resource has no count.
// Throws Error(runtime) for a field of the wrong type.
media::ServerRoom room_from_json(const nlohmann::json& j);

class VideoClient final : public media::MediaServer {
public:
    VideoClient(http::Transport& transport, Endpoint endpoint, RetryPolicy policy = {});

    std::string provider() const override { return "twilio"; }
    // Twilio's room resource has no participant count: every room comes back with
    // num_participants unknown; list_participants (Status=connected, all pages) counts them.
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>& names) override;
    media::ServerRoom create_room(const media::CreateRoomOptions& options) override;
    media::DeleteOutcome delete_room(const std::string& name, const std::string& sid) override;
    std::vector<media::Participant> list_participants(const std::string& room) override;
    // GET /v1/Rooms/{key} (Twilio fetches by SID or by an in-progress room's unique name);
    // only an in-progress room counts (a completed one cannot be administered). 404: nullopt.
    std::optional<media::ServerRoom> get_room(const std::string& key) override;
    // GET .../Participants/{who} (identity or PA SID); nullopt unless it is connected.
    std::optional<media::Participant> get_participant(const std::string& room,
                                                      const std::string& who) override;
    // POST .../Participants/{who} Status=disconnected (202). 404, or 20001 for a participant
    // no longer connected: Error(runtime) "participant WHO is not in room ROOM".
    void remove_participant(const std::string& room, const std::string& who) override;
    // update_room_metadata, update_participant, mute_track: the base's Error(usage) refusals
    // (Twilio rooms have no metadata; its REST API cannot mute or update a participant).
    std::size_t max_room_name_length() const override { return 128; }
    std::optional<media::ServerRoom> confirm_missing(const std::string& name,
                                                     const std::string& sid) override;
    std::uint32_t max_empty_timeout() const override { return 3600; }
    std::uint32_t empty_timeout_step() const override { return 60; }
    void validate(const media::CreateRoomOptions& options) const override;
    // GET /v1/Rooms/{sid}, any status; a 404 is asked twice (twilio-node#593) before nullopt.
    std::optional<media::ServerRoom> previous_room(const std::string& sid) override;
    std::optional<std::int64_t> clock_offset() const override { return m_transport.offset(); }

    // GET /v1/Rooms?PageSize=1: the cheapest key-compatible authenticated probe.
    void probe();

private:
    nlohmann::json get(const std::string& path_and_query, const std::string& what);
    std::optional<media::ServerRoom> fetch(const std::string& sid_or_name);
    // The room resource of `sid`, any status; nullopt after two 404s (a SID can answer 404
    // right after its room ended, twilio-node#593).
    std::optional<nlohmann::json> fetch_sid_twice(const std::string& sid);

    media::ClockWatch m_transport;  // every answer's Date header updates clock_offset()
    Endpoint m_endpoint;
    RetryPolicy m_policy;
};

}  // namespace roomctl::twilio
