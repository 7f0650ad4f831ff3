#pragma once
// The parts of a LiveKit token that `token create` takes as JSON or as lk-style flags: grants
// without a flag of their own (--grant JSON, merged into the video grant) and the room
// configuration with agent dispatch (--room-config JSON, --agent NAME, --job-metadata), as
// `lk token create` writes them (livekit/protocol auth/grants.go ClaimGrants.RoomConfig,
// livekit_room.proto RoomConfiguration / RoomAgentDispatch).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/livekit/access_token.hpp"

namespace roomctl::mint {

// `text` (a JSON object of Go auth.VideoGrant keys, e.g. {"canSubscribeMetrics":true}) as a
// grant. Throws Error(usage) naming the key for a key VideoGrant does not have, a value of the
// wrong type, "room" (it belongs to --room, which {i} expands), or text that is no JSON object.
livekit::VideoGrant grant_from_json(std::string_view text);

// Copies every field `from` sets into `into`. Throws Error(usage) when both set a field to
// different values (a flag and --grant disagreeing), naming the key.
void merge_grant(livekit::VideoGrant& into, const livekit::VideoGrant& from);

// The "roomConfig" claim: `room_config_json` (a RoomConfiguration object in protojson, either
// key style; "" for none) with one agents[] entry {"agentName", "metadata"} per `agents` name
// appended, each carrying `job_metadata`. Null when all are empty. Throws Error(usage) for an
// unknown key, a value of the wrong type, "egress" (it carries storage credentials; LiveKit's Go
// SDK refuses to put those into a token), or --job-metadata without --agent.
nlohmann::json room_config_claim(std::string_view room_config_json,
                                 const std::vector<std::string>& agents,
                                 const std::string& job_metadata);

}  // namespace roomctl::mint
