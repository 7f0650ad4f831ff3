#include "roomctl/twilio/video_client.hpp"

#include <fmt/format.h>

#include <ctime>
#include <set>
#include <thread>

#include "roomctl/http/form.hpp"

namespace roomctl::twilio {

namespace {

using nlohmann::json;

// A page holds at most 1000 rooms; a runaway next_page_url loop must still end.
constexpr int k_max_pages = 10'000;

std::string text(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) throw runtime_error(fmt::format("Twilio sent an invalid {}", key));
    return it->get<std::string>();
}

std::uint32_t count(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return 0;
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<long long>() >= 0)) {
        throw runtime_error(fmt::format("Twilio sent an invalid {}", key));
    }
    return static_cast<std::uint32_t>(it->get<unsigned long long>());
}

// "2015-07-30T20:00:00Z" -> unix seconds (0 when absent or unparseable).
std::int64_t iso_time(const std::string& v) {
    std::tm tm{};
    if (v.empty() || !strptime(v.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

bool is_not_found(const RestError& e) { return e.status() == 404 || e.code() == 20404; }

media::Participant participant_from_json(const json& p) {
    if (!p.is_object()) throw runtime_error("Twilio sent a participant that is not an object");
    media::Participant part;
    part.sid = text(p, "sid");
    part.identity = text(p, "identity");
    part.state = text(p, "status");
    part.joined_at = iso_time(text(p, "start_time"));
    return part;
}

std::string participant_path(const std::string& room, const std::string& who) {
    return "/v1/Rooms/" + http::url_encode(room) + "/Participants/" + http::url_encode(who);
}

}  // namespace

media::ServerRoom room_from_json(const json& j) {
    if (!j.is_object()) throw runtime_error("Twilio sent a room that is not an object");
    media::ServerRoom r;
    r.sid = text(j, "sid");
    r.name = text(j, "unique_name");
    r.creation_time = iso_time(text(j, "date_created"));
    r.max_participants = count(j, "max_participants");
    // Stored in minutes by Twilio; media::ServerRoom speaks seconds.
    r.empty_timeout = count(j, "unused_room_timeout") * 60;
    r.departure_timeout = count(j, "empty_room_timeout") * 60;
    r.type = text(j, "type");
    r.status = text(j, "status");
    r.status_callback = text(j, "status_callback");
    r.status_callback_method = text(j, "status_callback_method");
    r.media_region = text(j, "media_region");
    return r;
}

VideoClient::VideoClient(http::Transport& transport, Endpoint endpoint, RetryPolicy policy)
    : m_transport(transport), m_endpoint(std::move(endpoint)), m_policy(policy) {}

json VideoClient::get(const std::string& path_and_query, const std::string& what) {
    std::string url = path_and_query.rfind("http", 0) == 0 ? path_and_query
                                                           : m_endpoint.base_url + path_and_query;
    // Page links come from the answer; the credentials go only where the base URL points.
    if (url.rfind(m_endpoint.base_url + "/", 0) != 0) {
        const auto host_end =
            url.find('/', url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
        throw runtime_error(fmt::format(
            "Twilio {} answered with a page link to {}, not {}: refusing to send the "
            "credentials there (check the base URL)",
            what, url.substr(0, std::min(host_end, std::size_t{100})), m_endpoint.base_url));
    }
    return call(m_transport, m_endpoint, "GET", url, {}, what, http::Idempotency::idempotent,
                m_policy);
}

void VideoClient::probe() { get("/v1/Rooms?PageSize=1", "ListRooms"); }

std::vector<media::ServerRoom> VideoClient::list_rooms(const std::vector<std::string>& names) {
    std::string url = "/v1/Rooms?Status=in-progress&PageSize=1000";
    if (names.size() == 1) url += "&UniqueName=" + http::url_encode(names.front());
    std::vector<media::ServerRoom> rooms;
    std::set<std::string> seen;
    for (int page = 0; page < k_max_pages; ++page) {
        auto body = get(url, "ListRooms");
        auto it = body.find("rooms");
        if (it == body.end() || !it->is_array()) {
            throw runtime_error("Twilio ListRooms answered without a \"rooms\" list");
        }
        for (const auto& r : *it) {
            auto room = room_from_json(r);
            // Pages can shift while rooms end; never count one room twice.
            if (seen.insert(room.sid).second) rooms.push_back(std::move(room));
        }
        const auto& meta = body.value("meta", json::object());
        auto next = meta.find("next_page_url");
        if (next == meta.end() || next->is_null()) break;
        if (!next->is_string()) throw runtime_error("Twilio sent an invalid meta.next_page_url");
        url = next->get<std::string>();
    }
    if (names.size() > 1) {
        std::set<std::string> wanted(names.begin(), names.end());
        std::erase_if(rooms, [&](const auto& r) { return !wanted.count(r.name); });
    }
    return rooms;
}

void VideoClient::validate(const media::CreateRoomOptions& o) const { validate_create_options(o); }

media::ServerRoom VideoClient::create_room(const media::CreateRoomOptions& o) {
    validate(o);
    const auto form = create_form(o);
    try {
        return room_from_json(
            // Repeating a create is safe: UniqueName is unique among in-progress rooms, so a
            // repeat of a create whose answer was lost gets 53113 and adopts that room below.
            call(m_transport, m_endpoint, "POST", m_endpoint.base_url + "/v1/Rooms", form,
                 "CreateRoom", http::Idempotency::idempotent, m_policy));
    } catch (const RestError& e) {
        if (e.code() != 53113) throw;
        // An in-progress room already has the name (the app or a client made it): adopt it.
        if (auto room = fetch(o.name)) return *room;
        throw;
    }
}

std::optional<media::ServerRoom> VideoClient::fetch(const std::string& sid_or_name) {
    try {
        return room_from_json(get("/v1/Rooms/" + http::url_encode(sid_or_name), "FetchRoom"));
    } catch (const RestError& e) {
        if (is_not_found(e)) return std::nullopt;
        throw;
    }
}

media::DeleteOutcome VideoClient::delete_room(const std::string& name, const std::string& sid) {
    const std::string& target = sid.empty() ? name : sid;
    try {
        call(m_transport, m_endpoint, "POST",
             m_endpoint.base_url + "/v1/Rooms/" + http::url_encode(target),
             {{"Status", "completed"}}, "DeleteRoom", http::Idempotency::idempotent, m_policy);
        return media::DeleteOutcome::deleted;
    } catch (const RestError& e) {
        if (is_not_found(e)) return media::DeleteOutcome::already_gone;
        if (e.code() == 53112) {
            // Not in progress any more: someone (or the timeout) ended it first.
            auto current = get("/v1/Rooms/" + http::url_encode(target), "FetchRoom");
            // text(), not json::value(): a non-string status is Error(runtime), not type_error.
            if (text(current, "status") != "in-progress") {
                return media::DeleteOutcome::already_gone;
            }
        }
        throw;
    }
}

std::vector<media::Participant> VideoClient::list_participants(const std::string& room) {
    std::string url =
        "/v1/Rooms/" + http::url_encode(room) + "/Participants?Status=connected&PageSize=1000";
    std::vector<media::Participant> out;
    for (int page = 0; page < k_max_pages; ++page) {
        json body;
        try {
            body = get(url, "ListParticipants");
        } catch (const RestError& e) {
            if (is_not_found(e)) return out;  // the room is not in progress: nobody is in it
            throw;
        }
        auto it = body.find("participants");
        if (it == body.end() || !it->is_array()) {
            throw runtime_error("Twilio ListParticipants answered without a \"participants\" list");
        }
        for (const auto& p : *it) out.push_back(participant_from_json(p));
        const auto& meta = body.value("meta", json::object());
        auto next = meta.find("next_page_url");
        if (next == meta.end() || !next->is_string()) break;
        url = next->get<std::string>();
    }
    return out;
}

std::optional<json> VideoClient::fetch_sid_twice(const std::string& sid) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            return get("/v1/Rooms/" + http::url_encode(sid), "FetchRoom");
        } catch (const RestError& e) {
            if (!is_not_found(e)) throw;
            if (attempt == 0) std::this_thread::sleep_for(std::chrono::milliseconds{750});
        }
    }
    return std::nullopt;
}

std::optional<media::ServerRoom> VideoClient::confirm_missing(const std::string& name,
                                                              const std::string& sid) {
    // Asked twice before calling the room missing: see fetch_sid_twice.
    auto body = fetch_sid_twice(sid);
    if (!body) return std::nullopt;
    auto room = room_from_json(*body);
    if (room.status == "in-progress" && room.name == name) return room;
    return std::nullopt;  // completed (it cannot be reopened) or renamed: missing
}

std::optional<media::ServerRoom> VideoClient::previous_room(const std::string& sid) {
    if (sid.empty()) return std::nullopt;
    auto body = fetch_sid_twice(sid);
    if (!body) return std::nullopt;
    return room_from_json(*body);
}

std::optional<media::ServerRoom> VideoClient::get_room(const std::string& key) {
    auto room = fetch(key);
    if (!room || room->status != "in-progress") return std::nullopt;
    return room;
}

std::optional<media::Participant> VideoClient::get_participant(const std::string& room,
                                                               const std::string& who) {
    try {
        auto p = participant_from_json(get(participant_path(room, who), "FetchParticipant"));
        if (p.state != "connected" && p.state != "reconnecting") return std::nullopt;
        return p;
    } catch (const RestError& e) {
        if (is_not_found(e)) return std::nullopt;
        throw;
    }
}

void VideoClient::remove_participant(const std::string& room, const std::string& who) {
    try {
        // Repeating is safe: a repeat finds the participant disconnected (20001, below).
        call(m_transport, m_endpoint, "POST", m_endpoint.base_url + participant_path(room, who),
             {{"Status", "disconnected"}}, "DisconnectParticipant", http::Idempotency::idempotent,
             m_policy);
    } catch (const RestError& e) {
        // 20001 "Status is invalid": the participant is no longer connected.
        if (is_not_found(e) || e.code() == 20001)
            throw runtime_error(fmt::format(
                "participant {} is not in room {} (roomctl participants list {} shows who is)", who,
                room, room));
        throw;
    }
}

}  // namespace roomctl::twilio
