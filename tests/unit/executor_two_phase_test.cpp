// The executor's two-phase create (reconcile/executor.hpp) over the fakes in tests/support/:
// the server first, then the SID write conditional on what the row held; what a refused or
// lost create leaves; and a SID write whose commit is in doubt.

#include <gtest/gtest.h>

#include "roomctl/reconcile/executor.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

// --- two phases: the room on the server, then its SID in the row ----------------------------

TEST(ExecutorTwoPhase, TheSidTheServerGaveIsWrittenAfterTheRoomExists) {
    ExecutorFixture f;
    f.store.rows["s1"] = {"RM_gone", true};  // recreate: the row names a room that ended
    bool room_existed_at_write = false;
    f.store.before_write = [&](const std::vector<store::SidUpdate>& updates) {
        ASSERT_EQ(updates.size(), 1u);
        EXPECT_EQ(updates[0].expected_sid, "RM_gone");  // conditional on the SID read
        EXPECT_EQ(updates[0].new_sid, "RM_s1");
        room_existed_at_write = f.server.has_room("s1");
    };
    auto a = create_action("s1");
    a.expected_sid = "RM_gone";
    Plan plan{{a}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& done = plan.actions[0];
    EXPECT_EQ(done.status, ActionStatus::done) << done.error;
    EXPECT_EQ(done.reason, "created on the server (empty timeout 60 s); SID recorded");
    EXPECT_EQ(done.new_sid, "RM_s1");
    EXPECT_EQ(done.server_sid, "RM_s1");
    EXPECT_TRUE(room_existed_at_write);
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_s1");
    EXPECT_EQ(f.server.rooms["s1"].empty_timeout, 60u);
    EXPECT_EQ(summary.done, 1u);
}

TEST(ExecutorTwoPhase, ARowWhoseSidChangedSinceItWasReadIsNotOverwritten) {
    ExecutorFixture f;
    f.store.rows["s1"] = {"RM_app", true};  // the plan read NULL; the app wrote a SID since
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped) << plan.actions[0].error;
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_app");
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(summary.skipped, 1u);
}

TEST(ExecutorTwoPhase, ACreateTheServerRefusedWritesNothing) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.fail(Call::create_room, Failure::refused);
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "server error (HTTP 503)")) << a.error;
    EXPECT_FALSE(contains(a.error, "may have been created")) << a.error;
    EXPECT_FALSE(a.compensated);
    EXPECT_FALSE(f.server.has_room("s1"));
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid);
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_FALSE(summary.auth_refused);
}

TEST(ExecutorTwoPhase, ACreateWhoseAnswerWasLostSaysTheRoomMayExistAndDeletesNothing) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.fail(Call::create_room, Failure::in_doubt);  // created, then the answer lost
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error,
                         "room s1 may have been created before the connection failed: "
                         "run roomctl audit"))
        << a.error;
    EXPECT_EQ(a.error.find('\n'), std::string::npos);
    EXPECT_TRUE(f.server.has_room("s1"));  // unknown SID: doubt means no, nothing deleted
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
}

TEST(ExecutorTwoPhase, RefusedCredentialsAreReportedAsSuch) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.rows["s2"] = {std::nullopt, true};
    f.server.fail(Call::create_room, Failure::auth, "s1");
    Plan plan{{create_action("s1"), create_action("s2")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_TRUE(plan.actions[0].auth_failure);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::done) << plan.actions[1].error;
    EXPECT_TRUE(summary.auth_refused);
}

// --- a SID write whose commit is in doubt ----------------------------------------------------

TEST(ExecutorWriteInDoubt, AWriteThatCommittedIsConfirmedByReadingTheRowBack) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.fail_after_commit(StoreOp::update_sids,
                              store::WriteInDoubt("lost the database connection during COMMIT"));
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::done) << a.error;
    EXPECT_TRUE(contains(a.reason, "(confirmed by reading the row back)")) << a.reason;
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_s1");
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 1u);  // not written twice
    EXPECT_TRUE(f.server.has_room("s1"));
    EXPECT_EQ(summary.done, 1u);
}

TEST(ExecutorWriteInDoubt, AWriteThatDidNotCommitIsWrittenOnceMore) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.fail(StoreOp::update_sids,
                 store::WriteInDoubt("lost the database connection during COMMIT"));
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::done) << a.error;
    EXPECT_TRUE(contains(a.reason, "(on the second try)")) << a.reason;
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_s1");
    EXPECT_TRUE(f.server.has_room("s1"));
}

TEST(ExecutorWriteInDoubt, UnreadableAfterADoubtfulWriteKeepsTheRoomAndNamesRowAndSid) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.fail(StoreOp::update_sids,
                 store::WriteInDoubt("lost the database connection during COMMIT"));
    f.store.fail(StoreOp::recorded_sid, store::ConnectionLost("could not connect: refused"),
                 k_always);
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_FALSE(a.compensated);
    EXPECT_TRUE(contains(a.error,
                         "room s1 was created with SID RM_s1, but whether row \"s1\" "
                         "records it is unknown"))
        << a.error;
    EXPECT_TRUE(contains(a.error, "during COMMIT")) << a.error;
    EXPECT_TRUE(contains(a.error, "run roomctl audit once the database is back")) << a.error;
    EXPECT_EQ(a.error.find('\n'), std::string::npos);
    EXPECT_TRUE(f.server.has_room("s1"));  // maybe recorded: deleting it could take a used room
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(summary.failed, 1u);
}

TEST(ExecutorWriteInDoubt, AWriteThatSurelyFailedAndCannotBeReadBackDeletesTheRoomAgain) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.fail(StoreOp::update_sids, runtime_error("database error: deadlock detected"));
    f.store.fail(StoreOp::recorded_sid, store::ConnectionLost("could not connect: refused"),
                 k_always);
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(a.compensated);
    EXPECT_TRUE(contains(a.error,
                         "recording it in row \"s1\" failed (database error: deadlock "
                         "detected)"))
        << a.error;
    EXPECT_TRUE(contains(a.error, "the room was deleted again, so nothing changed")) << a.error;
    EXPECT_FALSE(f.server.has_room("s1"));
    EXPECT_FALSE(f.store.rows["s1"].sid);
}

}  // namespace
}  // namespace roomctl::reconcile
