#include "roomctl/livekit/access_token.hpp"

#include <fmt/format.h>

#include <limits>
#include <utility>

#include "roomctl/token/jwt.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::livekit {

namespace {

using BoolField = std::optional<bool> VideoGrant::*;

// One table drives empty(), to_json() and from_json(), so the three cannot drift apart.
// Keys are the JSON tags of Go's auth.VideoGrant.
constexpr std::pair<const char*, BoolField> k_bool_fields[] = {
    {"roomCreate", &VideoGrant::room_create},
    {"roomList", &VideoGrant::room_list},
    {"roomRecord", &VideoGrant::room_record},
    {"roomAdmin", &VideoGrant::room_admin},
    {"roomJoin", &VideoGrant::room_join},
    {"canPublish", &VideoGrant::can_publish},
    {"canSubscribe", &VideoGrant::can_subscribe},
    {"canPublishData", &VideoGrant::can_publish_data},
    {"canUpdateOwnMetadata", &VideoGrant::can_update_own_metadata},
    {"ingressAdmin", &VideoGrant::ingress_admin},
    {"hidden", &VideoGrant::hidden},
    {"recorder", &VideoGrant::recorder},
    {"agent", &VideoGrant::agent},
    {"canSubscribeMetrics", &VideoGrant::can_subscribe_metrics},
    {"canManageAgentSession", &VideoGrant::can_manage_agent_session},
};

// from_json reads tokens we did not mint (`token inspect`), so a wrong type is a usage error
// naming the key rather than an nlohmann exception.
[[noreturn]] void bad_key(const char* key, std::string_view expected) {
    throw usage_error(fmt::format("token video grant: \"{}\" is not {}", key, expected));
}

}  // namespace

bool VideoGrant::empty() const {
    for (const auto& [key, field] : k_bool_fields) {
        if ((this->*field).has_value()) return false;
    }
    return room.empty() && destination_room.empty() && can_publish_sources.empty();
}

bool VideoGrant::is_key(std::string_view key) {
    for (const auto& [name, field] : k_bool_fields) {
        if (key == name) return true;
    }
    return key == "room" || key == "destinationRoom" || key == "canPublishSources";
}

nlohmann::json VideoGrant::to_json() const {
    auto j = nlohmann::json::object();
    for (const auto& [key, field] : k_bool_fields) {
        if ((this->*field).has_value()) j[key] = *(this->*field);
    }
    if (!room.empty()) j["room"] = room;
    if (!destination_room.empty()) j["destinationRoom"] = destination_room;
    if (!can_publish_sources.empty()) j["canPublishSources"] = can_publish_sources;
    return j;
}

VideoGrant VideoGrant::from_json(const nlohmann::json& j) {
    VideoGrant g;
    if (j.is_null()) return g;
    if (!j.is_object()) throw usage_error("token video grant is not a JSON object");
    for (const auto& [key, field] : k_bool_fields) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) continue;  // Go omitempty / explicit null: unset
        if (!it->is_boolean()) bad_key(key, "a boolean");
        g.*field = it->get<bool>();
    }
    if (const auto it = j.find("room"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) bad_key("room", "a string");
        g.room = it->get<std::string>();
    }
    if (const auto it = j.find("destinationRoom"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) bad_key("destinationRoom", "a string");
        g.destination_room = it->get<std::string>();
    }
    if (const auto it = j.find("canPublishSources"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) bad_key("canPublishSources", "a list of strings");
        for (const auto& source : *it) {
            if (!source.is_string()) bad_key("canPublishSources", "a list of strings");
            g.can_publish_sources.push_back(source.get<std::string>());
        }
    }
    return g;
}

nlohmann::json build_claims(const AccessTokenSpec& spec,
                            std::chrono::system_clock::time_point now) {
    if (spec.api_key.empty()) throw usage_error("cannot mint an access token: API key is empty");
    if (spec.ttl.count() <= 0) {
        throw usage_error(fmt::format("cannot mint an access token: ttl must be positive, got {}s",
                                      spec.ttl.count()));
    }
    if (spec.video.room_join.value_or(false) && spec.identity.empty()) {
        // The server answers 400 "identity cannot be empty" to such a token.
        throw usage_error("cannot mint a join token without an identity (set one with --identity)");
    }
    const auto nbf = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    using Rep = std::chrono::seconds::rep;
    if (spec.ttl.count() > std::numeric_limits<Rep>::max() - nbf) {
        throw usage_error("cannot mint an access token: ttl is too large");
    }

    nlohmann::json claims = {{"iss", spec.api_key}, {"nbf", nbf}, {"exp", nbf + spec.ttl.count()}};
    if (!spec.identity.empty()) claims["sub"] = spec.identity;
    if (!spec.name.empty()) claims["name"] = spec.name;
    if (!spec.metadata.empty()) claims["metadata"] = spec.metadata;
    if (!spec.attributes.empty()) claims["attributes"] = spec.attributes;
    // No grant at all is written as no `video` claim, as the SDKs do before addGrant().
    if (!spec.video.empty()) claims["video"] = spec.video.to_json();
    if (!spec.room_config.is_null()) claims["roomConfig"] = spec.room_config;
    return claims;
}

std::string mint(const AccessTokenSpec& spec, std::string_view api_secret,
                 std::chrono::system_clock::time_point now) {
    // Anyone could forge a token signed with an empty key; refuse rather than send one.
    if (api_secret.empty()) throw usage_error("cannot mint an access token: API secret is empty");
    return token::sign_hs256(build_claims(spec, now), api_secret);
}

}  // namespace roomctl::livekit
