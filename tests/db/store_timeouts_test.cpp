// Every transaction of the store is bounded (SET LOCAL lock_timeout / statement_timeout), a
// statement that gives up names the session that blocked it, cancel() stops a statement in
// flight from another thread or a signal handler, and target() names what was reached. Against
// a real PostgreSQL, with a real second session holding `BEGIN; ALTER TABLE ...` open.

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::error_of;
using testing::url_with;

class StoreTimeoutsTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        create_default_table();
        insert("r1", "RM_1", "active");
    }

    void TearDown() override {
        m_migration.reset();  // rolls the open ALTER TABLE back
        m_holder.reset();
        StoreFixture::TearDown();
    }

    std::unique_ptr<RoomStore> store(StoreOptions options) {
        return connect_room_store(m_url, default_mapping(), options);
    }

    // A second session, as an open migration: `BEGIN; ALTER TABLE ... ADD COLUMN x int;` and
    // nothing more. Returns its backend pid.
    int hold_table_open() {
        m_holder = std::make_unique<pqxx::connection>(
            url_with(m_url, "application_name", "migration-test"));
        m_migration = std::make_unique<pqxx::work>(*m_holder);
        m_migration->exec("ALTER TABLE " + qualified("livekit_rooms") + " ADD COLUMN x int");
        return m_holder->backendpid();
    }

    std::unique_ptr<pqxx::connection> m_holder;
    std::unique_ptr<pqxx::work> m_migration;
};

template <typename F>
milliseconds time_of(F&& f) {
    const auto start = steady_clock::now();
    f();
    return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

TEST_F(StoreTimeoutsTest, LockTimeoutNamesTheSessionHoldingTheTable) {
    auto s = store({300ms, 30s});
    const int pid = hold_table_open();
    std::string msg;
    const auto took =
        time_of([&] { msg = error_of([&] { s->load_rooms(); }, ErrorKind::runtime); });
    EXPECT_LT(took, 3s) << msg;
    EXPECT_TRUE(contains(msg, "the room table " + m_schema + ".livekit_rooms is locked by pid " +
                                  std::to_string(pid) + " (application migration-test"))
        << msg;
    EXPECT_TRUE(contains(msg, "idle in transaction for ")) << msg;
    EXPECT_TRUE(contains(msg, "gave up after lock_timeout 300ms")) << msg;
    EXPECT_TRUE(contains(msg, "end that transaction or raise [database] lock_timeout")) << msg;
    EXPECT_FALSE(contains(msg, "\n")) << msg;
    EXPECT_FALSE(contains(msg, "roomctl@")) << msg;  // no URL, let alone a password

    // The store is still usable once the migration ends.
    m_migration.reset();
    EXPECT_EQ(s->load_rooms().size(), 1u);
}

// Every operation's transaction starts with the limits, not only load_rooms'.
TEST_F(StoreTimeoutsTest, EveryOperationGivesUpAfterLockTimeout) {
    auto s = store({200ms, 30s});
    const int pid = hold_table_open();
    const std::vector<std::pair<std::string, std::function<void()>>> operations = {
        {"load_rooms", [&] { s->load_rooms(); }},
        {"is_live", [&] { s->is_live("r1"); }},
        {"recorded_sid", [&] { s->recorded_sid("r1"); }},
        {"find_session", [&] { s->find_session("00000000-0000-0000-0000-000000000000"); }},
        {"update_sid", [&] { s->update_sid("r1", "RM_1", "RM_2"); }},
    };
    for (const auto& [name, op] : operations) {
        std::string msg;
        const auto took = time_of([&] { msg = error_of(op, ErrorKind::runtime); });
        EXPECT_LT(took, 3s) << name << ": " << msg;
        EXPECT_TRUE(contains(msg, "is locked by pid " + std::to_string(pid)))
            << name << ": " << msg;
    }
    m_migration.reset();
    EXPECT_EQ(s->recorded_sid("r1").sid, "RM_1");  // the refused update changed nothing
}

TEST_F(StoreTimeoutsTest, StatementTimeoutStopsTheWaitAndNamesTheHolder) {
    auto s = store({60s, 400ms});
    const int pid = hold_table_open();
    std::string msg;
    const auto took =
        time_of([&] { msg = error_of([&] { s->load_rooms(); }, ErrorKind::runtime); });
    EXPECT_LT(took, 3s) << msg;
    EXPECT_GE(took, 350ms) << msg;
    EXPECT_TRUE(contains(msg, "ran longer than statement_timeout 400ms")) << msg;
    EXPECT_TRUE(contains(msg, "locked by pid " + std::to_string(pid))) << msg;
    EXPECT_TRUE(contains(msg, "raise [database] statement_timeout")) << msg;
}

// The limits are SET LOCAL: nothing stays on the server session after the transaction. Behind
// a transaction-mode PgBouncer, which hands the most recently used server session to the next
// client, a session SET would show up in the next client's session.
TEST_F(StoreTimeoutsTest, LimitsDoNotOutliveTheTransactionBehindATransactionPooler) {
    std::optional<std::string> pooler;
    ROOMCTL_REQUIRE_URL(pooler, "ROOMCTL_TEST_POOLER_URL",
                        "pgbouncer_start (scripts/lib/pg.sh) sets it");
    auto s = connect_room_store(*pooler, default_mapping(), {1234ms, 5678ms});
    ASSERT_EQ(s->load_rooms().size(), 1u);
    ASSERT_TRUE(s->is_live("r1"));
    pqxx::connection next{*pooler};
    pqxx::nontransaction tx{next};
    EXPECT_NE(tx.exec1("SHOW lock_timeout")[0].as<std::string>(), "1234ms");
    EXPECT_NE(tx.exec1("SHOW statement_timeout")[0].as<std::string>(), "5678ms");
}

// A cancel that roomctl did not ask for (pg_cancel_backend by an operator) is not an
// interruption of roomctl, nor a timeout: it says what happened.
TEST_F(StoreTimeoutsTest, SomeoneElsesCancelIsNotATimeout) {
    // A name of its own: the integration tests' roomctl sessions may be waiting on locks in
    // the same database at the same time (ctest -j2), and must not be cancelled.
    auto s = connect_room_store(url_with(m_url, "application_name", "roomctl-cancel-test"),
                                default_mapping(), {30s, 60s});
    hold_table_open();
    std::thread other([&] {
        pqxx::connection c{m_url};
        for (int i = 0; i < 50; ++i) {
            std::this_thread::sleep_for(100ms);
            pqxx::nontransaction tx{c};
            auto r = tx.exec(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE "
                "application_name = 'roomctl-cancel-test' AND wait_event_type = 'Lock'");
            if (!r.empty()) return;
        }
    });
    std::string msg;
    const auto took =
        time_of([&] { msg = error_of([&] { s->load_rooms(); }, ErrorKind::runtime); });
    other.join();
    EXPECT_LT(took, 5s) << msg;
    EXPECT_TRUE(contains(msg, "the database cancelled roomctl's query on the room table")) << msg;
    EXPECT_FALSE(contains(msg, "statement_timeout")) << msg;
}

TEST_F(StoreTimeoutsTest, CancelFromAnotherThreadInterruptsALockWait) {
    auto s = store({30s, 60s});
    hold_table_open();
    std::atomic<bool> cancelled{false};
    steady_clock::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        cancelled_at = steady_clock::now();
        cancelled = true;
        s->cancel();
    });
    std::string msg = error_of([&] { s->load_rooms(); }, ErrorKind::interrupted);
    const auto returned_at = steady_clock::now();
    canceller.join();
    ASSERT_TRUE(cancelled);
    EXPECT_LT(returned_at - cancelled_at, 1s);
    EXPECT_EQ(msg, "interrupted: the database query was cancelled");
    // Once cancelled, the store does nothing more.
    m_migration.reset();
    msg = error_of([&] { s->is_live("r1"); }, ErrorKind::interrupted);
    EXPECT_EQ(msg, "interrupted: the database query was cancelled");
}

std::atomic<RoomStore*> g_store_to_cancel{nullptr};

extern "C" void cancel_on_signal(int) {
    if (RoomStore* s = g_store_to_cancel.load()) s->cancel();
}

TEST_F(StoreTimeoutsTest, CancelFromASignalHandlerInterruptsALockWait) {
    auto s = store({30s, 60s});
    hold_table_open();
    g_store_to_cancel = s.get();
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = cancel_on_signal;
    sigemptyset(&action.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);
    const pthread_t waiting = pthread_self();
    steady_clock::time_point signalled_at;
    std::thread signaller([&] {
        std::this_thread::sleep_for(300ms);
        signalled_at = steady_clock::now();
        pthread_kill(waiting, SIGUSR1);
    });
    const std::string msg = error_of([&] { s->load_rooms(); }, ErrorKind::interrupted);
    const auto returned_at = steady_clock::now();
    signaller.join();
    sigaction(SIGUSR1, &previous, nullptr);
    g_store_to_cancel = nullptr;
    EXPECT_LT(returned_at - signalled_at, 1s);
    EXPECT_EQ(msg, "interrupted: the database query was cancelled");
}

TEST_F(StoreTimeoutsTest, CancelReachesTheConnectionAfterAReconnect) {
    auto s = store({30s, 60s});
    ASSERT_TRUE(s->try_advisory_lock(731101));
    // Kill the store's backend: the next read reconnects (and takes the lock again).
    exec(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
        "objid = 731101 AND granted");
    EXPECT_EQ(s->load_rooms().size(), 1u);
    hold_table_open();
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        s->cancel();
    });
    const auto took = time_of([&] { error_of([&] { s->load_rooms(); }, ErrorKind::interrupted); });
    canceller.join();
    EXPECT_LT(took, 1300ms);
}

TEST_F(StoreTimeoutsTest, TargetNamesWhatTheConnectionReached) {
    auto r = exec(
        "SELECT host(inet_server_addr()), inet_server_port()::text, "
        "current_database(), current_user");
    auto s = store({});
    const DatabaseTarget t = s->target();
    if (!r[0][0].is_null()) {
        EXPECT_EQ(t.host, r[0][0].c_str());
        EXPECT_EQ(t.port, r[0][1].c_str());
    }
    EXPECT_EQ(t.database, r[0][2].c_str());
    EXPECT_EQ(t.user, r[0][3].c_str());
    EXPECT_EQ(t.table, m_schema + ".livekit_rooms");

    // An unqualified table is named as the server resolved it, through search_path.
    config::RoomMapping m = default_mapping();
    m.table = "livekit_rooms";
    auto unqualified = connect_room_store(url_with(m_url, "options", "-csearch_path=" + m_schema),
                                          m, StoreOptions{});
    EXPECT_EQ(unqualified->target().table, m_schema + ".livekit_rooms");

    // A table that does not exist is a config error naming it.
    m.table = m_schema + ".no_such_table";
    const auto missing = error_of([&] { connect_room_store(m_url, m, StoreOptions{})->target(); },
                                  ErrorKind::config);
    EXPECT_TRUE(contains(missing, "no_such_table")) << missing;
}

}  // namespace
}  // namespace roomctl::store
