#include "roomctl/mint/extra_claims.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "roomctl/util/error.hpp"

namespace roomctl::mint {

namespace {

nlohmann::json parse_object(std::string_view text, std::string_view flag) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
        throw usage_error(fmt::format(
            "{} is not valid JSON (expected an object such as {})", flag,
            flag == "--grant" ? R"({"canSubscribeMetrics":true})" : R"({"emptyTimeout":600})"));
    }
    if (!j.is_object()) throw usage_error(fmt::format("{} must be a JSON object", flag));
    return j;
}

enum class Type { string, uint, boolean, string_map, agents };

struct ConfigKey {
    const char* camel;
    const char* snake;
    Type type;
};

// livekit.RoomConfiguration's fields (protojson: camelCase, or the proto names), egress aside.
constexpr std::array<ConfigKey, 10> k_config_keys{{
    {"name", "name", Type::string},
    {"emptyTimeout", "empty_timeout", Type::uint},
    {"departureTimeout", "departure_timeout", Type::uint},
    {"maxParticipants", "max_participants", Type::uint},
    {"metadata", "metadata", Type::string},
    {"minPlayoutDelay", "min_playout_delay", Type::uint},
    {"maxPlayoutDelay", "max_playout_delay", Type::uint},
    {"syncStreams", "sync_streams", Type::boolean},
    {"agents", "agents", Type::agents},
    {"tags", "tags", Type::string_map},
}};

bool is_uint(const nlohmann::json& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}

// One RoomAgentDispatch: {agentName, metadata} (or agent_name).
void check_agent(const nlohmann::json& a) {
    if (!a.is_object()) throw usage_error("--room-config: agents must be a list of objects");
    for (const auto& [key, value] : a.items()) {
        if (key != "agentName" && key != "agent_name" && key != "metadata")
            throw usage_error(fmt::format(
                "--room-config: agents[] has no key \"{}\" (it takes agentName and metadata)",
                key));
        if (!value.is_string())
            throw usage_error(fmt::format("--room-config: agents[].{} must be a string", key));
    }
}

void check_value(const ConfigKey& k, const nlohmann::json& v) {
    const auto wrong = [&](std::string_view what) {
        return usage_error(fmt::format("--room-config: \"{}\" must be {}", k.camel, what));
    };
    switch (k.type) {
        case Type::string:
            if (!v.is_string()) throw wrong("a string");
            break;
        case Type::uint:
            if (!is_uint(v) || v.get<std::uint64_t>() > 0xFFFFFFFFu)
                throw wrong("a whole number (seconds, ms or a count: uint32)");
            break;
        case Type::boolean:
            if (!v.is_boolean()) throw wrong("true or false");
            break;
        case Type::string_map:
            if (!v.is_object()) throw wrong("an object of strings");
            for (const auto& [tag, value] : v.items()) {
                if (!value.is_string()) throw wrong("an object of strings");
            }
            break;
        case Type::agents:
            if (!v.is_array()) throw wrong("a list of {\"agentName\", \"metadata\"} objects");
            for (const auto& a : v) check_agent(a);
            break;
    }
}

}  // namespace

livekit::VideoGrant grant_from_json(std::string_view text) {
    const auto j = parse_object(text, "--grant");
    for (const auto& [key, value] : j.items()) {
        if (key == "room")
            throw usage_error("--grant: pass the room with --room (it expands {i} in batches)");
        if (!livekit::VideoGrant::is_key(key))
            throw usage_error(fmt::format(
                "--grant: \"{}\" is not a LiveKit video grant (keys such as roomJoin, "
                "canSubscribeMetrics, destinationRoom; see livekit/protocol auth/grants.go)",
                key));
    }
    try {
        auto g = livekit::VideoGrant::from_json(j);
        for (const auto& source : g.can_publish_sources) {
            static constexpr std::array<std::string_view, 4> k_sources{
                "camera", "microphone", "screen_share", "screen_share_audio"};
            if (std::find(k_sources.begin(), k_sources.end(), source) == k_sources.end())
                throw usage_error(fmt::format(
                    "--grant: canPublishSources has \"{}\" (camera, microphone, screen_share, "
                    "screen_share_audio)",
                    source));
        }
        return g;
    } catch (const Error& e) {
        if (std::string_view{e.what()}.substr(0, 7) == "--grant") throw;
        throw usage_error(fmt::format("--grant: {}", e.what()));
    }
}

void merge_grant(livekit::VideoGrant& into, const livekit::VideoGrant& from) {
    // Compared through JSON, where every set field is one key.
    auto mine = into.to_json();
    const auto theirs = from.to_json();
    for (const auto& [key, value] : theirs.items()) {
        if (mine.contains(key) && mine[key] != value)
            throw usage_error(
                fmt::format("--grant sets \"{}\" to {} but a flag sets it to {}: pass it once", key,
                            value.dump(), mine[key].dump()));
        mine[key] = value;
    }
    const auto room = into.room;
    into = livekit::VideoGrant::from_json(mine);
    into.room = room;
}

nlohmann::json room_config_claim(std::string_view room_config_json,
                                 const std::vector<std::string>& agents,
                                 const std::string& job_metadata) {
    if (!job_metadata.empty() && agents.empty())
        throw usage_error("--job-metadata is for the dispatched agent: pass --agent NAME too");
    nlohmann::json config;
    if (!room_config_json.empty()) {
        config = parse_object(room_config_json, "--room-config");
        for (const auto& item : config.items()) {
            // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
            const std::string& key = item.key();
            const auto& value = item.value();
            if (key == "egress")
                throw usage_error(
                    "--room-config: \"egress\" carries storage credentials, which do not belong "
                    "in a client's token (LiveKit's SDK refuses them too)");
            const auto* k =
                std::find_if(k_config_keys.begin(), k_config_keys.end(),
                             [&](const ConfigKey& c) { return key == c.camel || key == c.snake; });
            if (k == k_config_keys.end())
                throw usage_error(fmt::format(
                    "--room-config: \"{}\" is not a RoomConfiguration field (name, emptyTimeout, "
                    "departureTimeout, maxParticipants, metadata, minPlayoutDelay, "
                    "maxPlayoutDelay, syncStreams, agents, tags)",
                    key));
            check_value(*k, value);
        }
    }
    if (!agents.empty()) {
        if (config.is_null()) config = nlohmann::json::object();
        auto& list = config["agents"];
        if (list.is_null()) list = nlohmann::json::array();
        for (const auto& name : agents) {
            if (name.empty()) throw usage_error("--agent needs the agent's name");
            nlohmann::json dispatch = {{"agentName", name}};
            if (!job_metadata.empty()) dispatch["metadata"] = job_metadata;
            list.push_back(std::move(dispatch));
        }
    }
    return config;
}

}  // namespace roomctl::mint
