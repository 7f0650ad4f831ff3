#pragma once
// An in-memory media::MediaServer for unit tests: rooms by name, participants by room, scripted
// failures, a clock offset, and a record of every call. Thread-safe; the executor's workers
// each get their own client (client()) forwarding to one shared server.
//
//   support::FakeMediaServer server;
//   server.add_room("s1", 2);                                  // a room with 2 participants
//   server.fail(Call::create_room, Failure::in_doubt);         // created, but the answer lost
//   auto ports_server = [&] { return server.client(); };

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "roomctl/http/transport.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::support {

enum class Call {
    list_rooms,
    create_room,
    delete_room,
    list_participants,
    confirm_missing,
    previous_room
};

// How a scripted call fails.
enum class Failure {
    refused,      // the server answered with an error (HTTP 5xx): Error(runtime), nothing done
    auth,         // the credentials were refused: Error(auth), nothing done
    unreachable,  // TransportError(refused): the request never reached the server
    in_doubt,     // TransportError(timeout) AFTER the server acted: the room was created or
                  // deleted, but the answer was lost
    interrupted,  // TransportError(cancelled): SIGINT/SIGTERM cut the call short, nothing done
};

struct ServerCall {
    Call call;
    std::string room;  // the room named (create, delete, participants, confirm); "" for lists
    std::string sid;   // delete_room's, confirm_missing's and previous_room's SID
};

class FakeMediaServer final : public media::MediaServer {
public:
    // Everything public is read and set by tests before and after a run; while one runs, use
    // the member functions (they lock).
    std::map<std::string, media::ServerRoom> rooms;
    std::map<std::string, std::vector<media::Participant>> participants;
    // confirm_missing's answer by room name (Twilio's second look); absent: nullopt.
    std::map<std::string, media::ServerRoom> confirmable;
    // previous_room's answer by SID (Twilio keeps completed rooms); absent: nullopt.
    std::map<std::string, media::ServerRoom> previous;
    // Every CreateRoomOptions create_room was given, in order (failed calls too).
    std::vector<media::CreateRoomOptions> created_with;
    std::string provider_name = "livekit";
    std::size_t max_name_length = 256;
    bool counts_participants = true;  // false: list_rooms leaves counts unknown (Twilio)
    std::optional<std::int64_t> clock_offset_seconds;
    std::int64_t now = 1767225600;  // creation_time of rooms created here (2026-01-01)
    // Run inside create_room after the room exists, before the answer ("while its room was
    // being created"); may change the store or throw.
    std::function<void(const media::ServerRoom&)> during_create;
    // Run before list_participants answers (or fails); may throw.
    std::function<void(const std::string& room)> before_list_participants;

    // Adds a room named `name` with SID "RM_<name>" and `people` participants.
    media::ServerRoom& add_room(const std::string& name, std::uint32_t people = 0) {
        std::lock_guard lock(m_mutex);
        auto& room = rooms[name];
        room.name = name;
        room.sid = "RM_" + name;
        room.creation_time = now;
        set_people(name, people);
        return room;
    }
    // `count` participants in `room` ("PA_<room>_<i>", identities "user<i>").
    void set_participants(const std::string& room, std::uint32_t count) {
        std::lock_guard lock(m_mutex);
        set_people(room, count);
    }
    // The next `times` calls of `call` naming `room` ("" = any room) fail as `failure`.
    void fail(Call call, Failure failure, const std::string& room = "", int times = 1) {
        std::lock_guard lock(m_mutex);
        m_failures.push_back({call, room, failure, times});
    }
    // Every call so far, in order.
    std::vector<ServerCall> calls() const {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    std::size_t count(Call call) const {
        std::lock_guard lock(m_mutex);
        std::size_t n = 0;
        for (const auto& c : m_calls) n += c.call == call ? 1 : 0;
        return n;
    }
    bool has_room(const std::string& name) const {
        std::lock_guard lock(m_mutex);
        return rooms.contains(name);
    }

    // A client of this server for one worker (ExecutorPorts::make_server).
    std::unique_ptr<media::MediaServer> client();

    std::string provider() const override { return provider_name; }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>& names) override {
        std::unique_lock lock(m_mutex);
        record(lock, Call::list_rooms, "", "");
        std::vector<media::ServerRoom> out;
        for (const auto& [name, room] : rooms) {
            bool wanted = names.empty();
            for (const auto& n : names) wanted = wanted || n == name;
            if (!wanted) continue;
            out.push_back(room);
            // LiveKit always counts (a room seeded without one has nobody in it); Twilio's
            // rooms carry no count.
            auto& listed = out.back().num_participants;
            listed = counts_participants ? listed.value_or(0) : std::optional<std::uint32_t>{};
        }
        return out;
    }
    media::ServerRoom create_room(const media::CreateRoomOptions& o) override {
        std::unique_lock lock(m_mutex);
        const auto failure = record(lock, Call::create_room, o.name, "", false);
        created_with.push_back(o);
        if (failure && *failure != Failure::in_doubt) throw_failure(*failure, "CreateRoom");
        media::ServerRoom room;
        if (auto it = rooms.find(o.name); it != rooms.end()) {
            room = it->second;  // idempotent, as on LiveKit: same SID
        } else {
            room.name = o.name;
            room.sid = "RM_" + o.name;
            room.creation_time = now;
            room.empty_timeout = o.empty_timeout;
            room.departure_timeout = o.departure_timeout;
            room.max_participants = o.max_participants;
            room.metadata = o.metadata;
            room.type = o.type;
            room.status_callback = o.status_callback;
            room.status_callback_method = o.status_callback_method;
            room.media_region = o.media_region;
            rooms[o.name] = room;
        }
        lock.unlock();
        if (during_create) during_create(room);
        if (failure) throw_failure(*failure, "CreateRoom");
        return room;
    }
    media::DeleteOutcome delete_room(const std::string& name, const std::string& sid) override {
        std::unique_lock lock(m_mutex);
        const auto failure = record(lock, Call::delete_room, name, sid, false);
        if (failure && *failure != Failure::in_doubt) throw_failure(*failure, "DeleteRoom");
        const bool existed = rooms.erase(name) > 0;
        participants.erase(name);
        if (failure) throw_failure(*failure, "DeleteRoom");
        return existed ? media::DeleteOutcome::deleted : media::DeleteOutcome::already_gone;
    }
    std::vector<media::Participant> list_participants(const std::string& room) override {
        if (before_list_participants) before_list_participants(room);
        std::unique_lock lock(m_mutex);
        record(lock, Call::list_participants, room, "");
        if (auto it = participants.find(room); it != participants.end()) return it->second;
        for (const auto& [name, r] : rooms) {  // by SID, as Twilio also accepts
            if (r.sid == room && participants.count(name)) return participants.at(name);
        }
        return {};
    }
    std::size_t max_room_name_length() const override { return max_name_length; }
    std::optional<media::ServerRoom> confirm_missing(const std::string& name,
                                                     const std::string& sid) override {
        std::unique_lock lock(m_mutex);
        record(lock, Call::confirm_missing, name, sid);
        if (auto it = confirmable.find(name); it != confirmable.end()) return it->second;
        return std::nullopt;
    }
    std::optional<media::ServerRoom> previous_room(const std::string& sid) override {
        std::unique_lock lock(m_mutex);
        record(lock, Call::previous_room, "", sid);
        if (auto it = previous.find(sid); it != previous.end()) return it->second;
        return std::nullopt;
    }
    std::optional<std::int64_t> clock_offset() const override { return clock_offset_seconds; }

private:
    struct Scripted {
        Call call;
        std::string room;
        Failure failure;
        int times;
    };

    void set_people(const std::string& room, std::uint32_t count) {
        auto& list = participants[room];
        list.clear();
        for (std::uint32_t i = 0; i < count; ++i) {
            media::Participant p;
            p.sid = "PA_" + room + "_" + std::to_string(i);
            p.identity = "user" + std::to_string(i);
            p.state = "ACTIVE";
            p.joined_at = now;
            list.push_back(p);
        }
        if (auto it = rooms.find(room); it != rooms.end()) it->second.num_participants = count;
    }

    // Records the call and takes its scripted failure, if any; throws it at once when
    // `throw_now` (create and delete pass false: they throw in_doubt only after acting).
    std::optional<Failure> record(std::unique_lock<std::mutex>& lock, Call call,
                                  const std::string& room, const std::string& sid,
                                  bool throw_now = true) {
        m_calls.push_back({call, room, sid});
        std::optional<Failure> failure;
        for (auto it = m_failures.begin(); it != m_failures.end(); ++it) {
            if (it->call != call || (!it->room.empty() && it->room != room)) continue;
            failure = it->failure;
            if (--it->times == 0) m_failures.erase(it);
            break;
        }
        if (failure && throw_now) {
            lock.unlock();
            throw_failure(*failure, call_name(call));
        }
        return failure;
    }
    static const char* call_name(Call call) {
        switch (call) {
            case Call::list_rooms:
                return "ListRooms";
            case Call::create_room:
                return "CreateRoom";
            case Call::delete_room:
                return "DeleteRoom";
            case Call::list_participants:
                return "ListParticipants";
            case Call::confirm_missing:
            case Call::previous_room:
                return "FetchRoom";
        }
        return "call";
    }
    [[noreturn]] static void throw_failure(Failure failure, const std::string& what) {
        switch (failure) {
            case Failure::refused:
                throw runtime_error(what + ": server error (HTTP 503): try again later");
            case Failure::auth:
                throw auth_error(what + ": the server refused the credentials (HTTP 401)");
            case Failure::unreachable:
                throw http::TransportError(http::FailureCause::refused,
                                           "connection refused at 127.0.0.1:7880");
            case Failure::in_doubt:
                throw http::TransportError(http::FailureCause::timeout,
                                           "no answer from 127.0.0.1:7880 within 10 s");
            case Failure::interrupted:
                throw http::TransportError(http::FailureCause::cancelled,
                                           "interrupted while waiting for 127.0.0.1:7880");
        }
        throw runtime_error(what);
    }

    mutable std::mutex m_mutex;
    std::vector<Scripted> m_failures;
    std::vector<ServerCall> m_calls;
};

// Forwards to a shared FakeMediaServer: each executor worker wants a client of its own.
class FakeMediaClient final : public media::MediaServer {
public:
    explicit FakeMediaClient(FakeMediaServer& s) : m_s(s) {}
    std::string provider() const override { return m_s.provider(); }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>& n) override {
        return m_s.list_rooms(n);
    }
    media::ServerRoom create_room(const media::CreateRoomOptions& o) override {
        return m_s.create_room(o);
    }
    media::DeleteOutcome delete_room(const std::string& n, const std::string& sid) override {
        return m_s.delete_room(n, sid);
    }
    std::vector<media::Participant> list_participants(const std::string& r) override {
        return m_s.list_participants(r);
    }
    std::size_t max_room_name_length() const override { return m_s.max_room_name_length(); }
    std::uint32_t max_empty_timeout() const override { return m_s.max_empty_timeout(); }
    std::uint32_t empty_timeout_step() const override { return m_s.empty_timeout_step(); }
    void validate(const media::CreateRoomOptions& o) const override { m_s.validate(o); }
    std::optional<media::ServerRoom> confirm_missing(const std::string& n,
                                                     const std::string& sid) override {
        return m_s.confirm_missing(n, sid);
    }
    std::optional<media::ServerRoom> previous_room(const std::string& sid) override {
        return m_s.previous_room(sid);
    }
    std::optional<std::int64_t> clock_offset() const override { return m_s.clock_offset(); }

private:
    FakeMediaServer& m_s;
};

inline std::unique_ptr<media::MediaServer> FakeMediaServer::client() {
    return std::make_unique<FakeMediaClient>(*this);
}

}  // namespace roomctl::support
