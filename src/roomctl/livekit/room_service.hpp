#pragma once
// LiveKit RoomService client implementing media::MediaServer over Twirp JSON.
// Each call carries a fresh token with the one grant the server checks for it
// (roomList / roomCreate / roomAdmin+room, livekit/livekit: pkg/service/roomservice.go).

#include <nlohmann/json.hpp>

#include "roomctl/http/transport.hpp"
#include "roomctl/livekit/twirp.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/media/server_clock.hpp"

namespace roomctl::livekit {

// Parses a Room message as the server emits it (snake_case, int64 as strings) and as SDKs
// emit it (camelCase, int64 as numbers). Missing keys keep defaults; turn_password is dropped
// on purpose so it can never be printed. Throws Error(runtime) when `j` is not an object or
// a field has an impossible type.
media::ServerRoom room_from_json(const nlohmann::json& j);
// ParticipantInfo, with its tracks (TrackInfo), permission, metadata and attributes; enums as
// names whether sent as names (server) or numbers (SDKs). Same errors as room_from_json.
media::Participant participant_from_json(const nlohmann::json& j);
media::Track track_from_json(const nlohmann::json& j);
// ParticipantPermission as UpdateParticipant takes it (snake_case, sources as enum names).
nlohmann::json permission_to_json(const media::ParticipantPermission& p);

class RoomServiceClient final : public media::MediaServer {
public:
    // `transport` must outlive the client. Every call is repeated after transient failures
    // under `retry` (all RoomService calls roomctl makes are idempotent).
    RoomServiceClient(http::Transport& transport, ApiEndpoint endpoint,
                      http::RetryPolicy retry = {});

    std::string provider() const override { return "livekit"; }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>& names) override;
    media::ServerRoom create_room(const media::CreateRoomOptions& options) override;
    // DeleteRoom takes the room *name*; 404 not_found means already gone (server ≥ v1.4.4).
    // `sid` is unused: the OSS server matches DeleteRoom's `room` against names only.
    media::DeleteOutcome delete_room(const std::string& name, const std::string& sid) override;
    std::vector<media::Participant> list_participants(const std::string& room) override;
    // get_room() stays the base's: ListRooms filters by name only, so a SID (RM_...) is
    // matched against a full list.
    // UpdateRoomMetadata; not_found becomes Error(runtime) "room NAME does not exist". The
    // metadata size limit (512 KiB by default) is the server's to check.
    media::ServerRoom update_room_metadata(const std::string& room,
                                           const std::string& metadata) override;
    // GetParticipant by identity (LiveKit has no lookup by PA_ SID); not_found -> nullopt.
    std::optional<media::Participant> get_participant(const std::string& room,
                                                      const std::string& who) override;
    // RemoveParticipant by identity; not_found -> Error(runtime) naming room and identity.
    void remove_participant(const std::string& room, const std::string& who) override;
    // UpdateParticipant (metadata, name, attributes merged, permission replaced).
    media::Participant update_participant(const std::string& room, const std::string& identity,
                                          const media::ParticipantUpdate& update) override;
    // MutePublishedTrack; not_found (participant or track) and failed_precondition (remote
    // unmute disabled on the server) become one-line Error(runtime)s.
    media::Track mute_track(const std::string& room, const std::string& identity,
                            const std::string& track_sid, bool muted) override;
    // Refuses the Twilio-only options (type, status callback and its method, media region):
    // LiveKit's CreateRoomRequest has no such fields. Metadata is not size-checked here: the
    // server's limit (512 KiB by default) is configurable, so the server decides.
    void validate(const media::CreateRoomOptions& options) const override;
    // previous_room() stays the base's nullopt: LiveKit forgets a room once it closes.
    std::optional<std::int64_t> clock_offset() const override { return m_transport.offset(); }

private:
    media::ClockWatch m_transport;  // every answer's Date header updates clock_offset()
    ApiEndpoint m_endpoint;
    http::RetryPolicy m_retry;
};

}  // namespace roomctl::livekit
