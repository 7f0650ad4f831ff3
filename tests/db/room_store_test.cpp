// RoomStore against a real PostgreSQL. The database comes from ROOMCTL_TEST_DATABASE_URL
// (scripts/lib/pg.sh: `source scripts/lib/pg.sh; pg_start /tmp/pgx`). Without it the tests are
// skipped, or fail when CI=true. Each test works in its own schema, dropped afterwards.

#include "roomctl/store/room_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/util/error.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;

// What a test sees of one row, for compact comparisons.
struct Row {
    std::string name;
    std::optional<std::string> sid;
    std::optional<std::string> status;
    bool live;
    bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
    return os << "{" << r.name << ", " << (r.sid ? "\"" + *r.sid + "\"" : "NULL") << ", "
              << (r.status ? "\"" + *r.status + "\"" : "NULL") << ", " << r.live << "}";
}

std::vector<Row> rows_of(const std::vector<DbRoom>& rooms) {
    std::vector<Row> out;
    for (const auto& r : rooms) out.push_back({r.name, r.sid, r.status, r.live});
    return out;
}

// The shared fixture (store_fixture.hpp), with this file's helpers: rows whose name may be
// NULL, the SID a row holds, and stores over the default mapping.
class RoomStoreTest : public testing::StoreFixture {
protected:
    void insert(const std::optional<std::string>& name, const std::optional<std::string>& sid,
                const std::optional<std::string>& status) {
        exec("INSERT INTO " + qualified("livekit_rooms") +
                 " (room_name, room_sid, status) VALUES ($1, $2, $3)",
             name ? name->c_str() : nullptr, sid ? sid->c_str() : nullptr,
             status ? status->c_str() : nullptr);
    }

    std::optional<std::string> sid_of(const std::string& table_sql, const std::string& name_col,
                                      const std::string& sid_col, const std::string& name) {
        auto r = exec("SELECT " + q(sid_col) + "::text FROM " + table_sql + " WHERE " +
                          q(name_col) + "::text = $1",
                      name);
        if (r.empty() || r[0][0].is_null()) return std::nullopt;
        return std::string{r[0][0].c_str()};
    }
    std::optional<std::string> sid_of(const std::string& name) {
        return sid_of(qualified("livekit_rooms"), "room_name", "room_sid", name);
    }

    std::unique_ptr<RoomStore> store(const RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }
    std::unique_ptr<RoomStore> store() { return store(default_mapping()); }

    // The test URL with one more libpq parameter (URI or keyword/value form).
    std::string url_with(const std::string& key, const std::string& value) {
        return testing::url_with(m_url, key, value);
    }
};

using testing::error_of;

// ---------------------------------------------------------------------------------------------
// load_rooms

TEST_F(RoomStoreTest, LoadRoomsReportsLivenessNullsAndEmptySids) {
    create_default_table();
    insert("b-pending", std::nullopt, "pending");
    insert("a-active", "RM_a", "active");
    insert("c-ended", "", "ended");
    insert("d-nostatus", "RM_d", std::nullopt);
    insert("e-active-empty", "", "active");
    insert("f-ACTIVE", "RM_f", "ACTIVE");  // status words match whatever their case

    const std::vector<Row> expected = {
        {"a-active", "RM_a", "active", true},   {"b-pending", std::nullopt, "pending", true},
        {"c-ended", "", "ended", false},        {"d-nostatus", "RM_d", std::nullopt, false},
        {"e-active-empty", "", "active", true}, {"f-ACTIVE", "RM_f", "ACTIVE", true},
    };
    EXPECT_EQ(rows_of(store()->load_rooms()), expected);
}

TEST_F(RoomStoreTest, LoadRoomsOnEmptyTable) {
    create_default_table();
    EXPECT_TRUE(store()->load_rooms().empty());
}

TEST_F(RoomStoreTest, OddIdentifiersAreQuoted) {
    const std::string table = "Rooms \"x\"";
    exec("CREATE TABLE " + qualified(table) +
         " (\"room name\" text, \"Sid\" text, \"state; DROP TABLE x\" text)");
    exec("INSERT INTO " + qualified(table) +
         " VALUES ('r1', 'RM_1', 'active'), ('r2', NULL, 'gone')");

    RoomMapping m;
    m.table = m_schema + "." + table;
    m.name_column = "room name";
    m.sid_column = "Sid";
    m.status_column = "state; DROP TABLE x";
    auto s = store(m);

    const auto check = s->check_mapping();
    EXPECT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.qualified_table, m_schema + ".\"Rooms \"\"x\"\"\"");

    const std::vector<Row> expected = {{"r1", "RM_1", "active", true},
                                       {"r2", std::nullopt, "gone", false}};
    EXPECT_EQ(rows_of(s->load_rooms()), expected);
    EXPECT_TRUE(s->is_live("r1"));
    EXPECT_FALSE(s->is_live("r2"));
    EXPECT_EQ(s->update_sid("r1", "RM_1", "RM_1b"), 1);
    EXPECT_EQ(sid_of(qualified(table), "room name", "Sid", "r1"), "RM_1b");
}

TEST_F(RoomStoreTest, IdentifiersAreCaseSensitive) {
    create_default_table();
    RoomMapping m = default_mapping();
    m.table = m_schema + ".LiveKit_Rooms";
    const auto check = store(m)->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem,
              "table \"" + m_schema + ".LiveKit_Rooms\" does not exist (set [rooms] table)");
}

TEST_F(RoomStoreTest, UnqualifiedTableUsesSearchPath) {
    create_default_table();
    insert("r1", "RM_1", "active");
    // search_path as a startup option (not a session SET), the way a deployment would.
    const std::string url = url_with("options", "-csearch_path=" + m_schema);
    RoomMapping m;  // table "livekit_rooms", unqualified
    auto s = connect_room_store(url, m, StoreOptions{});
    const auto check = s->check_mapping();
    EXPECT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.qualified_table, m_schema + ".livekit_rooms");
    ASSERT_EQ(s->load_rooms().size(), 1u);
    EXPECT_TRUE(s->is_live("r1"));
}

TEST_F(RoomStoreTest, NonTextColumnsUuidSidAndEnumStatus) {
    exec("CREATE TYPE " + qualified("room_status") + " AS ENUM ('pending', 'active', 'ended')");
    exec("CREATE TABLE " + qualified("rooms") + " (name varchar(64) PRIMARY KEY, sid uuid, " +
         "status " + qualified("room_status") + " NOT NULL)");
    const std::string u1 = "0b6c5a6e-2f7e-4a8e-9b1a-5d3c2f1e0a01";
    const std::string u2 = "0b6c5a6e-2f7e-4a8e-9b1a-5d3c2f1e0a02";
    exec("INSERT INTO " + qualified("rooms") +
             " VALUES ('a', $1, 'active'), ('b', NULL, 'pending'), ('c', $1, 'ended')",
         u1);

    RoomMapping m;
    m.table = m_schema + ".rooms";
    m.name_column = "name";
    m.sid_column = "sid";
    m.status_column = "status";
    auto s = store(m);
    EXPECT_TRUE(s->check_mapping().ok);
    const std::vector<Row> expected = {
        {"a", u1, "active", true}, {"b", std::nullopt, "pending", true}, {"c", u1, "ended", false}};
    EXPECT_EQ(rows_of(s->load_rooms()), expected);
    EXPECT_TRUE(s->is_live("a"));
    EXPECT_FALSE(s->is_live("c"));

    EXPECT_EQ(s->update_sid("a", u1, u2), 1);
    EXPECT_EQ(s->update_sid("b", std::nullopt, u1), 1);
    EXPECT_EQ(s->update_sid("c", u1, u2), 0);
    // A SID the column cannot hold is a database error, not a crash or a mapping problem.
    const auto msg = error_of([&] { s->update_sid("a", u2, "RM_not_a_uuid"); }, ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("database error: ")) << msg;
    EXPECT_NE(msg.find("uuid"), std::string::npos) << msg;
    // ...and the store is usable afterwards.
    EXPECT_EQ(sid_of(qualified("rooms"), "name", "sid", "a"), u2);
    EXPECT_EQ(s->load_rooms().size(), 3u);
}

// ---------------------------------------------------------------------------------------------
// update_sid

TEST_F(RoomStoreTest, UpdateSidWhenExpectedMatches) {
    create_default_table();
    insert("r", "RM_old", "active");
    auto s = store();
    EXPECT_EQ(s->update_sid("r", "RM_old", "RM_new"), 1);
    EXPECT_EQ(sid_of("r"), "RM_new");  // committed: visible to another connection
}

TEST_F(RoomStoreTest, UpdateSidLosesToConcurrentWriter) {
    create_default_table();
    insert("r", "RM_old", "active");
    auto s = store();
    const auto rooms = s->load_rooms();
    ASSERT_EQ(rooms.size(), 1u);
    exec("UPDATE " + qualified("livekit_rooms") + " SET room_sid = 'RM_app' WHERE room_name = 'r'");
    EXPECT_EQ(s->update_sid("r", rooms[0].sid, "RM_roomctl"), 0);
    EXPECT_EQ(sid_of("r"), "RM_app");
}

TEST_F(RoomStoreTest, UpdateSidSkipsRowsThatStoppedBeingLive) {
    create_default_table();
    insert("r", std::nullopt, "pending");
    auto s = store();
    ASSERT_TRUE(s->load_rooms().at(0).live);
    exec("UPDATE " + qualified("livekit_rooms") + " SET status = 'ended' WHERE room_name = 'r'");
    EXPECT_EQ(s->update_sid("r", std::nullopt, "RM_new"), 0);
    EXPECT_EQ(sid_of("r"), std::nullopt);
}

TEST_F(RoomStoreTest, UpdateSidOnlyTouchesLiveRowsOfThatName) {
    create_default_table();
    insert("r", "RM_x", "active");
    insert("r", "RM_x", "ended");
    insert("r2", "RM_x", "active");
    auto s = store();
    EXPECT_EQ(s->update_sid("r", "RM_x", "RM_y"), 1);
    auto r = exec("SELECT room_name, status, room_sid FROM " + qualified("livekit_rooms") +
                  " ORDER BY room_name, status");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_STREQ(r[0][2].c_str(), "RM_y");  // r active
    EXPECT_STREQ(r[1][2].c_str(), "RM_x");  // r ended
    EXPECT_STREQ(r[2][2].c_str(), "RM_x");  // r2
    EXPECT_EQ(s->update_sid("missing", std::nullopt, "RM_z"), 0);
}

TEST_F(RoomStoreTest, NullExpectedAndEmptyExpectedAreDistinct) {
    create_default_table();
    insert("null-sid", std::nullopt, "active");
    insert("empty-sid", "", "active");
    auto s = store();
    EXPECT_EQ(s->update_sid("null-sid", std::string{}, "RM_1"), 0);
    EXPECT_EQ(sid_of("null-sid"), std::nullopt);
    EXPECT_EQ(s->update_sid("empty-sid", std::nullopt, "RM_2"), 0);
    EXPECT_EQ(sid_of("empty-sid"), "");

    EXPECT_EQ(s->update_sid("null-sid", std::nullopt, "RM_1"), 1);
    EXPECT_EQ(sid_of("null-sid"), "RM_1");
    EXPECT_EQ(s->update_sid("empty-sid", std::string{}, "RM_2"), 1);
    EXPECT_EQ(sid_of("empty-sid"), "RM_2");
}

// ---------------------------------------------------------------------------------------------
// update_sids (batches), recorded_sid, and a lost connection
// ---------------------------------------------------------------------------------------------

TEST_F(RoomStoreTest, UpdateSidsIsOneCompareAndSetPerUpdateInOneStatement) {
    create_default_table();
    insert("a", std::nullopt, "active");
    insert("b", "RM_b", "active");
    insert("c", "RM_c", "ended");
    insert("d", "RM_d", "pending");
    insert("q\"u,o{t}e NULL", std::nullopt, "active");
    auto s = store();
    const auto changed = s->update_sids({{"a", std::nullopt, "RM_a2"},
                                         {"b", "RM_someone_else", "RM_b2"},
                                         {"c", "RM_c", "RM_c2"},
                                         {"d", "RM_d", "RM_d2"},
                                         {"absent", std::nullopt, "RM_z"},
                                         {"q\"u,o{t}e NULL", std::nullopt, "RM_\"q\\"}});
    EXPECT_EQ(changed, (std::vector<int>{1, 0, 0, 1, 0, 1}));
    EXPECT_EQ(sid_of("a"), "RM_a2");
    EXPECT_EQ(sid_of("b"), "RM_b");  // lost the compare: untouched
    EXPECT_EQ(sid_of("c"), "RM_c");  // not live: untouched
    EXPECT_EQ(sid_of("d"), "RM_d2");
    EXPECT_EQ(sid_of("q\"u,o{t}e NULL"), "RM_\"q\\");
    EXPECT_TRUE(s->update_sids({}).empty());
}

TEST_F(RoomStoreTest, RecordedSidReadsTheLiveRowFresh) {
    create_default_table();
    insert("a", "RM_a", "active");
    insert("n", std::nullopt, "active");
    insert("e", "RM_e", "ended");
    auto s = store();
    EXPECT_TRUE(s->recorded_sid("a").live);
    EXPECT_EQ(s->recorded_sid("a").sid, "RM_a");
    EXPECT_TRUE(s->recorded_sid("n").live);
    EXPECT_EQ(s->recorded_sid("n").sid, std::nullopt);
    EXPECT_FALSE(s->recorded_sid("e").live);
    EXPECT_FALSE(s->recorded_sid("absent").live);
    exec("UPDATE " + qualified("livekit_rooms") + " SET room_sid = 'RM_app' WHERE room_name = 'a'");
    EXPECT_EQ(s->recorded_sid("a").sid, "RM_app");
}

// ---------------------------------------------------------------------------------------------
// live statuses and is_live

TEST_F(RoomStoreTest, LiveStatusesWithQuotesCommasBracesBackslashes) {
    create_default_table();
    const std::vector<std::string> live = {"a,b",  "say \"hi\"", "{brace}", "back\\slash", "it's",
                                           "NULL", " spaced ",   "",        "ünïcødé"};
    const std::vector<std::string> not_live = {"a",   "b",      "say",  "hi",    "brace", "{",
                                               "nul", "spaced", "back", "slash", "\\",    "\""};
    int i = 0;
    for (const auto& st : live) insert("live" + std::to_string(i++), std::nullopt, st);
    for (const auto& st : not_live) insert("dead" + std::to_string(i++), std::nullopt, st);
    insert("nullstatus", std::nullopt, std::nullopt);

    RoomMapping m = default_mapping();
    m.live_statuses = live;
    auto s = store(m);
    for (const auto& room : s->load_rooms()) {
        const bool want = room.name.starts_with("live");
        EXPECT_EQ(room.live, want) << room.name << " status=" << room.status.value_or("NULL");
        // SQL-side membership (is_live, update_sid) agrees with the C++ side (load_rooms).
        EXPECT_EQ(s->is_live(room.name), want) << room.name;
        EXPECT_EQ(s->update_sid(room.name, std::nullopt, "RM_" + room.name), want ? 1 : 0)
            << room.name;
    }
}

TEST_F(RoomStoreTest, NoLiveStatusesMeansNothingIsLive) {
    create_default_table();
    insert("r", std::nullopt, "active");
    RoomMapping m = default_mapping();
    m.live_statuses = {};
    auto s = store(m);
    EXPECT_FALSE(s->load_rooms().at(0).live);
    EXPECT_FALSE(s->is_live("r"));
    EXPECT_EQ(s->update_sid("r", std::nullopt, "RM_1"), 0);
}

TEST_F(RoomStoreTest, IsLiveReadsFresh) {
    create_default_table();
    insert("r", "RM_1", "active");
    insert("gone", "RM_2", "ended");
    auto s = store();
    EXPECT_TRUE(s->is_live("r"));
    EXPECT_FALSE(s->is_live("gone"));
    EXPECT_FALSE(s->is_live("unknown"));
    EXPECT_FALSE(s->is_live(""));
    exec("UPDATE " + qualified("livekit_rooms") + " SET status = 'ended' WHERE room_name = 'r'");
    EXPECT_FALSE(s->is_live("r"));
    exec("UPDATE " + qualified("livekit_rooms") +
         " SET status = 'pending' WHERE room_name = 'gone'");
    EXPECT_TRUE(s->is_live("gone"));
}

// ---------------------------------------------------------------------------------------------
// Exact strings

TEST_F(RoomStoreTest, NamesAreStoredAndReadExactly) {
    create_default_table();
    const std::vector<std::string> names = {
        std::string(300, 'n'), "session-44fa27d7-0528-46ce-9648-810539c2555c",
        "it's \"quoted\"",     "semi;colon; DROP TABLE livekit_rooms; --",
        "back\\slash\\",       "ünïcødé 会议室 🎥",
        "tab\there",           " leading and trailing ",
        "%s %n $1 ?",
    };
    for (const auto& n : names) insert(n, "RM_" + std::to_string(n.size()), "active");
    auto s = store();
    auto rooms = s->load_rooms();
    ASSERT_EQ(rooms.size(), names.size());
    std::vector<std::string> got;
    for (const auto& r : rooms) got.push_back(r.name);
    std::vector<std::string> want = names;
    std::sort(want.begin(), want.end());  // cluster uses locale C: byte order
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
    for (const auto& n : names) {
        EXPECT_TRUE(s->is_live(n)) << n;
        EXPECT_EQ(s->update_sid(n, "RM_" + std::to_string(n.size()), "RM_new;'\"" + n), 1) << n;
        EXPECT_EQ(sid_of(n), "RM_new;'\"" + n) << n;
    }
    EXPECT_FALSE(s->is_live(std::string(299, 'n')));
}

}  // namespace
}  // namespace roomctl::store
