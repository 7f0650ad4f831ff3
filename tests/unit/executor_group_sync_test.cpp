// The executor with ExecuteOptions::sync (the journal's fsyncs group-committed across workers),
// over the fakes in tests/support/: a start record is durable before its action touches
// anything, every end record is durable when execute() returns, and a failed sync stops the
// run like a journal that cannot be written.

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "roomctl/reconcile/executor.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

// The journal as the executor sees it: lines appended by the callbacks, made durable by sync.
struct FakeJournal {
    std::mutex m;
    std::vector<std::string> lines;
    std::size_t durable = 0;  // lines[0, durable) are on disk
    int syncs = 0;
    int fail_sync_at = 0;  // the sync call (1-based) that fails; 0: none

    void append(const std::string& line) {
        std::lock_guard lock(m);
        lines.push_back(line);
    }
    void sync() {
        std::lock_guard lock(m);
        if (++syncs == fail_sync_at) throw runtime_error("cannot flush journal j: I/O error");
        durable = lines.size();
    }
    bool is_durable(const std::string& line) {
        std::lock_guard lock(m);
        for (std::size_t i = 0; i < durable; ++i) {
            if (lines[i] == line) return true;
        }
        return false;
    }
    ExecuteOptions options(unsigned workers) {
        auto o = one_worker();
        o.concurrency = workers;
        o.on_started = [this](const Action& a) { append("start " + a.room); };
        o.on_finished = [this](const Action& a) { append("end " + a.room); };
        o.sync = [this] { sync(); };
        return o;
    }
};

Plan deletes(ExecutorFixture& f, int n) {
    Plan plan;
    for (int i = 0; i < n; ++i) {
        const auto name = "r" + std::to_string(i);
        f.server.add_room(name);
        plan.actions.push_back(delete_action(name));
    }
    return plan;
}

TEST(ExecutorGroupSync, AStartIsDurableBeforeItsActionTouchesTheServer) {
    ExecutorFixture f;
    FakeJournal journal;
    auto plan = deletes(f, 40);
    std::mutex m;
    std::vector<std::string> touched_unrecorded;
    f.server.before_list_participants = [&](const std::string& room) {
        if (!journal.is_durable("start " + room)) {
            std::lock_guard lock(m);
            touched_unrecorded.push_back(room);
        }
    };
    auto summary = execute(plan, f.ports(), journal.options(8));
    EXPECT_EQ(summary.done, 40u);
    EXPECT_TRUE(touched_unrecorded.empty()) << touched_unrecorded.front();
    EXPECT_FALSE(summary.halted);
}

TEST(ExecutorGroupSync, EveryEndIsDurableWhenExecuteReturns) {
    ExecutorFixture f;
    FakeJournal journal;
    auto plan = deletes(f, 40);
    auto summary = execute(plan, f.ports(), journal.options(8));
    EXPECT_EQ(summary.done, 40u);
    EXPECT_EQ(journal.lines.size(), 80u);
    EXPECT_EQ(journal.durable, 80u);
    // One sync per start, at most, plus one per worker for its last end.
    EXPECT_LE(journal.syncs, 48);
}

TEST(ExecutorGroupSync, AFailedSyncStopsTheRunBeforeTheNextActionAndMarksTheLastOutcome) {
    ExecutorFixture f;
    FakeJournal journal;
    journal.fail_sync_at = 2;  // 1: start r0; 2: end r0 + start r1
    auto plan = deletes(f, 3);
    auto summary = execute(plan, f.ports(), journal.options(1));
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);  // it happened; the report says so
    EXPECT_TRUE(contains(plan.actions[0].error, "outcome not recorded: cannot flush journal"))
        << plan.actions[0].error;
    for (int i : {1, 2}) {
        EXPECT_EQ(plan.actions[i].status, ActionStatus::skipped);
        EXPECT_EQ(plan.actions[i].reason, "not started: the journal could not be written");
    }
    EXPECT_EQ(f.server.count(Call::delete_room), 1u);  // r1 was never touched
    EXPECT_TRUE(f.server.has_room("r1"));
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::runtime);
    EXPECT_EQ(summary.not_started, 2u);
    EXPECT_TRUE(contains(summary.halt_reason, "stopped before delete_room r1"))
        << summary.halt_reason;
    EXPECT_EQ(summary.halt_reason.find('\n'), std::string::npos);
}

TEST(ExecutorGroupSync, AFailedLastSyncSaysTheLastOutcomeIsNotInTheJournal) {
    ExecutorFixture f;
    FakeJournal journal;
    journal.fail_sync_at = 2;  // 1: start r0; 2: end r0, the worker's last
    auto plan = deletes(f, 1);
    auto summary = execute(plan, f.ports(), journal.options(1));
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    EXPECT_TRUE(contains(plan.actions[0].error, "outcome not recorded")) << plan.actions[0].error;
    EXPECT_TRUE(summary.halted);
    EXPECT_TRUE(contains(summary.halt_reason,
                         "delete_room r0 ended done but its outcome is not in the journal"))
        << summary.halt_reason;
}

TEST(ExecutorGroupSync, AFailedFirstSyncStartsNothing) {
    ExecutorFixture f;
    FakeJournal journal;
    journal.fail_sync_at = 1;
    auto plan = deletes(f, 5);
    auto summary = execute(plan, f.ports(), journal.options(4));
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(f.server.count(Call::list_participants), 0u);
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.not_started, 5u);
    EXPECT_EQ(summary.done + summary.failed, 0u);
}

}  // namespace
}  // namespace roomctl::reconcile
