#pragma once
// LiveKit access tokens, claim for claim as protocol/auth/accesstoken.go and grants.go build
// them (livekit/protocol: auth/accesstoken.go, auth/grants.go): iss = API key, sub = identity (only
// when set), nbf = now, exp = now + ttl, custom claims name/metadata/attributes and a `video` grant
// object whose keys are camelCase ("roomJoin", "room", "canPublish", ...). Only grants that
// are set (engaged optionals, non-empty strings/lists) are written: nothing is implied.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomctl::livekit {

struct VideoGrant {
    std::optional<bool> room_create;       // "roomCreate": CreateRoom / DeleteRoom
    std::optional<bool> room_list;         // "roomList": ListRooms
    std::optional<bool> room_record;       // "roomRecord"
    std::optional<bool> room_admin;        // "roomAdmin": participant calls, for `room` only
    std::optional<bool> room_join;         // "roomJoin"
    std::string room;                      // "room"
    std::optional<bool> can_publish;       // nil on the server means true
    std::optional<bool> can_subscribe;     // nil means true
    std::optional<bool> can_publish_data;  // nil means true
    std::vector<std::string>
        can_publish_sources;  // camera|microphone|screen_share|screen_share_audio
    std::optional<bool> can_update_own_metadata;  // nil means false
    std::optional<bool> ingress_admin;
    std::optional<bool> hidden;
    std::optional<bool> recorder;
    std::optional<bool> agent;
    std::optional<bool> can_subscribe_metrics;     // "canSubscribeMetrics"
    std::optional<bool> can_manage_agent_session;  // "canManageAgentSession"
    std::string destination_room;                  // "destinationRoom"

    bool empty() const;
    nlohmann::json to_json() const;
    // Reads a `video` claim object; unknown keys are ignored.
    static VideoGrant from_json(const nlohmann::json& j);
    // Whether `key` is a JSON key of Go's auth.VideoGrant (what `--grant JSON` may set).
    static bool is_key(std::string_view key);
};

struct AccessTokenSpec {
    std::string api_key;
    std::string identity;  // "sub"; required by the server for joining
    std::string name;
    std::string metadata;
    std::map<std::string, std::string> attributes;
    std::chrono::seconds ttl{3600};
    VideoGrant video;
    // "roomConfig": protojson of livekit.RoomConfiguration (camelCase keys; agents[] of
    // {agentName, metadata} dispatches agents when the token creates the room). Null: absent.
    nlohmann::json room_config;
};

// Builds the claims object for `spec` issued at `now`. Throws Error(usage) when ttl <= 0, when
// the API key is empty, or when roomJoin is set without identity (the server answers 400
// "identity cannot be empty", and the Node SDK refuses to mint such a token).
nlohmann::json build_claims(const AccessTokenSpec& spec, std::chrono::system_clock::time_point now);

// build_claims + HS256 signature with the API secret.
std::string mint(const AccessTokenSpec& spec, std::string_view api_secret,
                 std::chrono::system_clock::time_point now);

}  // namespace roomctl::livekit
