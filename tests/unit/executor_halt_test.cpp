// When the executor (reconcile/executor.hpp) stops starting actions, over the fakes in
// tests/support/: another run took the lock while the database connection was down, an
// interrupt arrives while workers are busy, the store is cancelled under a write. (A journal
// that cannot be written: executor_test.cpp.)

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "roomctl/reconcile/executor.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

Plan deletes(ExecutorFixture& f, std::initializer_list<const char*> names) {
    Plan plan;
    for (const char* name : names) {
        f.server.add_room(name);
        plan.actions.push_back(delete_action(name));
    }
    return plan;
}

// --- a lost lock -----------------------------------------------------------------------------

TEST(ExecutorLostLock, TheFirstActionToSeeItFailsAndNoFurtherActionStarts) {
    ExecutorFixture f;
    auto plan = deletes(f, {"a", "b", "c"});
    f.store.lose_lock();
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_TRUE(plan.actions[0].lock_lost);
    for (int i : {1, 2}) {
        EXPECT_EQ(plan.actions[i].status, ActionStatus::skipped);
        EXPECT_TRUE(contains(plan.actions[i].reason,
                             "not started: another roomctl run took the "
                             "lock"))
            << plan.actions[i].reason;
    }
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);  // the database said nothing: no delete
    EXPECT_EQ(f.server.rooms.size(), 3u);
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::locked);
    EXPECT_EQ(summary.not_started, 2u);
    EXPECT_TRUE(contains(summary.halt_reason, "stopped after delete_room a"))
        << summary.halt_reason;
    EXPECT_TRUE(contains(summary.halt_reason, "(2 action(s) not started)")) << summary.halt_reason;
    EXPECT_EQ(summary.halt_reason.find('\n'), std::string::npos);
}

TEST(ExecutorLostLock, LostMidRunTheActionsBeforeItStandAndTheRestDoNotStart) {
    ExecutorFixture f;
    auto plan = deletes(f, {"a", "b", "c", "d"});
    f.server.before_list_participants = [&](const std::string& room) {
        if (room == "b") f.store.lose_lock();  // the connection dropped; another run took it
    };
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    EXPECT_FALSE(f.server.has_room("a"));
    EXPECT_EQ(plan.actions[1].status, ActionStatus::failed);
    EXPECT_TRUE(f.server.has_room("b"));
    EXPECT_EQ(plan.actions[2].status, ActionStatus::skipped);
    EXPECT_EQ(plan.actions[3].status, ActionStatus::skipped);
    EXPECT_TRUE(f.server.has_room("c"));
    EXPECT_TRUE(f.server.has_room("d"));
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::locked);
    EXPECT_EQ(summary.done, 1u);
    EXPECT_EQ(summary.not_started, 2u);
}

TEST(ExecutorLostLock, ASidUpdateThatFindsTheLockLostStopsTheRun) {
    ExecutorFixture f;
    f.store.rows["s1"] = {"RM_old", true};
    f.store.rows["s2"] = {"RM_old2", true};
    f.store.lose_lock();
    Plan plan{{update_action("s1", "RM_old", "RM_new"), update_action("s2", "RM_old2", "RM_n2")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_TRUE(plan.actions[0].lock_lost);
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_old");
    EXPECT_EQ(f.store.rows["s2"].sid, "RM_old2");
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::locked);
    EXPECT_EQ(summary.not_started, 1u);
}

// A create whose SID write finds the lock lost deletes its room again (nothing records it),
// then stops the run like any other action that saw the lost lock: the next creates would each
// make a room and delete it again.
TEST(ExecutorLostLock, ACreateWhoseWriteFindsTheLockLostStopsTheRun) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.rows["s2"] = {std::nullopt, true};
    f.store.lose_lock();
    Plan plan{{create_action("s1"), create_action("s2")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_FALSE(f.server.has_room("s1"));  // deleted again: nothing records it
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::locked);
    EXPECT_EQ(summary.not_started, 1u);
    EXPECT_EQ(f.server.count(Call::create_room), 1u);
}

// --- interrupts and cancelling ---------------------------------------------------------------

// Two workers: the one on "a" is held until the interrupt, which arrives during "b". Both
// finish what they started; nothing else starts.
TEST(ExecutorCancel, WorkersFinishTheActionInHandButStartNoOther) {
    ExecutorFixture f;
    auto plan = deletes(f, {"a", "b", "c", "d", "e"});
    std::atomic<bool> interrupted{false};
    f.server.before_list_participants = [&](const std::string& room) {
        if (room == "b") interrupted.store(true);
        if (room == "a")
            for (int i = 0; i < 2000 && !interrupted.load(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    auto o = one_worker();
    o.concurrency = 2;
    o.interrupted = &interrupted;
    auto summary = execute(plan, f.ports(), o);
    ASSERT_TRUE(interrupted.load());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done) << plan.actions[0].error;
    EXPECT_EQ(plan.actions[1].status, ActionStatus::done) << plan.actions[1].error;
    for (int i : {2, 3, 4}) {
        EXPECT_EQ(plan.actions[i].status, ActionStatus::skipped);
        EXPECT_EQ(plan.actions[i].reason, "not started: interrupted");
    }
    EXPECT_EQ(f.server.count(Call::delete_room), 2u);
    EXPECT_TRUE(f.server.has_room("c"));
    EXPECT_TRUE(summary.interrupted);
    EXPECT_FALSE(summary.halted);
    EXPECT_EQ(summary.done, 2u);
    EXPECT_EQ(summary.not_started, 3u);
}

// SIGINT while a create's SID is being written: the store's cancel path cuts the write short;
// the room nothing records is deleted again and the action fails saying it was interrupted.
TEST(ExecutorCancel, ACancelledSidWriteFailsItsCreateAndTheRestDoNotStart) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.rows["s2"] = {std::nullopt, true};
    std::atomic<bool> interrupted{false};
    f.server.during_create = [&](const media::ServerRoom&) {
        interrupted.store(true);
        f.store.cancel();
    };
    auto o = one_worker();
    o.interrupted = &interrupted;
    Plan plan{{create_action("s1"), create_action("s2")}};
    auto summary = execute(plan, f.ports(), o);
    const auto& a = plan.actions[0];
    EXPECT_TRUE(f.store.cancelled());
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "interrupted: the database query was cancelled")) << a.error;
    EXPECT_TRUE(a.compensated);
    EXPECT_FALSE(f.server.has_room("s1"));
    EXPECT_FALSE(f.store.rows["s1"].sid);
    EXPECT_EQ(plan.actions[1].reason, "not started: interrupted");
    EXPECT_EQ(f.server.count(Call::create_room), 1u);
    EXPECT_TRUE(summary.interrupted);
    EXPECT_EQ(summary.not_started, 1u);
}

// The server client's cancel path aborted CreateRoom in flight: the request may have reached
// the server, so the failure says the room may exist; nothing is written.
TEST(ExecutorCancel, ACreateCutShortFailsAsInterruptedAndNothingIsWritten) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.rows["s2"] = {std::nullopt, true};
    std::atomic<bool> interrupted{false};
    f.server.fail(Call::create_room, Failure::interrupted);
    auto o = one_worker();
    o.interrupted = &interrupted;
    o.on_started = [&](const Action&) { interrupted.store(true); };  // SIGINT as s1 starts
    Plan plan{{create_action("s1"), create_action("s2")}};
    auto summary = execute(plan, f.ports(), o);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "interrupted while waiting for 127.0.0.1:7880")) << a.error;
    EXPECT_TRUE(contains(a.error, "room s1 may have been created")) << a.error;
    EXPECT_EQ(plan.actions[1].reason, "not started: interrupted");
    EXPECT_TRUE(summary.interrupted);
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid);
}

}  // namespace
}  // namespace roomctl::reconcile
