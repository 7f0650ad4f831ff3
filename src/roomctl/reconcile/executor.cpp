#include "roomctl/reconcile/executor.hpp"

#include <fmt/format.h>

#include <mutex>
#include <thread>
#include <vector>

#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

namespace {

class Worker {
public:
    Worker(media::MediaServer& server, const ExecutorPorts& ports, std::mutex& store_mutex,
           const ExecuteOptions& options)
        : m_server(server),
          m_store(*ports.store),
          m_ports(ports),
          m_store_mutex(store_mutex),
          m_options(options) {}

    void run(Action& a) {
        try {
            switch (a.kind) {
                case ActionKind::create_room: create(a); break;
                case ActionKind::update_sid: update(a); break;
                case ActionKind::delete_room: remove(a); break;
            }
        } catch (const Error& e) {
            a.status = ActionStatus::failed;
            a.error = e.what();
            a.auth_failure = e.kind() == ErrorKind::auth;
        } catch (const std::exception& e) {
            a.status = ActionStatus::failed;
            a.error = e.what();
        }
    }

private:
    void create(Action& a) {
        media::CreateRoomOptions o;
        o.name = a.room;
        o.empty_timeout = m_options.empty_timeout;
        o.departure_timeout = m_options.departure_timeout;
        auto room = m_server.create_room(o);
        a.server_sid = room.sid;
        record_sid(a, room.sid,
                   fmt::format("created on the server (empty timeout {} s); SID recorded",
                               room.empty_timeout));
    }

    void update(Action& a) {
        if (!a.new_sid) throw runtime_error("no server SID to record");
        record_sid(a, *a.new_sid, "SID recorded");
    }

    void record_sid(Action& a, const std::string& sid, const std::string& done_reason) {
        int changed = 0;
        try {
            std::lock_guard lock(m_store_mutex);
            changed = m_store.update_sid(a.database_name.value_or(a.room), a.expected_sid, sid);
        } catch (const Error& e) {
            if (a.kind == ActionKind::create_room) {
                throw Error(e.kind(), fmt::format("room exists on the server with SID {}, but "
                                                  "recording it failed: {}; run recreate again",
                                                  sid, e.what()));
            }
            throw;
        }
        if (changed == 0) {
            a.status = ActionStatus::skipped;
            a.reason = "the row changed since it was read (a concurrent write); left as it is";
            return;
        }
        a.new_sid = sid;
        a.status = ActionStatus::done;
        a.reason = done_reason;
    }

    void remove(Action& a) {
        if (!m_options.include_occupied) {
            auto participants = m_server.list_participants(a.room);
            if (!participants.empty()) {
                a.num_participants = static_cast<std::uint32_t>(participants.size());
                a.status = ActionStatus::skipped;
                a.reason = fmt::format("{} participant(s) joined since the audit; not deleted",
                                       participants.size());
                return;
            }
        }
        // The database is asked last, right before the delete, to keep the window in which
        // the app could claim the room as small as possible.
        bool live = false;
        auto name = a.database_name ? a.database_name
                    : m_ports.database_name_for ? m_ports.database_name_for(a.room)
                                                : std::optional<std::string>{a.room};
        if (name) {  // a room outside the template cannot be claimed by any row
            std::lock_guard lock(m_store_mutex);
            live = m_store.is_live(*name);
        }
        if (live) {
            a.status = ActionStatus::skipped;
            a.reason = "a live row owns this room now; not deleted";
            return;
        }
        auto outcome = m_server.delete_room(a.room, a.server_sid.value_or(""));
        a.status = ActionStatus::done;
        a.reason = outcome == media::DeleteOutcome::already_gone ? "already gone from the server"
                                                                 : "deleted from the server";
    }

    media::MediaServer& m_server;
    store::RoomStore& m_store;
    const ExecutorPorts& m_ports;
    std::mutex& m_store_mutex;
    const ExecuteOptions& m_options;
};

}  // namespace

ExecutionSummary execute(Plan& plan, const ExecutorPorts& ports, const ExecuteOptions& options) {
    std::mutex queue_mutex, store_mutex, report_mutex;
    std::size_t next = 0;
    std::atomic<bool> halted{false};  // a start could not be recorded
    auto interrupted = [&] {
        return halted.load() || (options.interrupted && options.interrupted->load());
    };

    auto work = [&] {
        std::unique_ptr<media::MediaServer> server;
        for (;;) {
            Action* action = nullptr;
            {
                std::lock_guard lock(queue_mutex);
                while (next < plan.actions.size() &&
                       plan.actions[next].status != ActionStatus::planned) {
                    ++next;
                }
                if (next == plan.actions.size() || interrupted()) return;
                action = &plan.actions[next++];
            }
            if (options.on_started) {
                try {
                    std::lock_guard lock(report_mutex);
                    options.on_started(*action);
                } catch (const std::exception& e) {
                    action->status = ActionStatus::failed;
                    action->error = std::string{"not started: "} + e.what();
                    halted.store(true);
                    return;
                }
            }
            if (!server) server = ports.make_server();
            Worker(*server, ports, store_mutex, options).run(*action);
            if (options.on_finished) {
                // The action happened; if its outcome cannot be recorded, say so and stop
                // rather than go on acting unrecorded (and never let it escape the thread).
                try {
                    std::lock_guard lock(report_mutex);
                    options.on_finished(*action);
                } catch (const std::exception& e) {
                    if (action->error.empty()) action->error = std::string{"outcome not recorded: "} + e.what();
                    halted.store(true);
                    return;
                }
            }
        }
    };

    // Actions the planner skipped are left untouched; only planned ones are worked.
    unsigned threads = std::max(1u, options.concurrency);
    if (threads == 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (unsigned i = 0; i < threads; ++i) pool.emplace_back(work);
        for (auto& t : pool) t.join();
    }

    ExecutionSummary summary;
    summary.interrupted = options.interrupted && options.interrupted->load();
    for (auto& a : plan.actions) {
        switch (a.status) {
            case ActionStatus::done: ++summary.done; break;
            case ActionStatus::failed:
                ++summary.failed;
                summary.auth_refused = summary.auth_refused || a.auth_failure;
                break;
            case ActionStatus::skipped: ++summary.skipped; break;
            case ActionStatus::planned:
                ++summary.not_started;
                a.status = ActionStatus::skipped;
                a.reason = halted.load() ? "not started: the journal could not be written"
                                         : "not started: interrupted";
                break;
        }
    }
    return summary;
}

}  // namespace roomctl::reconcile
