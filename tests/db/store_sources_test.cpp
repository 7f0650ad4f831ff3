// The mapping's sources of truth against a real PostgreSQL (issue 14): no SID column, rooms
// named from several columns, liveness from a session table or a live_when expression, and a
// start column. Each test builds the seed's own table shape and never alters it.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;
using testing::error_of;

class StoreSourcesTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store(const RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }
    std::optional<std::string> sid_of(const std::string& table, const std::string& where) {
        auto r = exec("SELECT room_sid FROM " + qualified(table) + " WHERE " + where);
        if (r.empty() || r[0][0].is_null()) return std::nullopt;
        return std::string{r[0][0].c_str()};
    }
};

// Seed 000: instant_sessions stores a token and no SID.
TEST_F(StoreSourcesTest, WithoutASidColumnRowsLoadAndNothingIsWritten) {
    exec("CREATE TABLE " + qualified("instant_sessions") +
         " (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), session_token text NOT NULL, "
         "status text NOT NULL)");
    exec("INSERT INTO " + qualified("instant_sessions") +
         " (session_token, status) VALUES ('P46odHdPO0wJ', 'active'), ('old', 'ended')");
    RoomMapping m;
    m.table = m_schema + ".instant_sessions";
    m.name_column = "session_token";
    m.sid_column = "";
    m.room_name_template = "session-{name}";
    auto s = store(m);
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = s->load_rooms();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].room, "session-P46odHdPO0wJ");
    EXPECT_FALSE(rows[0].sid.has_value());
    EXPECT_TRUE(rows[0].live);
    EXPECT_EQ(rows[1].liveness, Liveness::ended);
    EXPECT_TRUE(s->is_live("session-P46odHdPO0wJ"));
    EXPECT_FALSE(s->is_live("P46odHdPO0wJ"));  // the template applies: no row names this room
    const auto recorded = s->recorded_sid("session-P46odHdPO0wJ");
    EXPECT_TRUE(recorded.live);
    EXPECT_FALSE(recorded.sid.has_value());
    EXPECT_EQ(s->sid_column().column, "");
    EXPECT_NE(error_of([&] { s->update_sid("session-P46odHdPO0wJ", std::nullopt, "RM_x"); },
                       ErrorKind::config)
                  .find("sid_column is not set"),
              std::string::npos);
}

// Seed 001: breakout rooms are "Room 1", "Room 2" per session; the server name is
// "{session_id}-{name}", so two sessions' "Room 1" are two rooms and a SID write reaches one.
TEST_F(StoreSourcesTest, ATemplateOfTwoColumnsKeepsEachSessionsRoomApart) {
    exec("CREATE TABLE " + qualified("breakout_rooms") +
         " (id serial PRIMARY KEY, session_id text, room_name text NOT NULL, "
         "room_sid text, is_active boolean NOT NULL)");
    exec("INSERT INTO " + qualified("breakout_rooms") +
         " (session_id, room_name, is_active) VALUES ('s1', 'Room 1', true), "
         "('s2', 'Room 1', true), (NULL, 'Room 9', true)");
    RoomMapping m = config::twilio_default_mapping();
    m.table = m_schema + ".breakout_rooms";
    m.sid_column = "room_sid";
    m.room_name_template = "{session_id}-{name}";
    auto s = store(m);
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    std::vector<std::string> rooms;
    for (const auto& r : s->load_rooms()) rooms.push_back(r.room);
    // A NULL session_id names no room: empty, never "-Room 9".
    EXPECT_EQ(rooms, (std::vector<std::string>{"s1-Room 1", "s2-Room 1", ""}));
    EXPECT_EQ(s->update_sid("s2-Room 1", std::nullopt, "RM_two"), 1);
    EXPECT_EQ(sid_of("breakout_rooms", "session_id = 's2'"), "RM_two");
    EXPECT_EQ(sid_of("breakout_rooms", "session_id = 's1'"), std::nullopt);
    EXPECT_EQ(s->recorded_sid("s2-Room 1").sid, "RM_two");
    EXPECT_FALSE(s->is_live("Room 1"));
    EXPECT_EQ(s->update_sid("Room 1", std::nullopt, "RM_none"), 0);
}

// Seed 004: sessions.status is the truth; livekit_rooms.status is never flipped.
class SessionTableTest : public StoreSourcesTest {
protected:
    void SetUp() override {
        StoreSourcesTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        exec("CREATE TABLE " + qualified("sessions") +
             " (id uuid PRIMARY KEY, status text NOT NULL)");
        exec("CREATE TABLE " + qualified("livekit_rooms") +
             " (id serial PRIMARY KEY, session_id uuid REFERENCES " + qualified("sessions") +
             ", room_name text NOT NULL, room_sid text, status text DEFAULT 'active')");
        exec("INSERT INTO " + qualified("sessions") +
             " VALUES ('00000000-0000-0000-0000-000000000001', 'live'), "
             "('00000000-0000-0000-0000-000000000002', 'completed')");
        exec("INSERT INTO " + qualified("livekit_rooms") +
             " (session_id, room_name) VALUES ('00000000-0000-0000-0000-000000000001', 'a'), "
             "('00000000-0000-0000-0000-000000000002', 'b'), (NULL, 'c')");
    }
    RoomMapping mapping() {
        RoomMapping m;
        m.table = m_schema + ".livekit_rooms";
        m.session_table = m_schema + ".sessions";
        m.live_statuses = {"live", "scheduled"};
        return m;
    }
};

TEST_F(SessionTableTest, LivenessComesFromTheSessionRowAndSidsGoToTheRoomTable) {
    auto s = store(mapping());
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = s->load_rooms();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].liveness, Liveness::live);
    EXPECT_EQ(rows[0].status, "live");
    EXPECT_EQ(rows[1].liveness, Liveness::ended);         // its own status still says 'active'
    EXPECT_EQ(rows[2].liveness, Liveness::unclassified);  // no session row: no guess
    EXPECT_FALSE(rows[2].status.has_value());
    EXPECT_TRUE(s->is_live("a"));
    EXPECT_FALSE(s->is_live("b"));
    EXPECT_EQ(s->update_sid("b", std::nullopt, "RM_b"), 0);  // the session is over
    EXPECT_EQ(s->update_sid("a", std::nullopt, "RM_a"), 1);
    EXPECT_EQ(sid_of("livekit_rooms", "room_name = 'a'"), "RM_a");
    std::int64_t live = 0;
    for (const auto& c : s->status_counts())
        if (c.liveness == Liveness::live) live += c.rows;
    EXPECT_EQ(live, 1);
}

TEST_F(SessionTableTest, AMissingSessionColumnIsNamedWithItsSetting) {
    RoomMapping m = mapping();
    m.session_status_column = "state";
    auto check = store(m)->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem, "column \"state\" does not exist in table " + m_schema +
                                 ".sessions (set [rooms] session_status_column)");
    m = mapping();
    m.session_table = m_schema + ".session";
    check = store(m)->check_mapping();
    EXPECT_EQ(check.problem,
              "table \"" + m_schema + ".session\" does not exist (set [rooms] session_table)");
}

TEST_F(SessionTableTest, LiveWhenDecidesPerRowAndABadExpressionIsAConfigError) {
    RoomMapping m;
    m.table = m_schema + ".livekit_rooms";
    m.live_when = "EXISTS (SELECT 1 FROM " + m_schema +
                  ".sessions s WHERE s.id = session_id AND "
                  "s.status = 'live')";
    auto s = store(m);
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = s->load_rooms();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].liveness, Liveness::live);
    EXPECT_EQ(rows[0].status, "true");
    EXPECT_EQ(rows[1].liveness, Liveness::ended);
    EXPECT_EQ(rows[2].liveness, Liveness::ended);
    EXPECT_EQ(s->update_sid("a", std::nullopt, "RM_a"), 1);
    EXPECT_EQ(s->update_sid("b", std::nullopt, "RM_b"), 0);
    EXPECT_TRUE(s->is_live("a"));

    m.live_when = "ended_at IS NULL";
    auto bad = store(m);
    const auto check = bad->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find("[rooms] live_when does not work on table"), std::string::npos)
        << check.problem;
    EXPECT_NE(check.problem.find("ended_at"), std::string::npos) << check.problem;
    EXPECT_EQ(error_of([&] { bad->load_rooms(); }, ErrorKind::config), check.problem);
    EXPECT_EQ(sid_of("livekit_rooms", "room_name = 'b'"), std::nullopt);

    // An expression that is not boolean is refused when planned, by check and by every read.
    m.live_when = "room_name";
    const auto not_boolean = store(m)->check_mapping();
    EXPECT_FALSE(not_boolean.ok);
    EXPECT_NE(not_boolean.problem.find("[rooms] live_when does not work on table"),
              std::string::npos)
        << not_boolean.problem;
    EXPECT_NE(not_boolean.problem.find("boolean"), std::string::npos) << not_boolean.problem;
    EXPECT_EQ(error_of([&] { store(m)->status_counts(); }, ErrorKind::config), not_boolean.problem);

    // Reads run read-only: an expression with a side effect is refused, not run.
    exec("CREATE SEQUENCE " + qualified("side_effect"));
    m.live_when = "nextval('" + m_schema + ".side_effect') > 0";
    const auto msg = error_of([&] { store(m)->load_rooms(); }, ErrorKind::config);
    EXPECT_NE(msg.find("[rooms] live_when must only read"), std::string::npos) << msg;
    EXPECT_EQ(exec("SELECT last_value FROM " + qualified("side_effect"))[0][0].as<int>(), 1);
    EXPECT_FALSE(exec("SELECT is_called FROM " + qualified("side_effect"))[0][0].as<bool>());
}

// Seed 003: livekit_rooms.scheduled_at.
TEST_F(StoreSourcesTest, StartsColumnGivesUnixSecondsAndMustBeATimestamp) {
    create_default_table();
    exec("ALTER TABLE " + qualified("livekit_rooms") +
         " ADD COLUMN scheduled_at timestamptz, ADD COLUMN note text");
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, status, scheduled_at) VALUES ('x', 'pending', "
         "'2026-12-01 09:00:00+00'), ('y', 'pending', NULL)");
    RoomMapping m = default_mapping();
    m.starts_column = "scheduled_at";
    auto s = store(m);
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = s->load_rooms();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].starts_at, 1796115600);
    EXPECT_FALSE(rows[1].starts_at.has_value());
    m.starts_column = "note";
    EXPECT_NE(error_of([&] { store(m)->load_rooms(); }, ErrorKind::config)
                  .find("not a date or timestamp (set [rooms] starts_column)"),
              std::string::npos);
    const auto check = store(m)->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find("is text, not a date or timestamp (set [rooms] starts_column)"),
              std::string::npos)
        << check.problem;
}

}  // namespace
}  // namespace roomctl::store
