// The executor's SID writes over the in-test server and store: one bad row in a
// batch fails alone, a lost connection is not retried row by row, a SID the column cannot
// hold fails its create, and a write the database ignored is compensated, not "concurrent".

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "roomctl/reconcile/sid_recorder.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

// --- writes that record exactly what the server said ----------------------------

// Four creates finishing together; the store refuses any batch holding s2's SID, like a
// UNIQUE conflict. Only s2 fails; its neighbours are recorded.
TEST(ExecutorSidWrites, OneBadRowInABatchFailsAlone) {
    ExecutorFixture f;
    for (const char* n : {"s1", "s2", "s3", "s4"}) f.store.rows[n] = {std::nullopt, true};
    std::atomic<int> arrived{0};
    f.server.during_create = [&](const media::ServerRoom&) {
        ++arrived;  // hold each create until all four exist, so their SIDs queue together
        for (int i = 0; i < 200 && arrived.load() < 4; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    f.store.before_write = [](const std::vector<store::SidUpdate>& updates) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the others queue
        for (const auto& u : updates)
            if (u.new_sid == "RM_s2")
                throw runtime_error(
                    "database error: duplicate key value violates unique "
                    "constraint \"rooms_room_sid_key\"");
    };
    Plan plan{{create_action("s1"), create_action("s2"), create_action("s3"), create_action("s4")}};
    ExecuteOptions o = one_worker();
    o.concurrency = 4;
    auto summary = execute(plan, f.ports(), o);
    EXPECT_TRUE(std::any_of(f.store.batches.begin(), f.store.batches.end(), [](std::size_t n) {
        return n > 1;
    })) << "no batch formed";
    for (const auto& a : plan.actions) {
        if (a.room == "s2") {
            EXPECT_EQ(a.status, ActionStatus::failed);
            EXPECT_TRUE(contains(a.error, "duplicate key")) << a.error;
            EXPECT_TRUE(a.compensated);  // deleted again: nothing records it
        } else {
            EXPECT_EQ(a.status, ActionStatus::done) << a.room << ": " << a.error;
            EXPECT_EQ(f.store.rows[a.room].sid, "RM_" + a.room);
        }
    }
    EXPECT_EQ(summary.done, 3u);
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_EQ(f.server.rooms.count("s2"), 0u);
}

// Four creates finishing together, held at the store while the first write runs: the SIDs
// that queue meanwhile are written in one statement, and each row gets its own SID.
TEST(ExecutorSidWrites, CreatesFinishingTogetherShareOneStatement) {
    ExecutorFixture f;
    for (const char* n : {"s1", "s2", "s3", "s4"}) f.store.rows[n] = {std::nullopt, true};
    std::atomic<int> arrived{0};
    f.server.during_create = [&](const media::ServerRoom&) {
        ++arrived;
        for (int i = 0; i < 200 && arrived.load() < 4; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    f.store.before_write = [](const std::vector<store::SidUpdate>&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the others queue
    };
    Plan plan{{create_action("s1"), create_action("s2"), create_action("s3"), create_action("s4")}};
    ExecuteOptions o = one_worker();
    o.concurrency = 4;
    auto summary = execute(plan, f.ports(), o);
    EXPECT_EQ(summary.done, 4u);
    for (const auto& a : plan.actions) {
        EXPECT_EQ(a.status, ActionStatus::done) << a.room << ": " << a.error;
        EXPECT_EQ(f.store.rows[a.room].sid, "RM_" + a.room);
    }
    std::size_t rows = 0;
    for (auto n : f.store.batches) rows += n;
    EXPECT_EQ(rows, 4u);  // each SID written once
    EXPECT_LT(f.store.batches.size(), 4u) << "no batch formed";
}

TEST(ExecutorSidWrites, OneWorkerWritesEachSidAlone) {
    ExecutorFixture f;
    for (const char* n : {"s1", "s2", "s3"}) f.store.rows[n] = {std::nullopt, true};
    Plan plan{{create_action("s1"), create_action("s2"), create_action("s3")}};
    auto summary = execute(plan, f.ports(), one_worker());
    EXPECT_EQ(summary.done, 3u);
    EXPECT_EQ(f.store.batches, (std::vector<std::size_t>{1, 1, 1}));
}

// A batch that lost its connection (nothing written) is not split row by row; each create of
// it reads its row back, finds it unchanged and writes once more on its own.
TEST(ExecutorSidWrites, ABatchThatLostItsConnectionIsRecoveredByEachCreate) {
    ExecutorFixture f;
    for (const char* n : {"s1", "s2", "s3"}) f.store.rows[n] = {std::nullopt, true};
    std::atomic<int> arrived{0};
    f.server.during_create = [&](const media::ServerRoom&) {
        ++arrived;
        for (int i = 0; i < 200 && arrived.load() < 3; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    std::atomic<bool> dropped{false};
    f.store.before_write = [&](const std::vector<store::SidUpdate>& updates) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (updates.size() > 1 && !dropped.exchange(true))
            throw store::ConnectionLost("lost the database connection: server closed it");
    };
    Plan plan{{create_action("s1"), create_action("s2"), create_action("s3")}};
    ExecuteOptions o = one_worker();
    o.concurrency = 3;
    auto summary = execute(plan, f.ports(), o);
    ASSERT_TRUE(dropped.load()) << "no batch formed";
    EXPECT_EQ(summary.done, 3u);
    std::size_t second_tries = 0;
    for (const auto& a : plan.actions) {
        EXPECT_EQ(a.status, ActionStatus::done) << a.room << ": " << a.error;
        EXPECT_EQ(f.store.rows[a.room].sid, "RM_" + a.room);
        second_tries += contains(a.reason, "(on the second try)") ? 1 : 0;
    }
    EXPECT_GE(second_tries, 2u);  // every create of the lost batch wrote again
    EXPECT_EQ(f.server.count(Call::delete_room), 0u);
}

// Drives the recorder directly: a write in progress (held in the store) lets two more queue,
// so they are written as one batch of two.
std::vector<std::exception_ptr> batch_of_two(FakeRoomStore& store, SidRecorder& recorder) {
    std::atomic<bool> release{false};
    store.before_write = [&, inner = store.before_write](const auto& updates) {
        if (updates.size() == 1 && updates.front().room == "s0")
            while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (inner) inner(updates);
    };
    std::vector<std::exception_ptr> errors(3);
    auto record = [&](int i) {
        try {
            recorder.record({"s" + std::to_string(i), std::nullopt, "RM_s" + std::to_string(i)});
        } catch (...) {
            errors[static_cast<std::size_t>(i)] = std::current_exception();
        }
    };
    std::thread first(record, 0);
    while (store.batches.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread second(record, 1), third(record, 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // both queue behind s0
    release = true;
    first.join();
    second.join();
    third.join();
    return errors;
}

TEST(SidRecorder, ABatchFailureOfOneRowIsRetriedRowByRow) {
    FakeRoomStore store;
    for (const char* n : {"s0", "s1", "s2"}) store.rows[n] = {std::nullopt, true};
    store.before_write = [](const std::vector<store::SidUpdate>& updates) {
        for (const auto& u : updates)
            if (u.room == "s2") throw runtime_error("database error: duplicate key value");
    };
    std::mutex store_mutex;
    SidRecorder recorder(store, store_mutex);
    const auto errors = batch_of_two(store, recorder);
    EXPECT_EQ(store.batches, (std::vector<std::size_t>{1, 2, 1, 1}));
    EXPECT_FALSE(errors[0]);
    EXPECT_FALSE(errors[1]);
    EXPECT_TRUE(errors[2]);
    EXPECT_EQ(store.rows["s1"].sid, "RM_s1");
    EXPECT_FALSE(store.rows["s2"].sid);
}

TEST(SidRecorder, ALostConnectionIsNotRetriedRowByRow) {
    FakeRoomStore store;
    for (const char* n : {"s0", "s1", "s2"}) store.rows[n] = {std::nullopt, true};
    store.before_write = [](const std::vector<store::SidUpdate>& updates) {
        if (updates.size() > 1) throw store::ConnectionLost("lost the database connection: x");
    };
    std::mutex store_mutex;
    SidRecorder recorder(store, store_mutex);
    const auto errors = batch_of_two(store, recorder);
    EXPECT_EQ(store.batches, (std::vector<std::size_t>{1, 2}));  // no per-row writes
    for (std::size_t i : {1u, 2u}) {
        ASSERT_TRUE(errors[i]);
        EXPECT_THROW(std::rethrow_exception(errors[i]), store::ConnectionLost);
    }
    EXPECT_FALSE(store.rows["s1"].sid);
}

TEST(ExecutorSidWrites, ATooLongSidFailsTheCreateAndDeletesTheRoomAgain) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.before_write = [](const std::vector<store::SidUpdate>&) {
        throw store::SidRejected(
            "SID RM_s1 is 5 characters, but column \"room_sid\" is "
            "character varying(4): nothing was written");
    };
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(a.compensated);
    EXPECT_TRUE(contains(a.error, "character varying(4)")) << a.error;
    EXPECT_EQ(f.server.rooms.count("s1"), 0u);
    EXPECT_FALSE(f.store.rows["s1"].sid);
    EXPECT_EQ(summary.failed, 1u);
}

TEST(ExecutorSidWrites, AWriteATriggerIgnoredIsCompensatedNamingTheTrigger) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.ignored.insert("s1");
    f.store.sid_facts.update_triggers = "keep_sids";
    Plan plan{{create_action("s1")}};
    auto summary = execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::compensated) << a.error;
    EXPECT_TRUE(a.compensated);
    EXPECT_TRUE(a.reason.starts_with("a trigger on the table ignored the update (keep_sids)"))
        << a.reason;
    EXPECT_FALSE(contains(a.reason, "concurrent")) << a.reason;
    EXPECT_EQ(f.server.rooms.count("s1"), 0u);
    EXPECT_EQ(summary.compensated, 1u);
}

TEST(ExecutorSidWrites, WithoutATriggerTheDatabaseIgnoredTheUpdate) {
    ExecutorFixture f;
    f.store.rows["s1"] = {std::nullopt, true};
    f.store.ignored.insert("s1");
    Plan plan{{create_action("s1")}};
    execute(plan, f.ports(), one_worker());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::compensated) << plan.actions[0].error;
    EXPECT_TRUE(plan.actions[0].reason.starts_with("the database ignored the update"))
        << plan.actions[0].reason;
}

TEST(ExecutorSidWrites, AnIgnoredSidUpdateFailsAndIsNotCalledConcurrent) {
    ExecutorFixture f;
    f.store.rows["s1"] = {"RM_old", true};
    f.store.ignored.insert("s1");
    f.store.sid_facts.update_triggers = "keep_sids";
    Action u;
    u.kind = ActionKind::update_sid;
    u.room = "s1";
    u.expected_sid = "RM_old";
    u.new_sid = "RM_new";
    Plan plan{{u}};
    execute(plan, f.ports(), one_worker());
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::failed);
    EXPECT_TRUE(contains(a.error, "a trigger on the table ignored the update")) << a.error;
    EXPECT_EQ(f.store.rows["s1"].sid, "RM_old");
}

}  // namespace
}  // namespace roomctl::reconcile
