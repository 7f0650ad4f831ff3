#include "roomctl/livekit/room_service.hpp"

#include <fmt/format.h>

#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

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

bool as_bool(const json& j, const char* snake, const char* camel) {
    const json* v = field(j, snake, camel);
    if (!v) return false;
    if (!v->is_boolean())
        throw runtime_error(fmt::format("LiveKit sent an invalid {} (expected true/false)", snake));
    return v->get<bool>();
}

// Protobuf enums: the server sends names, SDKs may send numbers; numbers become the name.
using EnumNames = std::vector<std::pair<int, const char*>>;
const EnumNames k_track_types = {{0, "AUDIO"}, {1, "VIDEO"}, {2, "DATA"}};
const EnumNames k_track_sources = {{0, "UNKNOWN"},
                                   {1, "CAMERA"},
                                   {2, "MICROPHONE"},
                                   {3, "SCREEN_SHARE"},
                                   {4, "SCREEN_SHARE_AUDIO"}};
const EnumNames k_participant_states = {
    {0, "JOINING"}, {1, "JOINED"}, {2, "ACTIVE"}, {3, "DISCONNECTED"}};
const EnumNames k_participant_kinds = {{0, "STANDARD"}, {1, "INGRESS"},   {2, "EGRESS"}, {3, "SIP"},
                                       {4, "AGENT"},    {7, "CONNECTOR"}, {8, "BRIDGE"}};

std::string enum_name(const json& v, const char* what, const EnumNames& names) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) {
        const auto n = v.get<long long>();
        for (const auto& [value, name] : names)
            if (value == n) return name;
        return std::to_string(n);  // a value newer than roomctl: shown as it came
    }
    throw runtime_error(fmt::format("LiveKit sent an invalid {} (expected an enum)", what));
}

std::string as_enum(const json& j, const char* snake, const char* camel, const EnumNames& names) {
    const json* v = field(j, snake, camel);
    return v ? enum_name(*v, snake, names) : std::string{};
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

media::Track track_from_json(const json& j) {
    require_object(j, "track");
    media::Track t;
    t.sid = as_string(j, "sid", "sid");
    t.name = as_string(j, "name", "name");
    t.type = as_enum(j, "type", "type", k_track_types);
    t.source = as_enum(j, "source", "source", k_track_sources);
    t.mime_type = as_string(j, "mime_type", "mimeType");
    t.muted = as_bool(j, "muted", "muted");
    return t;
}

media::Participant participant_from_json(const json& j) {
    require_object(j, "participant");
    media::Participant p;
    p.sid = as_string(j, "sid", "sid");
    p.identity = as_string(j, "identity", "identity");
    p.name = as_string(j, "name", "name");
    p.state = as_enum(j, "state", "state", k_participant_states);
    p.joined_at = as_int64(j, "joined_at", "joinedAt");
    p.kind = as_enum(j, "kind", "kind", k_participant_kinds);
    p.metadata = as_string(j, "metadata", "metadata");
    if (const json* a = field(j, "attributes", "attributes")) {
        if (!a->is_object())
            throw runtime_error("LiveKit sent invalid attributes (expected an object)");
        for (const auto& [k, v] : a->items()) {
            if (!v.is_string())
                throw runtime_error("LiveKit sent an invalid attribute value (expected a string)");
            p.attributes[k] = v.get<std::string>();
        }
    }
    for (const auto& t : list_field(j, "tracks")) p.tracks.push_back(track_from_json(t));
    if (const json* perm = field(j, "permission", "permission")) {
        require_object(*perm, "permission");
        media::ParticipantPermission m;
        m.can_subscribe = as_bool(*perm, "can_subscribe", "canSubscribe");
        m.can_publish = as_bool(*perm, "can_publish", "canPublish");
        m.can_publish_data = as_bool(*perm, "can_publish_data", "canPublishData");
        m.hidden = as_bool(*perm, "hidden", "hidden");
        m.can_update_metadata = as_bool(*perm, "can_update_metadata", "canUpdateMetadata");
        const json* sources = field(*perm, "can_publish_sources", "canPublishSources");
        if (sources && !sources->is_array())
            throw runtime_error("LiveKit sent a non-list can_publish_sources");
        if (sources) {
            for (const auto& s : *sources)
                m.can_publish_sources.push_back(
                    enum_name(s, "can_publish_sources", k_track_sources));
        }
        p.permission = m;
    }
    return p;
}

nlohmann::json permission_to_json(const media::ParticipantPermission& m) {
    return json{{"can_subscribe", m.can_subscribe},
                {"can_publish", m.can_publish},
                {"can_publish_data", m.can_publish_data},
                {"can_publish_sources", m.can_publish_sources},
                {"hidden", m.hidden},
                {"can_update_metadata", m.can_update_metadata}};
}

namespace {

// Hands a 2xx JSON ListRooms answer to a ListRoomsFeed while it arrives; other answers (Twirp
// errors, proxies' pages) are collected whole for interpret_twirp_response. Each attempt
// starts a fresh parse in begin(), so nothing of an attempt cut off mid-body reaches the
// result of the one the retry loop makes next.
class ListRoomsConsumer final : public http::BodyConsumer {
public:
    bool begin(const http::Response& head) override {
        m_feed.reset();
        m_rooms.reset();
        m_failure = nullptr;
        if (head.status < 200 || head.status >= 300 || head.media_type() != "application/json")
            return false;
        m_feed = std::make_unique<ListRoomsFeed>();
        return true;
    }
    void write(std::string_view piece) override { m_feed->feed(piece); }
    void end(bool complete) noexcept override {
        if (complete) {
            try {
                m_rooms = m_feed->finish();
            } catch (...) {
                m_failure = std::current_exception();
            }
        }
        m_feed.reset();  // abandons an unfinished parse
    }
    // True when the last attempt's answer was parsed (to rooms or to an error).
    bool parsed() const { return m_rooms.has_value() || m_failure != nullptr; }
    std::vector<media::ServerRoom> take() {
        if (m_failure) std::rethrow_exception(m_failure);
        return std::move(*m_rooms);
    }

private:
    std::unique_ptr<ListRoomsFeed> m_feed;
    std::optional<std::vector<media::ServerRoom>> m_rooms;
    std::exception_ptr m_failure;
};

}  // namespace

RoomServiceClient::RoomServiceClient(http::Transport& transport, ApiEndpoint endpoint,
                                     http::RetryPolicy retry)
    : m_transport(transport), m_endpoint(std::move(endpoint)), m_retry(std::move(retry)) {}

std::vector<media::ServerRoom> RoomServiceClient::list_rooms(
    const std::vector<std::string>& names) {
    VideoGrant grant;
    grant.room_list = true;
    json request = json::object();
    if (!names.empty()) request["names"] = names;
    // A fleet's answer runs to tens of MB: parse it while it arrives, build no document and
    // never hold the whole body.
    ListRoomsConsumer consumer;
    auto response =
        http::send_with_retry(m_transport, twirp_request(m_endpoint, "ListRooms", request, grant),
                              consumer, http::Idempotency::idempotent, m_retry, "ListRooms");
    if (consumer.parsed()) return consumer.take();
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

namespace {

VideoGrant admin_grant(const std::string& room) {
    VideoGrant grant;
    grant.room_admin = true;  // admin grants are per room: the server checks video.room == room
    grant.room = room;
    return grant;
}

// not_found from a participant call: the room or the participant is not there.
[[noreturn]] void participant_missing(const std::string& room, const std::string& who) {
    throw runtime_error(
        fmt::format("participant {} is not in room {} (roomctl participants list {} shows who is)",
                    who, room, room));
}

}  // namespace

media::ServerRoom RoomServiceClient::update_room_metadata(const std::string& room,
                                                          const std::string& metadata) {
    try {
        return room_from_json(twirp_call(m_transport, m_endpoint, "UpdateRoomMetadata",
                                         json{{"room", room}, {"metadata", metadata}},
                                         admin_grant(room), m_retry));
    } catch (const TwirpError& e) {
        if (e.code() == "not_found")
            throw runtime_error(fmt::format(
                "room {} does not exist (roomctl rooms list shows the rooms on the server)", room));
        throw;
    }
}

std::optional<media::Participant> RoomServiceClient::get_participant(const std::string& room,
                                                                     const std::string& who) {
    try {
        return participant_from_json(twirp_call(m_transport, m_endpoint, "GetParticipant",
                                                json{{"room", room}, {"identity", who}},
                                                admin_grant(room), m_retry));
    } catch (const TwirpError& e) {
        if (e.code() == "not_found") return std::nullopt;
        throw;
    }
}

void RoomServiceClient::remove_participant(const std::string& room, const std::string& who) {
    try {
        twirp_call(m_transport, m_endpoint, "RemoveParticipant",
                   json{{"room", room}, {"identity", who}}, admin_grant(room), m_retry);
    } catch (const TwirpError& e) {
        if (e.code() == "not_found") participant_missing(room, who);
        throw;
    }
}

media::Participant RoomServiceClient::update_participant(const std::string& room,
                                                         const std::string& identity,
                                                         const media::ParticipantUpdate& u) {
    // UpdateParticipantRequest: an empty metadata/name means "unchanged" on the server, so an
    // unset member is simply left out; attributes merge (an empty value deletes the key).
    json request{{"room", room}, {"identity", identity}};
    if (u.metadata) request["metadata"] = *u.metadata;
    if (u.name) request["name"] = *u.name;
    if (!u.attributes.empty()) request["attributes"] = u.attributes;
    if (u.permission) request["permission"] = permission_to_json(*u.permission);
    try {
        return participant_from_json(twirp_call(m_transport, m_endpoint, "UpdateParticipant",
                                                request, admin_grant(room), m_retry));
    } catch (const TwirpError& e) {
        if (e.code() == "not_found") participant_missing(room, identity);
        throw;
    }
}

media::Track RoomServiceClient::mute_track(const std::string& room, const std::string& identity,
                                           const std::string& track_sid, bool muted) {
    json request{
        {"room", room}, {"identity", identity}, {"track_sid", track_sid}, {"muted", muted}};
    try {
        auto response = twirp_call(m_transport, m_endpoint, "MutePublishedTrack", request,
                                   admin_grant(room), m_retry);
        const json* track = field(response, "track", "track");
        if (!track) throw runtime_error("LiveKit MutePublishedTrack answered without the track");
        return track_from_json(*track);
    } catch (const TwirpError& e) {
        if (e.code() == "not_found")
            throw runtime_error(fmt::format(
                "{} has no track {} in room {}, or is not in it (roomctl participants get {} {} "
                "lists the tracks)",
                identity, track_sid, room, room, identity));
        if (e.code() == "failed_precondition" && !muted)
            throw runtime_error(
                "the LiveKit server refuses to unmute a track remotely: its "
                "room.enable_remote_unmute is off (ask the participant to unmute)");
        throw;
    }
}

}  // namespace roomctl::livekit
