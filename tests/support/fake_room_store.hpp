#pragma once
// An in-memory store::RoomStore for unit tests of the code above the store (the executor, the
// SID recorder): rows by name with compare-and-set SID writes, scripted failures (before the
// write, or after it committed: in doubt), a run lock that can be lost to another run, cancel,
// and a record of every call. The SQL itself is tested against a real PostgreSQL in tests/db.
// Thread-safe; a hook (before_write, and the exceptions scripted) runs outside the lock.
//
//   support::FakeRoomStore store;
//   store.rows["s1"] = {std::nullopt, true};                 // a live row, SID NULL
//   store.fail_after_commit(StoreOp::update_sids, store::WriteInDoubt("..."));
//   store.lose_lock();                                       // every later call: Error(locked)

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::support {

// One row of the room table as the fake holds it.
struct Row {
    Row(std::optional<std::string> sid_ = std::nullopt, bool live_ = true)
        : sid(std::move(sid_)), live(live_) {}
    std::optional<std::string> sid;  // nullopt: NULL
    bool live = true;                // status is one of live_statuses (else ended)
    std::optional<std::string> status;
    std::optional<std::string> session;  // the session column, for find_session
    bool unclassified = false;           // neither live nor ended (overrides `live`)
};

// The operations that can be scripted to fail (release_locks and cancel never throw).
enum class StoreOp {
    load_rooms,
    update_sids,
    recorded_sid,
    find_session,
    is_live,
    check_mapping,
    sid_column,
    try_advisory_lock,
    status_counts,
    row_visibility,
    try_table_lock,
    table_lock_holder,
    session_check,
    target,
};

struct StoreCall {
    StoreOp op;
    std::string name;  // the row named (recorded_sid, is_live), the session, or ""
};

// A scripted failure's `times` that never runs out.
inline constexpr int k_always = -1;

class FakeRoomStore : public store::RoomStore {
public:
    // Read and set by tests before and after a run; while one runs, hooks must lock `mutex`.
    std::map<std::string, Row> rows;
    std::set<std::string> ignored;  // writes to these rows change nothing (a trigger's NULL)
    store::SidColumn sid_facts{"room_sid", "text", std::nullopt, ""};
    store::MappingCheck mapping{true, "", "public.rooms"};
    store::RowVisibility visibility;
    store::DatabaseTarget where{"127.0.0.1", "5432", "app", "roomctl", "public.rooms"};
    std::optional<store::LockHolder> other_holder;  // another run holds the run lock
    // The server room of a row (room_name_template applied); default: the name itself.
    std::function<std::string(const std::string&)> room_of;
    // Run before every update_sids, outside the lock; may block or throw (nothing written).
    std::function<void(const std::vector<store::SidUpdate>&)> before_write;
    std::vector<std::size_t> batches;  // sizes of the update_sids calls, in order
    int writes = 0;                    // row updates attempted (batched or not)
    mutable std::mutex mutex;

    // The next `times` calls of `op` throw `e` before doing anything (k_always: every call).
    template <class E>
    void fail(StoreOp op, const E& e, int times = 1) {
        std::lock_guard lock(mutex);
        m_failures.push_back({op, std::make_exception_ptr(e), times, false});
    }
    // The next `times` update_sids write their rows, then throw `e`: a commit whose answer
    // was lost (store::WriteInDoubt) although it was applied.
    template <class E>
    void fail_after_commit(StoreOp op, const E& e, int times = 1) {
        std::lock_guard lock(mutex);
        m_failures.push_back({op, std::make_exception_ptr(e), times, true});
    }
    // Another run took the run lock while this store's connection was down: from now on every
    // call throws Error(locked), as the real store does when it reconnects.
    void lose_lock() {
        std::lock_guard lock(mutex);
        m_lock_lost = true;
    }
    bool cancelled() const { return m_cancelled.load(); }
    bool locks_released() const {
        std::lock_guard lock(mutex);
        return m_released;
    }
    std::vector<StoreCall> calls() const {
        std::lock_guard lock(mutex);
        return m_calls;
    }
    std::size_t count(StoreOp op) const {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& c : m_calls) n += c.op == op ? 1 : 0;
        return n;
    }

    std::vector<store::DbRoom> load_rooms() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::load_rooms, "");
        std::vector<store::DbRoom> out;
        for (const auto& [name, row] : rows) out.push_back(db_room(name, row));
        return out;  // std::map: ordered by name, like the real store
    }
    std::vector<int> update_sids(const std::vector<store::SidUpdate>& updates) override {
        std::unique_lock lock(mutex);
        batches.push_back(updates.size());
        lock.unlock();
        if (before_write) before_write(updates);
        lock.lock();
        const auto after = enter(lock, StoreOp::update_sids, "");
        std::vector<int> changed;
        for (const auto& u : updates) {
            ++writes;
            auto it = find_room(u.room);
            const bool hit = it != rows.end() && live_row(it->second) &&
                             it->second.sid == u.expected_sid && !ignored.contains(it->first);
            if (hit) it->second.sid = u.new_sid;
            changed.push_back(hit ? 1 : 0);
        }
        if (after) {
            lock.unlock();
            std::rethrow_exception(after);
        }
        return changed;
    }
    store::RecordedSid recorded_sid(const std::string& room) override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::recorded_sid, room);
        auto it = find_room(room);
        if (it == rows.end() || !live_row(it->second)) return {false, std::nullopt};
        return {true, it->second.sid};
    }
    std::vector<store::DbRoom> find_session(const std::string& session) override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::find_session, session);
        std::vector<store::DbRoom> out;
        for (const auto& [name, row] : rows)
            if (row.session == session) out.push_back(db_room(name, row));
        return out;
    }
    bool is_live(const std::string& room) override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::is_live, room);
        auto it = find_room(room);
        return it != rows.end() && live_row(it->second);
    }
    store::MappingCheck check_mapping() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::check_mapping, "");
        return mapping;
    }
    store::SidColumn sid_column() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::sid_column, "");
        return sid_facts;
    }
    bool try_advisory_lock(std::int64_t key) override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::try_advisory_lock, std::to_string(key));
        if (other_holder) return false;
        m_released = false;
        return true;
    }
    std::vector<store::StatusCount> status_counts() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::status_counts, "");
        std::vector<store::StatusCount> out;
        for (const auto& [name, row] : rows) {
            auto it = out.begin();
            while (it != out.end() && it->status != row.status) ++it;
            if (it == out.end()) it = out.insert(out.end(), {row.status, 0, liveness(row)});
            ++it->rows;
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const auto& a, const auto& b) { return a.rows > b.rows; });
        return out;
    }
    store::RowVisibility row_visibility() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::row_visibility, "");
        auto v = visibility;
        v.visible_rows = static_cast<std::int64_t>(rows.size());
        return v;
    }
    bool try_table_lock() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::try_table_lock, "");
        if (other_holder) return false;
        m_released = false;
        return true;
    }
    void release_locks() noexcept override {
        std::lock_guard lock(mutex);
        m_released = true;
    }
    std::optional<store::LockHolder> table_lock_holder() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::table_lock_holder, "");
        return other_holder;
    }
    store::SessionCheck session_check() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::session_check, "");
        return {true, "backend pid 4242 in both transactions; 4243 on a second connection"};
    }
    store::DatabaseTarget target() override {
        std::unique_lock lock(mutex);
        enter(lock, StoreOp::target, "");
        return where;
    }
    // Like the real store's: this and every later call throws Error(interrupted).
    void cancel() noexcept override { m_cancelled.store(true); }

private:
    struct Scripted {
        StoreOp op;
        std::exception_ptr error;
        int times;
        bool after_commit;
    };

    static bool live_row(const Row& row) { return row.live && !row.unclassified; }
    static store::Liveness liveness(const Row& row) {
        if (row.unclassified) return store::Liveness::unclassified;
        return row.live ? store::Liveness::live : store::Liveness::ended;
    }
    // The first live row whose room is `room` (rows are keyed by name; room_of maps them), else
    // the first row of that room, else end(): the real store addresses rows by room.
    std::map<std::string, Row>::iterator find_room(const std::string& room) {
        auto found = rows.end();
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            if ((room_of ? room_of(it->first) : it->first) != room) continue;
            if (live_row(it->second)) return it;
            if (found == rows.end()) found = it;
        }
        return found;
    }

    store::DbRoom db_room(const std::string& name, const Row& row) const {
        store::DbRoom r;
        r.name = name;
        r.room = room_of ? room_of(name) : name;
        r.sid = row.sid;
        r.status = row.status;
        r.liveness = liveness(row);
        r.live = r.liveness == store::Liveness::live;
        return r;
    }

    // Records the call; throws what stops it now (cancelled, lock lost, a scripted failure);
    // returns the failure to throw after an update_sids committed, if one is scripted.
    std::exception_ptr enter(std::unique_lock<std::mutex>& lock, StoreOp op,
                             const std::string& name) {
        m_calls.push_back({op, name});
        if (m_cancelled.load()) {
            lock.unlock();
            throw Error(ErrorKind::interrupted, "interrupted: the database query was cancelled");
        }
        if (m_lock_lost) {
            lock.unlock();
            throw locked_error(
                "the database connection was lost and another roomctl run took "
                "the lock meanwhile; stopping here (wait for it to finish, then "
                "run again)");
        }
        for (auto it = m_failures.begin(); it != m_failures.end(); ++it) {
            if (it->op != op) continue;
            auto error = it->error;
            const bool after = it->after_commit;
            if (it->times > 0 && --it->times == 0) m_failures.erase(it);
            if (after) return error;
            lock.unlock();
            std::rethrow_exception(error);
        }
        return nullptr;
    }

    std::vector<Scripted> m_failures;
    std::vector<StoreCall> m_calls;
    bool m_lock_lost = false;
    bool m_released = false;
    std::atomic<bool> m_cancelled{false};
};

}  // namespace roomctl::support
