#pragma once
// Twilio Programmable Video v1 Rooms client implementing media::MediaServer
// (twilio/twilio-oai: twilio_video_v1.yaml; Twilio's Rooms documentation). Twilio specifics:
//   - rooms are named by UniqueName, unique only among in-progress rooms; listing defaults to
//     in-progress and pages through meta.next_page_url until null (PageSize 1000);
//   - a completed room cannot be reopened: create_room makes a new room (new SID); 53113
//     "room exists" means an in-progress room has the name, and its SID is adopted;
//   - "delete" is Status=completed; 20404 or an already-completed room is already_gone;
//   - timeouts are whole minutes from 1 to 60: CreateRoomOptions.empty_timeout (seconds,
//     while nobody joined) becomes UnusedRoomTimeout, departure_timeout EmptyRoomTimeout.

#include "roomctl/media/server.hpp"
#include "roomctl/media/server_clock.hpp"
#include "roomctl/twilio/rest.hpp"

namespace roomctl::twilio {

// Parses a Room resource. unique_name becomes the name; date_created the creation time.
media::ServerRoom room_from_json(const nlohmann::json& j);

// Seconds to Twilio's whole minutes (1..60). Throws Error(usage) naming `flag` otherwise.
int to_twilio_minutes(std::uint32_t seconds, const char* flag);

class VideoClient final : public media::MediaServer {
public:
    VideoClient(http::Transport& transport, Endpoint endpoint, RetryPolicy policy = {});

    std::string provider() const override { return "twilio"; }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>& names) override;
    media::ServerRoom create_room(const media::CreateRoomOptions& options) override;
    media::DeleteOutcome delete_room(const std::string& name, const std::string& sid) override;
    std::vector<media::Participant> list_participants(const std::string& room) override;
    std::size_t max_room_name_length() const override { return 128; }
    std::optional<media::ServerRoom> confirm_missing(const std::string& name,
                                                     const std::string& sid) override;
    // Connected participants per room are not in Twilio's room resource.
    bool reports_participant_counts() const override { return false; }
    std::uint32_t max_empty_timeout() const override { return 3600; }
    std::uint32_t empty_timeout_step() const override { return 60; }
    void validate(const media::CreateRoomOptions& options) const override;
    std::optional<std::int64_t> clock_offset() const override { return m_transport.offset(); }

    // GET /v1/Rooms?PageSize=1: the cheapest key-compatible authenticated probe.
    void probe();

private:
    nlohmann::json get(const std::string& path_and_query, const std::string& what);
    std::optional<media::ServerRoom> fetch(const std::string& sid_or_name);

    media::ClockWatch m_transport;  // every answer's Date header updates clock_offset()
    Endpoint m_endpoint;
    RetryPolicy m_policy;
};

}  // namespace roomctl::twilio
