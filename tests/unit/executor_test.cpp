// The executor (reconcile/executor.hpp) over an in-test media server and room store: what a
// create does when the session ends meanwhile, and how a journal that cannot be written stops
// the run. The store fake holds rows in memory; the SQL itself is tested in tests/db.

#include "roomctl/reconcile/executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "roomctl/journal/journal.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

// --- sessions that end while their room is being created -------------------------------------

TEST(ExecutorCreate, RoomOfASessionThatEndedMeanwhileIsDeletedAgainAndCompensated) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) { f.store.rows["s1"].live = false; };
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::compensated) << a.error;
    EXPECT_TRUE(a.compensated);
    EXPECT_EQ(a.reason,
              "the session ended while its room was being created; the room was deleted again");
    EXPECT_EQ(a.server_sid, "RM_s1");
    EXPECT_FALSE(a.new_sid);
    EXPECT_TRUE(f.server.rooms.empty());
    EXPECT_EQ(f.server.count(Call::delete_room), 1u);
    EXPECT_EQ(summary.compensated, 1u);
    EXPECT_EQ(summary.failed + summary.done + summary.skipped, 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid);  // nothing written to the ended row
}

TEST(ExecutorCreate, RoomOfAnEndedSessionThatPeopleJoinedIsKeptAndTheActionFails) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom& room) {
        f.store.rows["s1"].live = false;
        media::Participant alice;
        alice.sid = "PA_1";
        alice.identity = "alice";
        f.server.participants[room.name].push_back(alice);
    };
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_FALSE(a.compensated);
    EXPECT_TRUE(contains(a.error, "room s1 was created with SID RM_s1")) << a.error;
    EXPECT_TRUE(contains(a.error, "ended while it was being created")) << a.error;
    EXPECT_TRUE(contains(a.error, "1 participant(s) joined it, so it was kept")) << a.error;
    EXPECT_EQ(f.server.rooms.count("s1"), 1u);
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(summary.failed, 1u);
}

TEST(ExecutorCreate, AnEndedSessionWhoseRoomCannotBeDeletedAgainFailsNamingIt) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) { f.store.rows["s1"].live = false; };
    f.server.before_list_participants = [](const std::string&) {
        throw runtime_error("connection refused at 127.0.0.1:7880");
    };
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "SID RM_s1")) << a.error;
    EXPECT_TRUE(contains(a.error, "deleting it again failed (connection refused")) << a.error;
    EXPECT_EQ(f.server.rooms.count("s1"), 1u);
}

TEST(ExecutorCreate, TheAppsOwnSidRecordedMeanwhileIsLeftAloneAndSkipped) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) { f.store.rows["s1"].sid = "RM_app"; };
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::skipped);
    EXPECT_TRUE(contains(a.reason, "the row changed since it was read")) << a.reason;
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_app");
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);  // the room its name gives is the app's
    EXPECT_EQ(summary.skipped, 1u);
}

TEST(ExecutorCreate, ALostCompareThatCannotBeReadBackDeletesNothing) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.server.during_create = [&](const media::ServerRoom&) {
        f.store.rows["s1"].sid = "RM_app";
        f.store.fail(StoreOp::recorded_sid, runtime_error("connection to the database lost"),
                     k_always);
    };
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "room s1 was created with SID RM_s1")) << a.error;
    EXPECT_TRUE(contains(a.error, "unknown")) << a.error;
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
}

TEST(ExecutorCreate, ALiveRowIsStillRecordedNormally) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_s1");
    EXPECT_EQ(summary.done, 1u);
    EXPECT_FALSE(summary.halted);
}

// --- a journal that cannot be written --------------------------------------------------------

Plan three_deletes(ExecutorFixture& f) {
    Plan plan;
    for (auto name : {"a", "b", "c"}) {
        media::ServerRoom room;
        room.name = name;
        room.sid = std::string{"RM_"} + name;
        f.server.rooms[name] = room;
        plan.actions.push_back(delete_action(name));
    }
    return plan;
}

TEST(ExecutorJournal, AStartThatCannotBeJournaledStopsTheRunWithTheRestNotStarted) {
    ExecutorFixture f;
    auto plan = three_deletes(f);
    auto o = one_worker();
    int starts = 0;
    o.on_started = [&](const Action&) {
        if (++starts == 2)
            throw runtime_error("cannot write journal j.jsonl: No space left on device");
    };
    auto summary = execute(plan, f.ports(), o);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    for (int i : {1, 2}) {
        EXPECT_EQ(plan.actions[i].status, ActionStatus::skipped);
        EXPECT_EQ(plan.actions[i].reason, "not started: the journal could not be written");
    }
    EXPECT_EQ(f.server.rooms.size(), 2u);  // b was never touched: its start was not recorded
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.halt_kind, ErrorKind::runtime);
    EXPECT_EQ(summary.not_started, 2u);
    EXPECT_EQ(summary.done, 1u);
    EXPECT_TRUE(contains(summary.halt_reason, "No space left on device")) << summary.halt_reason;
    EXPECT_TRUE(contains(summary.halt_reason, "delete_room b")) << summary.halt_reason;
    EXPECT_TRUE(contains(summary.halt_reason, "(2 action(s) not started)")) << summary.halt_reason;
    EXPECT_EQ(summary.halt_reason.find('\n'), std::string::npos);
}

TEST(ExecutorJournal, AnOutcomeThatCannotBeJournaledStopsTheRun) {
    ExecutorFixture f;
    auto plan = three_deletes(f);
    auto o = one_worker();
    o.on_finished = [&](const Action&) { throw runtime_error("cannot write journal j: EIO"); };
    auto summary = execute(plan, f.ports(), o);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);  // it happened; the report says so
    EXPECT_TRUE(contains(plan.actions[0].error, "outcome not recorded")) << plan.actions[0].error;
    EXPECT_EQ(f.server.count(Call::delete_room), 1u);
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.not_started, 2u);
    EXPECT_TRUE(contains(summary.halt_reason,
                         "delete_room a ended done but its outcome is not "
                         "in the journal"))
        << summary.halt_reason;
}

TEST(ExecutorJournal, AJournalOnAFullDeviceStopsTheRunBeforeAnythingIsDone) {
    ExecutorFixture f;
    auto plan = three_deletes(f);
    journal::Journal journal("/dev/full");
    auto o = one_worker();
    o.concurrency = 3;
    o.on_started = [&](const Action& a) {
        journal.append(journal::entry("cleanup", "livekit", "start", a, 0));
    };
    auto summary = execute(plan, f.ports(), o);
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
    EXPECT_EQ(f.server.rooms.size(), 3u);
    EXPECT_TRUE(summary.halted);
    EXPECT_EQ(summary.not_started, 3u);
    EXPECT_EQ(summary.done + summary.failed, 0u);
    EXPECT_TRUE(contains(summary.halt_reason, "cannot write journal /dev/full"))
        << summary.halt_reason;
}

// --- interrupts ------------------------------------------------------------------------------

TEST(ExecutorInterrupt, NothingStartsOnceInterrupted) {
    ExecutorFixture f;
    auto plan = three_deletes(f);
    std::atomic<bool> interrupted{true};
    auto o = one_worker();
    o.interrupted = &interrupted;
    auto summary = execute(plan, f.ports(), o);
    EXPECT_TRUE(summary.interrupted);
    EXPECT_FALSE(summary.halted);
    EXPECT_EQ(summary.not_started, 3u);
    EXPECT_EQ(plan.actions[0].reason, "not started: interrupted");
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
}

TEST(ExecutorInterrupt, ACallCutShortFailsItsActionAndStopsTheRest) {
    ExecutorFixture f;
    auto plan = three_deletes(f);
    std::atomic<bool> interrupted{false};
    f.server.before_list_participants = [&](const std::string&) {
        interrupted.store(true);  // SIGTERM arrives; the transfer is aborted
        throw Error(ErrorKind::interrupted, "interrupted while waiting for 127.0.0.1:7880");
    };
    auto o = one_worker();
    o.interrupted = &interrupted;
    auto summary = execute(plan, f.ports(), o);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::failed);
    EXPECT_TRUE(contains(plan.actions[0].error, "interrupted")) << plan.actions[0].error;
    EXPECT_TRUE(summary.interrupted);
    EXPECT_EQ(summary.not_started, 2u);
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
}

}  // namespace
}  // namespace roomctl::reconcile
