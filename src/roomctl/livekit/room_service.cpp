#include "roomctl/livekit/room_service.hpp"

#include <fmt/format.h>

#include <limits>

#include "roomctl/livekit/rooms_sax.hpp"

namespace roomctl::livekit {

namespace {

using nlohmann::json;

// First present key of the two spellings protobuf JSON allows.
const json* field(const json& j, const char* snake, const char* camel) {
    if (auto it = j.find(snake); it != j.end() && !it->is_null()) return &*it;
    if (auto it = j.find(camel); it != j.end() && !it->is_null()) return &*it;
    return nullptr;
}

std::int64_t as_int64(const json& j, const char* snake, const char* camel) {
    const json* v = field(j, snake, camel);
    if (!v) return 0;
    if (v->is_number_unsigned()) {
        // Above INT64_MAX: refused, not wrapped into a negative time or count.
        const auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            throw runtime_error(fmt::format("LiveKit sent an out-of-range {}", snake));
        }
        return static_cast<std::int64_t>(u);
    }
    if (v->is_number_integer()) return v->get<std::int64_t>();
    if (v->is_string()) {
        try {
            std::size_t used = 0;
            auto s = v->get<std::string>();
            auto n = std::stoll(s, &used);
            if (used == s.size()) return n;
        } catch (const std::exception&) {
        }
    }
    throw runtime_error(fmt::format("LiveKit sent an invalid {} (expected an integer)", snake));
}

std::uint32_t as_uint32(const json& j, const char* snake, const char* camel) {
    auto n = as_int64(j, snake, camel);
    if (n < 0 || n > std::numeric_limits<std::uint32_t>::max()) {
        throw runtime_error(fmt::format("LiveKit sent an out-of-range {}", snake));
    }
    return static_cast<std::uint32_t>(n);
}

std::string as_string(const json& j, const char* snake, const char* camel) {
    const json* v = field(j, snake, camel);
    if (!v) return {};
    if (!v->is_string()) {
        throw runtime_error(fmt::format("LiveKit sent an invalid {} (expected a string)", snake));
    }
    return v->get<std::string>();
}

const json& list_field(const json& j, const char* key) {
    static const json empty = json::array();
    auto it = j.find(key);
    // lk and protojson omit empty repeated fields ({} for no rooms): treat absence as empty.
    if (it == j.end() || it->is_null()) return empty;
    if (!it->is_array()) throw runtime_error(fmt::format("LiveKit sent a non-list \"{}\"", key));
    return *it;
}

void require_object(const json& j, const char* what) {
    if (!j.is_object())
        throw runtime_error(fmt::format("LiveKit sent a {} that is not an object", what));
}

}  // namespace

media::ServerRoom room_from_json(const json& j) {
    require_object(j, "room");
    media::ServerRoom r;
    r.sid = as_string(j, "sid", "sid");
    r.name = as_string(j, "name", "name");
    r.creation_time = as_int64(j, "creation_time", "creationTime");
    r.num_participants = as_uint32(j, "num_participants", "numParticipants");
    r.empty_timeout = as_uint32(j, "empty_timeout", "emptyTimeout");
    r.departure_timeout = as_uint32(j, "departure_timeout", "departureTimeout");
    r.max_participants = as_uint32(j, "max_participants", "maxParticipants");
    r.metadata = as_string(j, "metadata", "metadata");
    return r;
}

media::Participant participant_from_json(const json& j) {
    require_object(j, "participant");
    media::Participant p;
    p.sid = as_string(j, "sid", "sid");
    p.identity = as_string(j, "identity", "identity");
    p.name = as_string(j, "name", "name");
    const json* state = field(j, "state", "state");
    if (state && state->is_string()) p.state = state->get<std::string>();
    p.joined_at = as_int64(j, "joined_at", "joinedAt");
    return p;
}

RoomServiceClient::RoomServiceClient(http::Transport& transport, ApiEndpoint endpoint,
                                     http::RetryPolicy retry)
    : m_transport(transport), m_endpoint(std::move(endpoint)), m_retry(std::move(retry)) {}

std::vector<media::ServerRoom> RoomServiceClient::list_rooms(
    const std::vector<std::string>& names) {
    VideoGrant grant;
    grant.room_list = true;
    json request = json::object();
    if (!names.empty()) request["names"] = names;
    auto response =
        http::send_with_retry(m_transport, twirp_request(m_endpoint, "ListRooms", request, grant),
                              http::Idempotency::idempotent, m_retry, "ListRooms");
    if (response.status >= 200 && response.status < 300 &&
        response.media_type() == "application/json") {
        // A fleet's answer runs to tens of MB: parse it as a stream, build no document.
        return parse_list_rooms(response.body);
    }
    interpret_twirp_response("ListRooms", response, m_endpoint);  // throws for every non-answer
    throw runtime_error("LiveKit ListRooms gave no answer to parse");
}

void RoomServiceClient::validate(const media::CreateRoomOptions& o) const {
    const auto refuse = [](const std::string& value, const char* what) {
        if (!value.empty()) {
            throw usage_error(fmt::format(
                "{} is a Twilio Video setting; LiveKit rooms have none: leave it unset with "
                "provider livekit",
                what));
        }
    };
    refuse(o.type, "room type");
    refuse(o.status_callback, "status callback");
    refuse(o.status_callback_method, "status callback method");
    refuse(o.media_region, "media region");
}

media::ServerRoom RoomServiceClient::create_room(const media::CreateRoomOptions& o) {
    validate(o);
    VideoGrant grant;
    grant.room_create = true;
    // Zero means "server default" on the wire too, so zero fields are left out as SDKs do.
    json request = {{"name", o.name}};
    if (o.empty_timeout) request["empty_timeout"] = o.empty_timeout;
    if (o.departure_timeout) request["departure_timeout"] = o.departure_timeout;
    if (o.max_participants) request["max_participants"] = o.max_participants;
    if (!o.metadata.empty()) request["metadata"] = o.metadata;
    return room_from_json(
        twirp_call(m_transport, m_endpoint, "CreateRoom", request, grant, m_retry));
}

media::DeleteOutcome RoomServiceClient::delete_room(const std::string& name,
                                                    const std::string& /*sid*/) {
    VideoGrant grant;
    grant.room_create = true;
    try {
        twirp_call(m_transport, m_endpoint, "DeleteRoom", json{{"room", name}}, grant, m_retry);
        return media::DeleteOutcome::deleted;
    } catch (const TwirpError& e) {
        if (e.code() == "not_found") return media::DeleteOutcome::already_gone;
        throw;
    }
}

std::vector<media::Participant> RoomServiceClient::list_participants(const std::string& room) {
    VideoGrant grant;
    grant.room_admin = true;  // admin grants are per room: the server checks video.room == room
    grant.room = room;
    auto response = twirp_call(m_transport, m_endpoint, "ListParticipants", json{{"room", room}},
                               grant, m_retry);
    std::vector<media::Participant> out;
    for (const auto& p : list_field(response, "participants"))
        out.push_back(participant_from_json(p));
    return out;
}

}  // namespace roomctl::livekit
