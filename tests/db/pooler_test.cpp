// RoomStore behind a real PgBouncer (scripts/lib/pg.sh pgbouncer_start): which connections
// share one server session, what works through a transaction-mode pooler, and that the run lock
// is released explicitly. ROOMCTL_TEST_POOLER_URL (pool_mode=transaction) and
// ROOMCTL_TEST_SESSION_POOLER_URL (pool_mode=session) point at the same database as
// ROOMCTL_TEST_DATABASE_URL; without them these tests skip, or fail when CI=true.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

class PoolerTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ROOMCTL_REQUIRE_URL(m_tx_url, "ROOMCTL_TEST_POOLER_URL",
                            "run `source scripts/lib/pg.sh; pg_start /tmp/pgx; "
                            "pgbouncer_start /tmp/pgx-bouncer` first");
        ROOMCTL_REQUIRE_URL(m_session_url, "ROOMCTL_TEST_SESSION_POOLER_URL",
                            "pgbouncer_start (scripts/lib/pg.sh) sets it");
        create_default_table();
        insert("r1", "RM_1", "active");
        insert("r2", "RM_2", "ended");
    }

    std::unique_ptr<RoomStore> open(const std::string& url) {
        return connect_room_store(url, default_mapping(), StoreOptions{});
    }

    bool lock_is_free() {
        pqxx::connection other{m_url};
        pqxx::work tx{other};
        auto key = tx.exec_params1("SELECT ($1::bigint << 32) | to_regclass($2)::oid::bigint",
                                   static_cast<std::int64_t>(k_table_lock_class),
                                   qualified("livekit_rooms"))[0]
                       .as<std::int64_t>();
        const bool taken =
            tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", key)[0].as<bool>();
        tx.commit();  // a transaction lock: gone with the commit
        return taken;
    }

    std::optional<std::string> m_tx_url, m_session_url;
};

TEST_F(PoolerTest, DirectConnectionSharesOneSession) {
    const auto check = open(m_url)->session_check();
    EXPECT_TRUE(check.shared_session) << check.evidence;
    EXPECT_TRUE(contains(check.evidence, "one server session per connection")) << check.evidence;
}

TEST_F(PoolerTest, SessionModePoolerSharesOneSession) {
    const auto check = open(*m_session_url)->session_check();
    EXPECT_TRUE(check.shared_session) << check.evidence;
}

TEST_F(PoolerTest, TransactionModePoolerIsDetected) {
    const auto check = open(*m_tx_url)->session_check();
    EXPECT_FALSE(check.shared_session) << check.evidence;
    EXPECT_TRUE(contains(check.evidence, "backend pid")) << check.evidence;
}

// Why --apply must refuse there: through a transaction-mode pooler a second client is served by
// the backend that holds the first client's session lock, so the lock excludes nobody (session
// locks stack), and it stays held on the pooled backend until every hold is released
// explicitly (PgBouncer's DISCARD ALL runs only in session mode).
TEST_F(PoolerTest, TransactionModePoolerLockExcludesNobody) {
    auto first = open(*m_tx_url);
    ASSERT_TRUE(first->try_table_lock());
    auto second = open(*m_tx_url);
    EXPECT_TRUE(second->try_table_lock());
    first->release_locks();
    second->release_locks();
    EXPECT_TRUE(lock_is_free());  // both holds released, on whichever backend held them
}

TEST_F(PoolerTest, ReadOnlyWorkRunsThroughATransactionModePooler) {
    auto s = open(*m_tx_url);
    for (int i = 0; i < 3; ++i) {  // several transactions, each possibly on another backend
        const auto rooms = s->load_rooms();
        ASSERT_EQ(rooms.size(), 2u);
        EXPECT_EQ(rooms[0].liveness, Liveness::live);
        EXPECT_EQ(rooms[1].liveness, Liveness::ended);
    }
    EXPECT_TRUE(s->is_live("r1"));
    EXPECT_EQ(s->recorded_sid("r1").sid, "RM_1");
    EXPECT_EQ(s->status_counts().size(), 2u);
    EXPECT_TRUE(s->check_mapping().ok);
    EXPECT_FALSE(s->row_visibility().applies);
    EXPECT_FALSE(s->table_lock_holder().has_value());
}

TEST_F(PoolerTest, ReleaseLocksFreesTheLockForOthers) {
    auto s = open(m_url);
    ASSERT_TRUE(s->try_table_lock());
    EXPECT_FALSE(lock_is_free());
    s->release_locks();
    EXPECT_TRUE(lock_is_free());
}

TEST_F(PoolerTest, SessionModePoolerLockIsReleasedAndNotLeaked) {
    auto s = open(*m_session_url);
    ASSERT_TRUE(s->try_table_lock());
    EXPECT_FALSE(lock_is_free());
    auto other = open(*m_session_url);
    EXPECT_FALSE(other->try_table_lock());
    s->release_locks();
    EXPECT_TRUE(lock_is_free());
    EXPECT_TRUE(other->try_table_lock());
}

}  // namespace
}  // namespace roomctl::store
