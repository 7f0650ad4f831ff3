// check_mapping and the errors of a mapping that does not match the table, and find_session,
// against a real PostgreSQL (tests/db/store_fixture.hpp).

#include <gtest/gtest.h>

#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;
using testing::error_of;

class StoreMappingTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store(const RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }
    std::unique_ptr<RoomStore> store() { return store(default_mapping()); }
};

// ---------------------------------------------------------------------------------------------
// check_mapping and mapping errors

TEST_F(StoreMappingTest, CheckMappingOk) {
    create_default_table();
    const auto check = store()->check_mapping();
    EXPECT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.problem, "");
    EXPECT_EQ(check.qualified_table, m_schema + ".livekit_rooms");
}

TEST_F(StoreMappingTest, CheckMappingMissingTable) {
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

TEST_F(StoreMappingTest, CheckMappingMissingSchema) {
    RoomMapping m;
    m.table = m_schema + "_nope.livekit_rooms";
    auto s = store(m);
    const std::string problem =
        "table \"" + m_schema + "_nope.livekit_rooms\" does not exist (set [rooms] table)";
    EXPECT_EQ(s->check_mapping().problem, problem);
    EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config), problem);
}

TEST_F(StoreMappingTest, CheckMappingUnqualifiedMissingTable) {
    RoomMapping m;
    m.table = "no_such_table_" + m_schema;
    const auto check = store(m)->check_mapping();
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.problem, "table \"" + m.table + "\" does not exist (set [rooms] table)");
}

TEST_F(StoreMappingTest, CheckMappingMissingEachColumn) {
    create_default_table();
    struct Case {
        void (*set)(RoomMapping&);
        std::string column, key;
    };
    const Case cases[] = {
        {[](RoomMapping& m) { m.name_column = "roomname"; }, "roomname", "name_column"},
        {[](RoomMapping& m) { m.sid_column = "room_sid "; }, "room_sid ", "sid_column"},
        {[](RoomMapping& m) { m.status_column = "Status"; }, "Status", "status_column"},
        {[](RoomMapping& m) { m.starts_column = "scheduled_at"; }, "scheduled_at", "starts_column"},
        {[](RoomMapping& m) { m.room_name_template = "{session}-{name}"; }, "session",
         "room_name_template"},
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
        if (c.key == "starts_column") continue;  // only reads of whole rows need the start
        EXPECT_EQ(error_of([&] { s->update_sid("x", "a", "b"); }, ErrorKind::config), problem);
        if (c.key != "sid_column") {  // is_live does not read the SID column
            EXPECT_EQ(error_of([&] { s->is_live("x"); }, ErrorKind::config), problem);
        }
    }
}

TEST_F(StoreMappingTest, TableDroppedAfterConnectIsAConfigError) {
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

TEST_F(StoreMappingTest, FindSessionComparesTheSessionColumnAsText) {
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

TEST_F(StoreMappingTest, FindSessionWithAMissingColumnIsAConfigError) {
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
