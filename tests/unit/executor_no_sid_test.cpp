// The executor without a SID column (ExecuteOptions::record_sids false) and with per-room
// empty timeouts (Action::empty_timeout, for scheduled sessions), over the fakes.

#include <gtest/gtest.h>

#include "roomctl/reconcile/executor.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

ExecuteOptions name_only() {
    auto o = one_worker();
    o.record_sids = false;
    return o;
}

TEST(ExecutorNoSid, CreatesTheRoomAndWritesNoSid) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), name_only());
    EXPECT_EQ(summary.done, 1u);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::done);
    EXPECT_TRUE(contains(a.reason, "created on the server")) << a.reason;
    EXPECT_TRUE(contains(a.reason, "nothing recorded: [rooms] sid_column is not set")) << a.reason;
    EXPECT_TRUE(f.server.has_room("s1"));
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
    EXPECT_EQ(f.store.count(StoreOp::recorded_sid), 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid.has_value());
}

TEST(ExecutorNoSid, LivenessIsAskedAfreshRightBeforeTheCreate) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    Plan plan{{create_action("s1")}};
    // The first look comes before CreateRoom: a row that ends then gets no room at all.
    bool looked_before_create = false;
    f.server.during_create = [&](const media::ServerRoom&) {
        looked_before_create = f.store.count(StoreOp::is_live) == 1;
    };
    execute(plan, f.ports(), name_only());
    EXPECT_TRUE(looked_before_create);
    EXPECT_EQ(f.server.count(Call::create_room), 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
}

TEST(ExecutorNoSid, ARowThatEndedSinceTheAuditGetsNoRoom) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, false};  // ended after the plan was made
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), name_only());
    EXPECT_EQ(summary.skipped, 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_TRUE(contains(plan.actions[0].reason, "not created")) << plan.actions[0].reason;
    EXPECT_EQ(f.server.count(Call::create_room), 0u);
    EXPECT_FALSE(f.server.has_room("s1"));
}

TEST(ExecutorNoSid, ALivenessLookThatFailsCreatesNothing) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.fail(StoreOp::is_live, runtime_error("connection to the database lost"));
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), name_only());
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_TRUE(contains(plan.actions[0].error, "connection to the database lost"));
    EXPECT_EQ(f.server.count(Call::create_room), 0u);
}

TEST(ExecutorNoSid, ASessionEndingDuringTheCreateGetsItsRoomDeletedAgain) {
    // No SID write to notice it by: the row is asked again after the create.
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) {
        std::lock_guard lock(f.store.mutex);
        f.store.rows["s1"].live = false;
    };
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), name_only());
    EXPECT_EQ(summary.compensated, 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::compensated);
    EXPECT_FALSE(f.server.has_room("s1"));
    EXPECT_EQ(f.server.count(Call::delete_room), 1u);
    EXPECT_EQ(f.store.count(StoreOp::is_live), 2u);
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
}

TEST(ExecutorNoSid, ARoomPeopleJoinedIsKeptWhenItsSessionEndedMeanwhile) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom& room) {
        {
            std::lock_guard lock(f.store.mutex);
            f.store.rows["s1"].live = false;
        }
        f.server.set_participants(room.name, 1);
    };
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), name_only());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_TRUE(contains(plan.actions[0].error, "kept")) << plan.actions[0].error;
    EXPECT_TRUE(f.server.has_room("s1"));
}

TEST(ExecutorNoSid, ARowThatCannotBeReadBackAfterTheCreateKeepsTheRoomAndFails) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) {
        f.store.fail(StoreOp::is_live, runtime_error("connection to the database lost"));
    };
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), name_only());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "RM_s1")) << a.error;
    EXPECT_TRUE(contains(a.error, "run roomctl audit")) << a.error;
    EXPECT_TRUE(f.server.has_room("s1"));
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
}

TEST(ExecutorNoSid, AnUpdateSidIsNeverWritten) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    Plan plan{{update_action("s1", std::nullopt, "RM_s1")}};
    auto summary = execute(plan, f.ports(), name_only());
    EXPECT_EQ(summary.skipped, 1u);
    EXPECT_TRUE(contains(plan.actions[0].reason, "sid_column is not set"));
    EXPECT_EQ(f.store.count(StoreOp::update_sids), 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid.has_value());
}

TEST(ExecutorNoSid, WithASidColumnTheSidIsRecordedAsBefore) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_s1");
    EXPECT_EQ(f.store.count(StoreOp::is_live), 0u);
}

TEST(ExecutorSchedule, ARoomsOwnEmptyTimeoutWinsOverTheRunsDefault) {
    for (bool record : {true, false}) {
        ExecutorFixture f;
        f.store.rows["soon"] = {std::nullopt, true};
        f.store.rows["plain"] = {std::nullopt, true};
        auto soon = create_action("soon");
        soon.empty_timeout = 1620;
        Plan plan{{soon, create_action("plain")}};
        auto o = one_worker();  // empty timeout 60 s
        o.record_sids = record;
        execute(plan, f.ports(), o);
        ASSERT_TRUE(f.server.has_room("soon"));
        ASSERT_TRUE(f.server.has_room("plain"));
        EXPECT_EQ(f.server.rooms["soon"].empty_timeout, 1620u) << record;
        EXPECT_EQ(f.server.rooms["plain"].empty_timeout, 60u) << record;
        EXPECT_TRUE(contains(plan.actions[0].reason, "empty timeout 1620 s"))
            << plan.actions[0].reason;
    }
}

}  // namespace
}  // namespace roomctl::reconcile
