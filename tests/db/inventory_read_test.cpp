// RoomStore::read_inventory against a real PostgreSQL: the rows it reads are classified and
// named exactly as load_rooms classifies and names them, on every seed-like mapping (status
// words, session table, live_when, a room_name_template), ended rows are read only when the
// server names them (by room or by SID), the counts cover the whole table as the role sees it
// (row-level security), and every statement sees the snapshot taken before snapshot_taken().

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;
using Key = std::tuple<std::string, std::optional<std::string>, std::optional<std::string>, int,
                       std::string, std::map<std::string, std::string>>;

Key key_of(const DbRoom& r) {
    return {r.name, r.sid, r.status, static_cast<int>(r.liveness), r.room, r.settings};
}

std::vector<Key> keys_of(const std::vector<DbRoom>& rows) {
    std::vector<Key> out;
    for (const auto& r : rows) out.push_back(key_of(r));
    return out;
}

class InventoryReadTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store(const RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }

    // Compares what one read returns with load_rooms on the same data: open_rows() is exactly
    // load_rooms' not-ended rows in order; ended_rows() of every room and SID is exactly its
    // ended rows in order; tally() counts every row.
    void expect_same_classification(const RoomMapping& m) {
        auto s = store(m);
        ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
        const auto all = s->load_rooms();
        std::vector<DbRoom> open, ended;
        std::vector<std::string> rooms, sids;
        for (const auto& r : all) {
            (r.liveness == Liveness::ended ? ended : open).push_back(r);
            rooms.push_back(r.room);
            if (r.sid) sids.push_back(*r.sid);
        }
        auto read = s->read_inventory();
        int signalled = 0;
        EXPECT_EQ(keys_of(read->open_rows([&] { ++signalled; })), keys_of(open));
        EXPECT_EQ(signalled, 1);
        EXPECT_EQ(keys_of(read->ended_rows(rooms, sids)), keys_of(ended));
        EXPECT_EQ(read->tally({}).rows, static_cast<std::int64_t>(all.size()));
        EXPECT_FALSE(read->tally({}).whole_table);
        // None named: no ended row at all.
        EXPECT_TRUE(read->ended_rows({"no-such-room"}, {"RM_nosuchroom"}).empty());
    }
};

TEST_F(InventoryReadTest, StatusWordsClassifyAsLoadRoomsDoes) {
    create_default_table();
    insert("live-a", "RM_a", "active");
    insert("live-b", std::nullopt, "ACTIVE");  // words compare case-insensitively
    insert("ended-c", "RM_c", "ended");
    insert("ended-d", std::nullopt, "Ended");
    insert("odd-e", std::nullopt, "paused");  // unclassified: always read
    insert("null-f", std::nullopt, std::nullopt);
    insert("live-a", "RM_old", "ended");  // an ended row sharing a live row's name
    auto m = default_mapping();
    m.live_statuses = {"active"};
    m.ended_statuses = {"ended"};
    expect_same_classification(m);
}

TEST_F(InventoryReadTest, TemplateNamesAndSessionTableClassifyAsLoadRoomsDo) {
    exec("CREATE TABLE " + qualified("sessions") + " (id uuid PRIMARY KEY, status text)");
    exec("CREATE TABLE " + qualified("rooms") +
         " (id serial PRIMARY KEY, token text, session_id uuid, sid text)");
    exec("INSERT INTO " + qualified("sessions") +
         " VALUES ('00000000-0000-0000-0000-000000000001', 'live'), "
         "('00000000-0000-0000-0000-000000000002', 'completed')");
    exec("INSERT INTO " + qualified("rooms") +
         " (token, session_id, sid) VALUES ('t1', '00000000-0000-0000-0000-000000000001', 'RM_1'),"
         " ('t2', '00000000-0000-0000-0000-000000000002', 'RM_2'), ('t3', NULL, NULL), "
         "(NULL, '00000000-0000-0000-0000-000000000002', 'RM_4')");
    RoomMapping m;
    m.table = m_schema + ".rooms";
    m.name_column = "token";
    m.sid_column = "sid";
    m.session_table = m_schema + ".sessions";
    m.live_statuses = {"live"};
    m.ended_statuses = {"completed"};
    m.room_name_template = "session-{token}";
    expect_same_classification(m);

    // The ended row of t2 is read by its template-built room name, or by its SID.
    auto s = store(m);
    auto read = s->read_inventory();
    read->open_rows([] {});
    const auto by_name = read->ended_rows({"session-t2", "t2"}, {});
    ASSERT_EQ(by_name.size(), 1u);
    EXPECT_EQ(by_name[0].room, "session-t2");
    EXPECT_EQ(by_name[0].liveness, Liveness::ended);
    const auto by_sid = read->ended_rows({}, {"RM_2"});
    ASSERT_EQ(by_sid.size(), 1u);
    EXPECT_EQ(by_sid[0].name, "t2");
}

TEST_F(InventoryReadTest, LiveWhenClassifiesAsLoadRoomsDoes) {
    exec("CREATE TABLE " + qualified("calls") +
         " (id serial PRIMARY KEY, name text, sid text, ended_at timestamptz)");
    exec("INSERT INTO " + qualified("calls") +
         " (name, sid, ended_at) VALUES ('on', 'RM_on', NULL), ('off', 'RM_off', now())");
    RoomMapping m;
    m.table = m_schema + ".calls";
    m.name_column = "name";
    m.sid_column = "sid";
    m.live_when = "ended_at IS NULL";
    expect_same_classification(m);
}

TEST_F(InventoryReadTest, TallyCountsEndedRowsWithMatchingSidsAndValuesAreNeverSpliced) {
    create_default_table();
    insert("a", "RM0123456789abcdef0123456789abcdef", "ended");
    insert("b", "RM0123456789abcdef0123456789abcdeX", "ended");   // not hex
    insert("c", "RM0123456789abcdef0123456789abcdef", "active");  // live: not counted
    insert("x'); DROP TABLE livekit_rooms; --", "RM_{\"}\\", "ended");
    auto m = default_mapping();
    auto s = store(m);
    auto read = s->read_inventory();
    read->open_rows([] {});
    const auto t = read->tally({"^RM[0123456789ABCDEFabcdef]{32}$"});
    EXPECT_EQ(t.rows, 4);
    EXPECT_EQ(t.ended_matching_sids, 1);
    const auto hostile = read->ended_rows({"x'); DROP TABLE livekit_rooms; --"}, {"RM_{\"}\\"});
    ASSERT_EQ(hostile.size(), 1u);
    EXPECT_EQ(hostile[0].sid, "RM_{\"}\\");
    EXPECT_TRUE(read->ended_rows({std::string("a\0b", 3)}, {}).empty());
}

// Whatever commits after snapshot_taken() returned is invisible to the whole read: the caller
// may ask the server from then on, and the picture stays "database first".
TEST_F(InventoryReadTest, EveryStatementSeesTheSnapshotTakenBeforeTheCallback) {
    create_default_table();
    insert("before", "RM_before", "active");
    auto s = store(default_mapping());
    auto read = s->read_inventory();
    const auto open = read->open_rows([&] {
        insert("during", "RM_during", "active");  // committed on another connection
        insert("ended-during", "RM_ed", "ended");
    });
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].name, "before");
    EXPECT_TRUE(read->ended_rows({"ended-during"}, {"RM_ed"}).empty());
    EXPECT_EQ(read->tally({}).rows, 1);
    read.reset();
    EXPECT_EQ(s->load_rooms().size(), 3u);  // the store goes on after the read
}

// The test role is not a superuser: with a policy hiding rows, the read and its counts are
// what the role sees (the safety gate's row_visibility reports the policy).
TEST_F(InventoryReadTest, RowLevelSecurityAppliesToTheReadAndItsCounts) {
    require_admin();
    if (!m_admin_url) return;
    create_default_table();
    insert("mine", "RM_mine", "active");
    insert("mine-old", "RM_mo", "ended");
    exec("UPDATE " + qualified("livekit_rooms") + " SET created_by = 'nobody'");
    insert("theirs", "RM_theirs", "ended");
    const std::string url = login_role();
    exec("GRANT SELECT ON " + qualified("livekit_rooms") + " TO " + q(last_role()));
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ENABLE ROW LEVEL SECURITY");
    exec("CREATE POLICY own ON " + qualified("livekit_rooms") +
         " FOR SELECT USING (created_by = 'nobody')");
    auto s = connect_room_store(url, default_mapping(), StoreOptions{});
    auto read = s->read_inventory();
    EXPECT_EQ(read->open_rows([] {}).size(), 1u);
    EXPECT_EQ(read->tally({}).rows, 2);
    EXPECT_TRUE(read->ended_rows({"theirs"}, {}).empty());
    EXPECT_EQ(read->ended_rows({"mine-old"}, {}).size(), 1u);
}

// A statement that fails ends the read's transaction first, so the store's own error path
// (check_mapping, the lock holder's name) can run on the connection: the one-line messages of
// load_rooms, not libpqxx's "transaction still active".
TEST_F(InventoryReadTest, AFailedStatementGivesTheSameMessagesAsLoadRooms) {
    exec("CREATE TABLE " + qualified("calls") + " (id serial PRIMARY KEY, name text, sid text)");
    RoomMapping m;
    m.table = m_schema + ".calls";
    m.name_column = "name";
    m.sid_column = "sid";
    m.live_when = "name";  // not a boolean
    auto s = store(m);
    const auto expected = testing::error_of([&] { s->load_rooms(); }, ErrorKind::config);
    EXPECT_NE(expected.find("[rooms] live_when does not work"), std::string::npos) << expected;
    auto read = s->read_inventory();
    EXPECT_EQ(testing::error_of([&] { read->open_rows([] {}); }, ErrorKind::config), expected);
    read.reset();
    EXPECT_EQ(testing::error_of([&] { s->load_rooms(); }, ErrorKind::config), expected);
}

// A connection lost while the server was asked (pg_terminate_backend, a restart): the rest of
// the read goes on on a new connection, as load_rooms would, instead of failing the run.
TEST_F(InventoryReadTest, TheReadGoesOnAfterALostConnection) {
    require_admin();
    if (!m_admin_url) return;
    create_default_table();
    insert("live-a", "RM_a", "active");
    insert("old-b", "RM_b", "ended");
    auto s = store(default_mapping());
    auto read = s->read_inventory();
    ASSERT_EQ(read->open_rows([] {}).size(), 1u);
    // The store's session is the one idle in its open transaction.
    const std::string idle =
        "FROM pg_stat_activity WHERE state = 'idle in transaction' AND backend_type = 'client "
        "backend' AND query LIKE '%" +
        m_schema + "%'";
    ASSERT_EQ(exec("SELECT count(*) " + idle)[0][0].as<int>(), 1);
    admin_exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = "
        "'idle in transaction' AND backend_type = 'client backend' AND query LIKE "
        "'%" +
        m_schema + "%'");
    const auto ended = read->ended_rows({"old-b"}, {});
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].name, "old-b");
    EXPECT_EQ(read->tally({}).rows, 2);
}

}  // namespace
}  // namespace roomctl::store
