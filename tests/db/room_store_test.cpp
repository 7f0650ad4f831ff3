// RoomStore against a real PostgreSQL. The database comes from ROOMCTL_TEST_DATABASE_URL
// (scripts/lib/pg.sh: `source scripts/lib/pg.sh; pg_start /tmp/pgx`). Without it the tests are
// skipped, or fail when CI=true. Each test works in its own schema, dropped afterwards.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;

std::optional<std::string> test_url() {
    const char* v = std::getenv("ROOMCTL_TEST_DATABASE_URL");
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string{v};
}

bool in_ci() {
    const char* v = std::getenv("CI");
    return v != nullptr && std::string{v} == "true";
}

std::string unique_schema_name() {
    static std::atomic<int> counter{0};
    return "roomctl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

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

class RoomStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto url = test_url();
        if (!url) {
            if (in_ci()) FAIL() << "ROOMCTL_TEST_DATABASE_URL is not set (required when CI=true)";
            GTEST_SKIP() << "ROOMCTL_TEST_DATABASE_URL is not set; "
                            "run `source scripts/lib/pg.sh; pg_start /tmp/pgx` first";
        }
        m_url = *url;
        m_admin = std::make_unique<pqxx::connection>(m_url);
        m_schema = unique_schema_name();
        exec("CREATE SCHEMA " + q(m_schema));
    }

    void TearDown() override {
        if (m_admin) {
            try {
                exec("DROP SCHEMA IF EXISTS " + q(m_schema) + " CASCADE");
            } catch (const std::exception& e) {
                ADD_FAILURE() << "cleanup failed: " << e.what();
            }
        }
    }

    std::string q(const std::string& id) { return m_admin->quote_name(id); }
    std::string qualified(const std::string& table) { return q(m_schema) + "." + q(table); }

    template <typename... Args>
    pqxx::result exec(const std::string& sql, Args&&... args) {
        pqxx::work tx{*m_admin};
        auto r = tx.exec_params(sql, std::forward<Args>(args)...);
        tx.commit();
        return r;
    }

    // The seed schema (003): livekit_rooms(room_name, room_sid, status, session_id, ...).
    void create_default_table() {
        exec("CREATE TABLE " + qualified("livekit_rooms") +
             " (id serial PRIMARY KEY, room_name text NOT NULL, room_sid text, "
             "status text, session_id uuid, created_at timestamptz DEFAULT now())");
    }

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

    RoomMapping default_mapping() {
        RoomMapping m;
        m.table = m_schema + ".livekit_rooms";
        return m;
    }

    std::unique_ptr<RoomStore> store(const RoomMapping& m) { return connect_room_store(m_url, m, StoreOptions{}); }
    std::unique_ptr<RoomStore> store() { return store(default_mapping()); }

    // The test URL with one more libpq parameter (URI or keyword/value form).
    std::string url_with(const std::string& key, const std::string& value) {
        if (m_url.starts_with("postgres://") || m_url.starts_with("postgresql://")) {
            std::string enc;
            for (unsigned char c : value) {
                if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                    enc += static_cast<char>(c);
                } else {
                    char buf[4];
                    std::snprintf(buf, sizeof buf, "%%%02X", c);
                    enc += buf;
                }
            }
            return m_url + (m_url.find('?') == std::string::npos ? "?" : "&") + key + "=" + enc;
        }
        return m_url + " " + key + "='" + value + "'";
    }

    // Where the test server is, for building URLs that differ in one respect.
    struct ServerInfo {
        std::string host, port, user, db;
    };
    ServerInfo server() {
        auto r = exec(
            "SELECT coalesce(host(inet_server_addr()), ''), coalesce(inet_server_port(), 0), "
            "current_user, current_database()");
        ServerInfo s{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
        if (s.host.empty() || s.port == "0") {
            // Over a unix socket: use libpq's view of the connection.
            s.host = m_admin->hostname() ? m_admin->hostname() : "";
            s.port = m_admin->port() ? m_admin->port() : "";
        }
        return s;
    }

    std::string m_url;
    std::string m_schema;
    std::unique_ptr<pqxx::connection> m_admin;
};

// Expects `f` to throw roomctl::Error of `kind`; returns its message.
template <typename F>
std::string error_of(F&& f, ErrorKind kind) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a roomctl::Error: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no exception";
    return {};
}

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
        {"a-active", "RM_a", "active", true},
        {"b-pending", std::nullopt, "pending", true},
        {"c-ended", "", "ended", false},
        {"d-nostatus", "RM_d", std::nullopt, false},
        {"e-active-empty", "", "active", true},
        {"f-ACTIVE", "RM_f", "ACTIVE", true},
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
    exec("INSERT INTO " + qualified(table) + " VALUES ('r1', 'RM_1', 'active'), ('r2', NULL, 'gone')");

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
    const std::vector<Row> expected = {{"a", u1, "active", true},
                                       {"b", std::nullopt, "pending", true},
                                       {"c", u1, "ended", false}};
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

// The pid of the backend holding advisory lock `key` (0 when none): keys below 2^32 show up
// in pg_locks as classid 0, objid key.
int lock_holder(pqxx::connection& admin, std::int64_t key) {
    pqxx::work tx{admin};
    auto r = tx.exec_params("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
                            "AND objid = $1::bigint::oid AND granted",
                            key);
    tx.commit();
    return r.empty() ? 0 : r[0][0].as<int>();
}

TEST_F(RoomStoreTest, TerminatedBackendIsReplacedAndItsLockTakenAgain) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731001;
    ASSERT_TRUE(s->try_advisory_lock(key));
    const int first = lock_holder(*m_admin, key);
    ASSERT_NE(first, 0);
    exec("SELECT pg_terminate_backend($1)", first);

    // The operation that meets the loss fails and says so; nothing runs without the lock.
    const auto msg = error_of([&] { s->update_sid("r", "RM_1", "RM_2"); }, ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("lost the database connection")) << msg;
    EXPECT_EQ(sid_of("r"), "RM_1");

    // The next one runs on a new backend that holds the lock again.
    EXPECT_EQ(s->update_sid("r", "RM_1", "RM_2"), 1);
    const int second = lock_holder(*m_admin, key);
    EXPECT_NE(second, 0);
    EXPECT_NE(second, first);
}

TEST_F(RoomStoreTest, LockTakenByAnotherRunWhileDisconnectedStopsTheStore) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731002;
    ASSERT_TRUE(s->try_advisory_lock(key));
    exec("SELECT pg_terminate_backend($1)", lock_holder(*m_admin, key));

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

TEST_F(RoomStoreTest, AReadMeetingATerminatedBackendIsAskedAgainOnANewOne) {
    create_default_table();
    insert("r", "RM_1", "active");
    auto s = store();
    const std::int64_t key = 731003;
    ASSERT_TRUE(s->try_advisory_lock(key));
    const int first = lock_holder(*m_admin, key);
    exec("SELECT pg_terminate_backend($1)", first);
    EXPECT_TRUE(s->is_live("r"));  // no error: read again after reconnecting
    EXPECT_EQ(s->recorded_sid("r").sid, "RM_1");
    EXPECT_NE(lock_holder(*m_admin, key), first);
    EXPECT_NE(lock_holder(*m_admin, key), 0);
}

// ---------------------------------------------------------------------------------------------
// live statuses and is_live

TEST_F(RoomStoreTest, LiveStatusesWithQuotesCommasBracesBackslashes) {
    create_default_table();
    const std::vector<std::string> live = {"a,b",      "say \"hi\"", "{brace}", "back\\slash",
                                           "it's",     "NULL",       " spaced ", "",
                                           "ünïcødé"};
    const std::vector<std::string> not_live = {"a", "b", "say", "hi", "brace", "{", "nul",
                                               "spaced", "back", "slash", "\\", "\""};
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
    exec("UPDATE " + qualified("livekit_rooms") + " SET status = 'pending' WHERE room_name = 'gone'");
    EXPECT_TRUE(s->is_live("gone"));
}

// ---------------------------------------------------------------------------------------------
// Exact strings

TEST_F(RoomStoreTest, NamesAreStoredAndReadExactly) {
    create_default_table();
    const std::vector<std::string> names = {
        std::string(300, 'n'),
        "session-44fa27d7-0528-46ce-9648-810539c2555c",
        "it's \"quoted\"",
        "semi;colon; DROP TABLE livekit_rooms; --",
        "back\\slash\\",
        "ünïcødé 会议室 🎥",
        "tab\there",
        " leading and trailing ",
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

// ---------------------------------------------------------------------------------------------
// check_mapping and mapping errors

TEST_F(RoomStoreTest, CheckMappingOk) {
    create_default_table();
    const auto check = store()->check_mapping();
    EXPECT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.problem, "");
    EXPECT_EQ(check.qualified_table, m_schema + ".livekit_rooms");
}

TEST_F(RoomStoreTest, CheckMappingMissingTable) {
    RoomMapping m = default_mapping();
    auto s = store(m);
    const auto check = s->check_mapping();
    EXPECT_FALSE(check.ok);
    const std::string problem =
        "table \"" + m_schema + ".livekit_rooms\" does not exist (set [rooms] table)";
    EXPECT_EQ(check.problem, problem);
    EXPECT_EQ(check.qualified_table, "");
    EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config), problem);
    EXPECT_EQ(error_of([&] { s->is_live("x"); }, ErrorKind::config), problem);
    EXPECT_EQ(error_of([&] { s->update_sid("x", std::nullopt, "y"); }, ErrorKind::config), problem);
}

TEST_F(RoomStoreTest, CheckMappingMissingSchema) {
    RoomMapping m;
    m.table = m_schema + "_nope.livekit_rooms";
    auto s = store(m);
    const std::string problem =
        "table \"" + m_schema + "_nope.livekit_rooms\" does not exist (set [rooms] table)";
    EXPECT_EQ(s->check_mapping().problem, problem);
    EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config), problem);
}

TEST_F(RoomStoreTest, CheckMappingUnqualifiedMissingTable) {
    RoomMapping m;
    m.table = "no_such_table_" + m_schema;
    const auto check = store(m)->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem, "table \"" + m.table + "\" does not exist (set [rooms] table)");
}

TEST_F(RoomStoreTest, CheckMappingMissingEachColumn) {
    create_default_table();
    struct Case {
        void (*set)(RoomMapping&);
        std::string column, key;
    };
    const Case cases[] = {
        {[](RoomMapping& m) { m.name_column = "roomname"; }, "roomname", "name_column"},
        {[](RoomMapping& m) { m.sid_column = "room_sid "; }, "room_sid ", "sid_column"},
        {[](RoomMapping& m) { m.status_column = "Status"; }, "Status", "status_column"},
        {[](RoomMapping& m) { m.sid_column = ""; }, "", "sid_column"},
    };
    for (const auto& c : cases) {
        RoomMapping m = default_mapping();
        c.set(m);
        auto s = store(m);
        const auto check = s->check_mapping();
        EXPECT_FALSE(check.ok) << c.key;
        const std::string problem = "column \"" + c.column + "\" does not exist in table " +
                                    m_schema + ".livekit_rooms (set [rooms] " + c.key + ")";
        EXPECT_EQ(check.problem, problem);
        EXPECT_EQ(check.qualified_table, m_schema + ".livekit_rooms");
        EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config), problem);
        EXPECT_EQ(error_of([&] { s->update_sid("x", "a", "b"); }, ErrorKind::config), problem);
        if (c.key != "sid_column") {  // is_live does not read the SID column
            EXPECT_EQ(error_of([&] { s->is_live("x"); }, ErrorKind::config), problem);
        }
    }
}

TEST_F(RoomStoreTest, TableDroppedAfterConnectIsAConfigError) {
    create_default_table();
    auto s = store();
    ASSERT_TRUE(s->check_mapping().ok);
    exec("ALTER TABLE " + qualified("livekit_rooms") + " RENAME COLUMN status TO state");
    const auto msg = error_of([&] { s->load_rooms(); }, ErrorKind::config);
    EXPECT_EQ(msg, "column \"status\" does not exist in table " + m_schema +
                       ".livekit_rooms (set [rooms] status_column)");
    exec("DROP TABLE " + qualified("livekit_rooms"));
    error_of([&] { s->is_live("x"); }, ErrorKind::config);
}

// ---------------------------------------------------------------------------------------------
// Connecting

TEST_F(RoomStoreTest, ProbeReportsServerVersion) {
    const auto v = probe_database(m_url);
    EXPECT_TRUE(v.starts_with("PostgreSQL ")) << v;
    EXPECT_GE(v.size(), std::string{"PostgreSQL 9"}.size()) << v;
    EXPECT_EQ(v.find(' ', 11), std::string::npos) << v;
}

TEST_F(RoomStoreTest, ConnectsWithExtraParametersInEitherForm) {
    create_default_table();
    // An existing query string ("?..."), so defaults are appended with '&'.
    EXPECT_NO_THROW(connect_room_store(url_with("sslmode", "disable"), default_mapping(), StoreOptions{})->load_rooms());
    EXPECT_NO_THROW(probe_database(url_with("connect_timeout", "7")));
    EXPECT_NO_THROW(probe_database(url_with("application_name", "roomctl-test")));
    // Keyword/value form.
    const auto srv = server();
    const std::string kv = "host='" + srv.host + "' port=" + srv.port + " user='" + srv.user +
                           "' dbname='" + srv.db + "'";
    const char* pw = std::getenv("PGPASSWORD");
    std::string password = pw ? pw : "";
    if (m_url.starts_with("postgres")) {
        // postgresql://user:password@... -> take the password from the test URL.
        const auto start = m_url.find("://") + 3;
        const auto at = m_url.find('@', start);
        const auto colon = m_url.find(':', start);
        if (at != std::string::npos && colon < at) password = m_url.substr(colon + 1, at - colon - 1);
    }
    const std::string kv_url = kv + (password.empty() ? "" : " password='" + password + "'");
    const auto v = probe_database(kv_url);
    EXPECT_TRUE(v.starts_with("PostgreSQL ")) << v;
    // Client encoding is UTF8 whatever the environment says, so names round-trip exactly.
    auto s = connect_room_store(kv_url, default_mapping(), StoreOptions{});
    insert("ünïcødé", std::nullopt, "active");
    EXPECT_TRUE(s->is_live("ünïcødé"));
}

TEST_F(RoomStoreTest, WrongPasswordIsAuthErrorWithoutThePassword) {
    const auto srv = server();
    if (srv.host.empty() || srv.host.starts_with("/"))
        GTEST_SKIP() << "test server is reached over a unix socket; password auth not testable";
    const std::string bad = "Wr0ng-Pa55w0rd-zq";
    const std::string uri = "postgresql://" + srv.user + ":" + bad + "@" + srv.host + ":" +
                            srv.port + "/" + srv.db;
    auto msg = error_of([&] { connect_room_store(uri, RoomMapping{}, StoreOptions{}); }, ErrorKind::auth);
    EXPECT_TRUE(msg.starts_with("database refused the credentials: ")) << msg;
    EXPECT_NE(msg.find("password authentication failed"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

    const std::string kv = "host=" + srv.host + " port=" + srv.port + " user=" + srv.user +
                           " dbname=" + srv.db + " password='" + bad + "'";
    msg = error_of([&] { probe_database(kv); }, ErrorKind::auth);
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;

    // An unknown role gets the same answer from a scram-sha-256 server.
    const std::string nobody = "postgresql://nobody_" + m_schema + ":" + bad + "@" + srv.host +
                               ":" + srv.port + "/" + srv.db;
    msg = error_of([&] { probe_database(nobody); }, ErrorKind::auth);
    EXPECT_EQ(msg.find(bad), std::string::npos) << msg;
}

TEST_F(RoomStoreTest, UnknownDatabaseIsConfigError) {
    const auto srv = server();
    if (srv.host.empty() || srv.host.starts_with("/")) GTEST_SKIP();
    const auto at = m_url.find('@');
    ASSERT_NE(at, std::string::npos);
    const auto slash = m_url.find('/', at);
    ASSERT_NE(slash, std::string::npos);
    const std::string url = m_url.substr(0, slash) + "/no_such_db_" + m_schema;
    const auto msg = error_of([&] { probe_database(url); }, ErrorKind::config);
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
}

TEST(RoomStoreConnect, ClosedPortIsRuntimeError) {
    // Port 1 on loopback: nothing listens there, the kernel refuses at once.
    const std::string secret = "s3cr3t-pw-closed";
    const auto msg = error_of(
        [&] { connect_room_store("postgresql://u:" + secret + "@127.0.0.1:1/db", RoomMapping{}, StoreOptions{}); },
        ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("cannot reach the database: ")) << msg;
    EXPECT_NE(msg.find("refused"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
    error_of([&] { probe_database("host=127.0.0.1 port=1 password=" + secret); },
             ErrorKind::runtime);
}

TEST(RoomStoreConnect, UnresolvableHostIsRuntimeError) {
    const auto msg = error_of(
        [&] { probe_database("postgresql://u:pw@no-such-host.invalid:5432/db"); },
        ErrorKind::runtime);
    EXPECT_TRUE(msg.starts_with("cannot reach the database: ")) << msg;
}

TEST(RoomStoreConnect, MalformedUrlIsConfigErrorWithoutThePassword) {
    const std::string secret = "Hunter2Secret";
    const std::vector<std::string> urls = {
        "host=127.0.0.1 port",                                         // missing "="
        "host=127.0.0.1 password=" + secret + " bogus_option=1",       // invalid option
        "host=127.0.0.1 password='" + secret,                          // unterminated quote
        "postgresql://u:" + secret + "@127.0.0.1:1/db?bogus=1",        // invalid URI parameter
        "postgresql://u:" + secret + "%zz@127.0.0.1:1/db",             // bad %-escape in password
        "postgresql://u:" + secret + "@[::1/db",                       // echoes the whole URI
        "postgresql://u:" + secret + "@127.0.0.1:1/db?sslmode=sometimes",
        "password=" + secret + " extra words",
    };
    for (const auto& url : urls) {
        const auto msg = error_of([&] { connect_room_store(url, RoomMapping{}, StoreOptions{}); }, ErrorKind::config);
        EXPECT_TRUE(msg.starts_with("malformed database URL: ")) << url << " -> " << msg;
        EXPECT_EQ(msg.find(secret), std::string::npos) << url << " -> " << msg;
        EXPECT_EQ(msg.find("Hunter"), std::string::npos) << url << " -> " << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        const auto msg2 = error_of([&] { probe_database(url); }, ErrorKind::config);
        EXPECT_EQ(msg2, msg);
    }
}

TEST_F(RoomStoreTest, FindSessionComparesTheSessionColumnAsText) {
    create_default_table();
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, room_sid, status, session_id) VALUES "
         "('session-a', NULL, 'ended', '44fa27d7-0528-46ce-9648-810539c2555c'), "
         "('session-b', 'RM_b', 'pending', '44fa27d7-0528-46ce-9648-810539c2555c'), "
         "('other', NULL, 'pending', '9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f')");
    auto rows = store()->find_session("44fa27d7-0528-46ce-9648-810539c2555c");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].name, "session-a");
    EXPECT_FALSE(rows[0].live);
    EXPECT_EQ(rows[1].name, "session-b");
    EXPECT_TRUE(rows[1].live);
    EXPECT_TRUE(store()->find_session("not-a-uuid'; DROP TABLE x; --").empty());
}

TEST_F(RoomStoreTest, FindSessionWithAMissingColumnIsAConfigError) {
    create_default_table();
    auto m = default_mapping();
    m.session_column = "booking_id";
    try {
        store(m)->find_session("x");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
    }
}

}  // namespace
}  // namespace roomctl::store
