#pragma once
// In-test media server and room store for the executor's tests (executor_test.cpp,
// executor_sid_writes_test.cpp). The store fake holds rows in memory; the SQL itself is
// tested in tests/db.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "roomctl/reconcile/executor.hpp"

namespace roomctl::reconcile::testing {

struct Row {
    std::optional<std::string> sid;
    bool live = true;
};

// The room table: rows by name, compare-and-set writes, and hooks to play the app.
class FakeStore final : public store::RoomStore {
public:
    std::map<std::string, Row> rows;
    bool unreadable = false;  // recorded_sid throws
    int writes = 0;
    store::SidColumn sid_facts{"room_sid", "text", std::nullopt, ""};
    std::mutex mutex;

    std::vector<store::DbRoom> load_rooms() override { return {}; }
    std::set<std::string> ignored;  // writes to these rows change nothing (a trigger's NULL)
    std::function<void(const std::vector<store::SidUpdate>&)> before_write;  // may throw
    std::vector<std::size_t> batches;  // sizes of the update_sids calls
    std::vector<int> update_sids(const std::vector<store::SidUpdate>& updates) override {
        {
            std::lock_guard lock(mutex);
            batches.push_back(updates.size());
        }
        if (before_write) before_write(updates);
        std::lock_guard lock(mutex);
        std::vector<int> changed;
        for (const auto& u : updates) {
            ++writes;
            auto it = rows.find(u.name);
            bool hit = it != rows.end() && it->second.live && it->second.sid == u.expected_sid &&
                       !ignored.contains(u.name);
            if (hit) it->second.sid = u.new_sid;
            changed.push_back(hit ? 1 : 0);
        }
        return changed;
    }
    store::RecordedSid recorded_sid(const std::string& name) override {
        std::lock_guard lock(mutex);
        if (unreadable) throw runtime_error("connection to the database lost");
        auto it = rows.find(name);
        if (it == rows.end() || !it->second.live) return {false, std::nullopt};
        return {true, it->second.sid};
    }
    std::vector<store::DbRoom> find_session(const std::string&) override { return {}; }
    bool is_live(const std::string& name) override {
        std::lock_guard lock(mutex);
        auto it = rows.find(name);
        return it != rows.end() && it->second.live;
    }
    store::MappingCheck check_mapping() override { return {true, "", "public.rooms"}; }
    store::SidColumn sid_column() override { return sid_facts; }
    bool try_advisory_lock(std::int64_t) override { return true; }
    std::vector<store::StatusCount> status_counts() override { return {}; }
    store::RowVisibility row_visibility() override { return {}; }
    bool try_table_lock() override { return true; }
    void release_locks() noexcept override {}
    std::optional<store::LockHolder> table_lock_holder() override { return std::nullopt; }
    store::SessionCheck session_check() override { return {}; }
    store::DatabaseTarget target() override { return {}; }
    void cancel() noexcept override {}
};

// The media server: rooms by name, participants by room, and a hook run inside CreateRoom
// (after the room exists, before the answer: "while its room was being created").
class FakeServer final : public media::MediaServer {
public:
    std::map<std::string, media::ServerRoom> rooms;
    std::map<std::string, std::vector<media::Participant>> participants;
    std::function<void(const media::ServerRoom&)> during_create;
    std::function<void(const std::string&)> before_list_participants;
    int creates = 0, deletes = 0;
    std::mutex mutex;

    std::string provider() const override { return "livekit"; }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>&) override {
        return {};
    }
    media::ServerRoom create_room(const media::CreateRoomOptions& o) override {
        media::ServerRoom room;
        {
            std::lock_guard lock(mutex);
            ++creates;
            room.name = o.name;
            room.sid = "RM_" + o.name;
            room.empty_timeout = o.empty_timeout;
            rooms[o.name] = room;
        }
        if (during_create) during_create(room);
        return room;
    }
    media::DeleteOutcome delete_room(const std::string& name, const std::string&) override {
        std::lock_guard lock(mutex);
        ++deletes;
        return rooms.erase(name) ? media::DeleteOutcome::deleted
                                 : media::DeleteOutcome::already_gone;
    }
    std::vector<media::Participant> list_participants(const std::string& room) override {
        if (before_list_participants) before_list_participants(room);
        std::lock_guard lock(mutex);
        return participants[room];
    }
};

// Hands the executor a client that forwards to the shared fake (workers each want their own).
class ServerHandle final : public media::MediaServer {
public:
    explicit ServerHandle(FakeServer& s) : m_s(s) {}
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

private:
    FakeServer& m_s;
};

struct Fixture {
    FakeStore store;
    FakeServer server;
    ExecutorPorts ports() {
        ExecutorPorts p;
        p.make_server = [this] { return std::make_unique<ServerHandle>(server); };
        p.store = &store;
        return p;
    }
};

inline Action create(const std::string& name) {
    Action a;
    a.kind = ActionKind::create_room;
    a.room = name;
    return a;
}

inline Action remove(const std::string& name) {
    Action a;
    a.kind = ActionKind::delete_room;
    a.room = name;
    a.server_sid = "RM_" + name;
    return a;
}

inline ExecuteOptions one_worker() {
    ExecuteOptions o;
    o.concurrency = 1;
    o.empty_timeout = 60;
    return o;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace roomctl::reconcile::testing
