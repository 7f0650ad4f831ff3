// RoomStore's reading of status words and its run lock, against a real PostgreSQL
// (ROOMCTL_TEST_DATABASE_URL; tests/db/store_fixture.hpp).

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using testing::error_of;
using testing::url_with;

class TableFactsTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store(const config::RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }
    std::unique_ptr<RoomStore> store() { return store(default_mapping()); }

    int backend_holding(std::int64_t key) {
        auto r = exec(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
            "classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid "
            "AND objsubid = 1",
            key);
        return r.empty() ? 0 : r[0][0].as<int>();
    }
    std::int64_t key_of_default_table() {
        auto r = exec("SELECT to_regclass($1)::oid::bigint", qualified("livekit_rooms"));
        return table_lock_key(static_cast<std::uint32_t>(r[0][0].as<std::int64_t>()));
    }
};

const char* name_of(Liveness l) {
    switch (l) {
        case Liveness::live:
            return "live";
        case Liveness::ended:
            return "ended";
        case Liveness::unclassified:
            return "unclassified";
    }
    return "?";
}

// ---------------------------------------------------------------------------------------------
// Status words
// ---------------------------------------------------------------------------------------------

TEST_F(TableFactsTest, LivenessIgnoresCaseAndUnknownWordsAreUnclassified) {
    create_default_table();
    insert("a", "RM_a", "ACTIVE");
    insert("b", "RM_b", "Pending");
    insert("c", "RM_c", "Ended");
    insert("d", "RM_d", "CANCELED");
    insert("e", "RM_e", "SCHEDULED");
    insert("f", "RM_f", std::nullopt);
    const auto rooms = store()->load_rooms();
    std::vector<std::string> got;
    for (const auto& r : rooms) {
        got.push_back(r.name + ":" + name_of(r.liveness));
        EXPECT_EQ(r.live, r.liveness == Liveness::live) << r.name;
    }
    EXPECT_EQ(got, (std::vector<std::string>{"a:live", "b:live", "c:ended", "d:ended",
                                             "e:unclassified", "f:unclassified"}));
}

TEST_F(TableFactsTest, ConfiguredWordsAreMatchedWhateverTheirCase) {
    create_default_table();
    insert("a", "RM_a", "scheduled");
    insert("b", "RM_b", "Done");
    insert("c", "RM_c", "ended");  // a default word, no longer listed
    auto m = default_mapping();
    m.live_statuses = {"SCHEDULED"};
    m.ended_statuses = {"DONE"};
    const auto rooms = store(m)->load_rooms();
    ASSERT_EQ(rooms.size(), 3u);
    EXPECT_EQ(rooms[0].liveness, Liveness::live);
    EXPECT_EQ(rooms[1].liveness, Liveness::ended);
    EXPECT_EQ(rooms[2].liveness, Liveness::unclassified);
}

TEST_F(TableFactsTest, LiveRowPredicatesIgnoreCase) {
    create_default_table();
    insert("a", "RM_1", "ACTIVE");
    insert("b", "RM_2", "Ended");
    insert("c", "RM_3", "weird");
    auto s = store();
    EXPECT_TRUE(s->is_live("a"));
    EXPECT_FALSE(s->is_live("b"));
    EXPECT_FALSE(s->is_live("c"));
    const auto rec = s->recorded_sid("a");
    EXPECT_TRUE(rec.live);
    EXPECT_EQ(rec.sid, "RM_1");
    EXPECT_FALSE(s->recorded_sid("c").live);
    EXPECT_EQ(s->update_sid("a", "RM_1", "RM_9"), 1);
    EXPECT_EQ(s->update_sid("b", "RM_2", "RM_9"), 0);  // ended: never written
    EXPECT_EQ(s->update_sid("c", "RM_3", "RM_9"), 0);  // unclassified: never written
    auto r = exec("SELECT room_name, room_sid FROM " + qualified("livekit_rooms") + " ORDER BY 1");
    EXPECT_STREQ(r[0][1].c_str(), "RM_9");
    EXPECT_STREQ(r[1][1].c_str(), "RM_2");
    EXPECT_STREQ(r[2][1].c_str(), "RM_3");
}

TEST_F(TableFactsTest, StatusCountsGroupTheStatusColumnAndClassifyEachValue) {
    create_default_table();
    for (int i = 0; i < 3; ++i) insert("A" + std::to_string(i), std::nullopt, "ACTIVE");
    insert("a", std::nullopt, "active");
    insert("e1", std::nullopt, "ended");
    insert("e2", std::nullopt, "ended");
    insert("n1", std::nullopt, std::nullopt);
    insert("n2", std::nullopt, std::nullopt);
    insert("w", std::nullopt, "weird");
    const auto counts = store()->status_counts();
    std::vector<std::string> got;
    for (const auto& c : counts)
        got.push_back(c.status.value_or("NULL") + "=" + std::to_string(c.rows) + ":" +
                      name_of(c.liveness));
    EXPECT_EQ(got,
              (std::vector<std::string>{"ACTIVE=3:live", "ended=2:ended", "NULL=2:unclassified",
                                        "active=1:live", "weird=1:unclassified"}));
}

TEST_F(TableFactsTest, StatusCountsOfAnEmptyTable) {
    create_default_table();
    EXPECT_TRUE(store()->status_counts().empty());
}

TEST_F(TableFactsTest, BooleanStatusColumn) {
    // Seed 001: is_active boolean. "true" live by configuration; "false" is a default ended word.
    exec("CREATE TABLE " + qualified("breakout_rooms") +
         " (room_name text, twilio_room_sid text, is_active boolean)");
    exec("INSERT INTO " + qualified("breakout_rooms") +
         " VALUES ('t', 'RM_t', true), ('f', 'RM_f', false), ('n', 'RM_n', NULL)");
    config::RoomMapping m;
    m.table = m_schema + ".breakout_rooms";
    m.sid_column = "twilio_room_sid";
    m.status_column = "is_active";
    m.live_statuses = {"true"};
    auto s = store(m);
    const auto rooms = s->load_rooms();
    ASSERT_EQ(rooms.size(), 3u);
    EXPECT_EQ(rooms[0].liveness, Liveness::ended);         // f
    EXPECT_EQ(rooms[1].liveness, Liveness::unclassified);  // n
    EXPECT_EQ(rooms[2].liveness, Liveness::live);          // t
    EXPECT_EQ(s->update_sid("t", "RM_t", "RM_x"), 1);      // text to a text column of a bool row
    EXPECT_EQ(s->status_counts().size(), 3u);
}

TEST_F(TableFactsTest, FindSessionClassifiesRows) {
    create_default_table();
    const std::string session = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    exec("INSERT INTO " + qualified("livekit_rooms") +
             " (room_name, status, session_id) VALUES ('x', 'Active', $1::uuid), "
             "('y', 'odd', $1::uuid)",
         session);
    const auto rows = store()->find_session(session);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].liveness, Liveness::live);
    EXPECT_TRUE(rows[0].live);
    EXPECT_EQ(rows[1].liveness, Liveness::unclassified);
    EXPECT_FALSE(rows[1].live);
}

// ---------------------------------------------------------------------------------------------
// The run lock
// ---------------------------------------------------------------------------------------------

TEST_F(TableFactsTest, TableLockIsKeyedOnTheTablesOidNotItsSpelling) {
    create_default_table();
    auto qualified_store = store();
    config::RoomMapping unqualified;  // "livekit_rooms", found through search_path
    auto other = connect_room_store(url_with(m_url, "options", "-csearch_path=" + m_schema),
                                    unqualified, StoreOptions{});
    EXPECT_FALSE(other->table_lock_holder().has_value());
    ASSERT_TRUE(qualified_store->try_table_lock());
    const std::int64_t key = key_of_default_table();
    EXPECT_EQ(key >> 32, k_table_lock_class);
    const int holder_pid = backend_holding(key);
    ASSERT_NE(holder_pid, 0) << "no lock on table_lock_key(oid)";
    EXPECT_FALSE(other->try_table_lock());

    const auto holder = other->table_lock_holder();
    ASSERT_TRUE(holder.has_value());
    EXPECT_EQ(holder->pid, holder_pid);
    EXPECT_EQ(holder->application, "roomctl");
    EXPECT_FALSE(holder->client.empty());
    EXPECT_TRUE(std::regex_match(holder->since, std::regex{R"(\d\d:\d\d:\d\d UTC)"}))
        << holder->since;

    qualified_store->release_locks();
    EXPECT_EQ(backend_holding(key), 0);
    EXPECT_TRUE(other->try_table_lock());
    EXPECT_NE(backend_holding(key), holder_pid);
    other->release_locks();
    EXPECT_EQ(backend_holding(key), 0);
}

TEST_F(TableFactsTest, ALockTakenTwiceIsReleasedFully) {
    create_default_table();
    auto s = store();
    ASSERT_TRUE(s->try_table_lock());
    ASSERT_TRUE(s->try_table_lock());  // session locks stack
    s->release_locks();
    EXPECT_EQ(backend_holding(key_of_default_table()), 0);
    s->release_locks();  // nothing held: nothing to do
}

TEST_F(TableFactsTest, DestroyingTheStoreReleasesItsLocks) {
    create_default_table();
    auto s = store();
    ASSERT_TRUE(s->try_table_lock());
    s.reset();
    EXPECT_TRUE(store()->try_table_lock());
}

TEST_F(TableFactsTest, ReleaseLocksOnALostConnectionDoesNotThrow) {
    create_default_table();
    auto s = store();
    ASSERT_TRUE(s->try_table_lock());
    const std::int64_t key = key_of_default_table();
    exec("SELECT pg_terminate_backend($1)", backend_holding(key));
    EXPECT_NO_THROW(s->release_locks());
    EXPECT_TRUE(store()->try_table_lock());
    // The store still works afterwards, on a new connection, without the lock.
    EXPECT_NO_THROW(s->load_rooms());
}

TEST_F(TableFactsTest, TableLockIsTakenAgainAfterAReconnect) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    ASSERT_TRUE(s->try_table_lock());
    const std::int64_t key = key_of_default_table();
    const int first = backend_holding(key);
    exec("SELECT pg_terminate_backend($1)", first);
    error_of([&] { s->update_sid("r", "RM_1", "RM_2"); }, ErrorKind::runtime);
    EXPECT_EQ(s->load_rooms().size(), 1u);
    const int second = backend_holding(key);
    EXPECT_NE(second, 0);
    EXPECT_NE(second, first);
}

TEST_F(TableFactsTest, TableLockOnAMissingTableIsAConfigError) {
    auto s = store();  // no table created
    const auto msg = error_of([&] { s->try_table_lock(); }, ErrorKind::config);
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
    EXPECT_FALSE(s->table_lock_holder().has_value());
}

TEST(TableLockKey, ConstantInTheHighHalfOidInTheLow) {
    EXPECT_EQ(table_lock_key(0), std::int64_t{0x726d6374} << 32);
    EXPECT_EQ(table_lock_key(16384) & 0xffffffff, 16384);
    EXPECT_EQ(table_lock_key(0xffffffffu) & 0xffffffff, 0xffffffff);
    EXPECT_GT(table_lock_key(0xffffffffu), 0);
}

}  // namespace
}  // namespace roomctl::store
