// A lost connection (pg_terminate_backend): the operation that meets it fails, the next runs on
// a new backend holding the store's advisory locks again, or stops when another run took them
// meanwhile. Against a real PostgreSQL (tests/db/store_fixture.hpp).

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using testing::error_of;

class StoreReconnectTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store() {
        return connect_room_store(m_url, default_mapping(), StoreOptions{});
    }
    std::optional<std::string> sid_of(const std::string& name) {
        auto r = exec(
            "SELECT room_sid FROM " + qualified("livekit_rooms") + " WHERE room_name = $1", name);
        if (r.empty() || r[0][0].is_null()) return std::nullopt;
        return std::string{r[0][0].c_str()};
    }
};

// The pid of the backend holding advisory lock `key` (0 when none): keys below 2^32 show up
// in pg_locks as classid 0, objid key.
int lock_holder(pqxx::connection& admin, std::int64_t key) {
    pqxx::work tx{admin};
    auto r = tx.exec_params(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
        "AND objid = $1::bigint::oid AND granted",
        key);
    tx.commit();
    return r.empty() ? 0 : r[0][0].as<int>();
}

TEST_F(StoreReconnectTest, TerminatedBackendIsReplacedAndItsLockTakenAgain) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731001;
    ASSERT_TRUE(s->try_advisory_lock(key));
    const int first = lock_holder(*m_conn, key);
    ASSERT_NE(first, 0);
    exec("SELECT pg_terminate_backend($1)", first);

    // The operation that meets the loss fails and says so; nothing runs without the lock.
    const auto msg = error_of([&] { s->update_sid("r", "RM_1", "RM_2"); }, ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("lost the database connection")) << msg;
    EXPECT_EQ(sid_of("r"), "RM_1");

    // The next one runs on a new backend that holds the lock again.
    EXPECT_EQ(s->update_sid("r", "RM_1", "RM_2"), 1);
    const int second = lock_holder(*m_conn, key);
    EXPECT_NE(second, 0);
    EXPECT_NE(second, first);
}

TEST_F(StoreReconnectTest, LockTakenByAnotherRunWhileDisconnectedStopsTheStore) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731002;
    ASSERT_TRUE(s->try_advisory_lock(key));
    exec("SELECT pg_terminate_backend($1)", lock_holder(*m_conn, key));

    // Another run takes the lock before roomctl reconnects.
    auto other = std::make_unique<pqxx::connection>(m_url);
    {
        pqxx::nontransaction tx{*other};
        ASSERT_TRUE(tx.exec_params1("SELECT pg_try_advisory_lock($1::bigint)", key)[0].as<bool>());
    }
    // A read meeting the lost connection is asked again on a new one, which cannot get the
    // lock back; so is every later operation, and nothing is written.
    auto msg = error_of([&] { s->load_rooms(); }, ErrorKind::locked);
    EXPECT_NE(msg.find("another roomctl run took the lock"), std::string::npos) << msg;
    msg = error_of([&] { s->update_sid("r", "RM_1", "RM_2"); }, ErrorKind::locked);
    EXPECT_NE(msg.find("another roomctl run took the lock"), std::string::npos) << msg;
    EXPECT_EQ(sid_of("r"), "RM_1");
}

TEST_F(StoreReconnectTest, AReadMeetingATerminatedBackendIsAskedAgainOnANewOne) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731003;
    ASSERT_TRUE(s->try_advisory_lock(key));
    const int first = lock_holder(*m_conn, key);
    exec("SELECT pg_terminate_backend($1)", first);
    EXPECT_TRUE(s->is_live("r"));  // no error: read again after reconnecting
    EXPECT_EQ(s->recorded_sid("r").sid, "RM_1");
    EXPECT_NE(lock_holder(*m_conn, key), first);
    EXPECT_NE(lock_holder(*m_conn, key), 0);
}

}  // namespace
}  // namespace roomctl::store
