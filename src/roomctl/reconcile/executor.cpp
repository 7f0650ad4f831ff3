#include "roomctl/reconcile/executor.hpp"

#include <fmt/format.h>

#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "roomctl/reconcile/executor_worker.hpp"
#include "roomctl/reconcile/sid_recorder.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/group_commit.hpp"

namespace roomctl::reconcile {

namespace {

std::string action_label(const Action& a) { return to_string(a.kind) + " " + a.room; }

}  // namespace

ExecutionSummary execute(Plan& plan, const ExecutorPorts& ports, const ExecuteOptions& options) {
    std::mutex queue_mutex, store_mutex, report_mutex;
    SidRecorder recorder(*ports.store, store_mutex);
    std::size_t next = 0;
    // Set once, with why no further action starts: the journal could not be written, or the
    // advisory lock was lost to another run. `not_started` is the reason each action that
    // never started gets; `cause` (one line) becomes ExecutionSummary::halt_reason.
    std::atomic<bool> halted{false};
    std::string halt_not_started, halt_cause;
    ErrorKind halt_kind = ErrorKind::runtime;
    auto halt = [&](ErrorKind kind, const std::string& not_started, const std::string& cause) {
        std::lock_guard lock(queue_mutex);
        if (halted.exchange(true)) return;
        halt_kind = kind;
        halt_not_started = not_started;
        halt_cause = cause;
    };
    auto interrupted = [&] {
        return halted.load() || (options.interrupted && options.interrupted->load());
    };

    // With options.sync, records are appended under report_mutex and made durable together.
    std::optional<util::GroupCommit> commit;
    if (options.sync) commit.emplace(options.sync);
    // The end record the journal could not make durable: the action's outcome is not there.
    auto outcome_unrecorded = [](Action& a, const std::exception& e) {
        if (a.error.empty()) a.error = std::string{"outcome not recorded: "} + e.what();
    };
    auto halt_unrecorded = [&](Action& a, const std::exception& e) {
        outcome_unrecorded(a, e);
        halt(ErrorKind::runtime, "not started: the journal could not be written",
             fmt::format("{}; {} ended {} but its outcome is not in the journal, and nothing "
                         "more was started (fix the journal, then run roomctl audit)",
                         e.what(), action_label(a), to_string(a.status)));
    };

    // One worker's loop. `unsynced` is its last action whose end record was appended but is
    // not yet known durable (only with options.sync), `end_ticket` that record's ticket.
    auto work_loop = [&](Action*& unsynced, std::uint64_t& end_ticket) {
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
                    std::uint64_t ticket = 0;
                    {
                        std::lock_guard lock(report_mutex);
                        options.on_started(*action);
                        if (commit) ticket = commit->appended();
                    }
                    // The start record is durable before anything is touched; the flush also
                    // covers this worker's previous end record.
                    if (commit) commit->wait(ticket);
                    unsynced = nullptr;
                } catch (const std::exception& e) {
                    // Nothing was done: the action stays planned and is reported below as
                    // not started, like the rest.
                    if (unsynced) outcome_unrecorded(*unsynced, e);
                    unsynced = nullptr;
                    halt(ErrorKind::runtime, "not started: the journal could not be written",
                         fmt::format("{}; stopped before {}: nothing may happen that the "
                                     "journal cannot record (fix the journal, then run again)",
                                     e.what(), action_label(*action)));
                    return;
                }
            }
            if (!server) server = ports.make_server();
            run_action(*action, *server, ports, store_mutex, recorder, options);
            if (action->lock_lost) {
                halt(ErrorKind::locked,
                     "not started: another roomctl run took the lock while the database "
                     "connection was down",
                     fmt::format("another roomctl run took the lock while the database "
                                 "connection was down ({}); stopped after {}: run audit once it "
                                 "has finished",
                                 action->error, action_label(*action)));
            }
            if (options.on_finished) {
                // The action happened; if its outcome cannot be recorded, say so and stop
                // rather than go on acting unrecorded (and never let it escape the thread).
                try {
                    std::lock_guard lock(report_mutex);
                    options.on_finished(*action);
                    if (commit) {
                        end_ticket = commit->appended();
                        unsynced = action;
                    }
                } catch (const std::exception& e) {
                    halt_unrecorded(*action, e);
                    return;
                }
            }
        }
    };
    auto work = [&] {
        Action* unsynced = nullptr;
        std::uint64_t end_ticket = 0;
        work_loop(unsynced, end_ticket);
        // The last end record this worker appended is durable before execute() returns.
        if (!unsynced) return;
        try {
            commit->wait(end_ticket);
        } catch (const std::exception& e) {
            halt_unrecorded(*unsynced, e);
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
            case ActionStatus::done:
                ++summary.done;
                break;
            case ActionStatus::failed:
                ++summary.failed;
                summary.auth_refused = summary.auth_refused || a.auth_failure;
                break;
            case ActionStatus::skipped:
                ++summary.skipped;
                break;
            case ActionStatus::compensated:
                ++summary.compensated;
                break;
            case ActionStatus::planned:
                ++summary.not_started;
                a.status = ActionStatus::skipped;
                a.reason = halted.load() ? halt_not_started : "not started: interrupted";
                break;
        }
    }
    if (halted.load()) {
        summary.halted = true;
        summary.halt_kind = halt_kind;
        summary.halt_reason =
            fmt::format("{} ({} action(s) not started)", halt_cause, summary.not_started);
    }
    return summary;
}

}  // namespace roomctl::reconcile
