// DbRoom::settings against a real PostgreSQL (tests/db/store_fixture.hpp): the per-row setting
// columns of [rooms] (type_column, max_participants_column, ...) read as text whatever their
// type, NULL left out, nothing without a mapping, and check's report of a missing one.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "roomctl/store/room_store.hpp"
#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using config::RoomMapping;
using testing::error_of;
using Values = std::map<std::string, std::string>;

class StoreRoomSettingsTest : public testing::StoreFixture {
protected:
    std::unique_ptr<RoomStore> store(const RoomMapping& m) {
        return connect_room_store(m_url, m, StoreOptions{});
    }

    // The seed table plus a column of each kind a setting may live in.
    void create_table() {
        create_default_table();
        exec("ALTER TABLE " + qualified("livekit_rooms") +
             " ADD COLUMN room_type text, ADD COLUMN seats integer, ADD COLUMN leave_after bigint,"
             " ADD COLUMN meta jsonb, ADD COLUMN callback varchar(200),"
             " ADD COLUMN \"Media Region\" text");
    }

    RoomMapping all_columns() {
        RoomMapping m = default_mapping();
        m.type_column = "room_type";
        m.max_participants_column = "seats";
        m.metadata_column = "meta";
        m.departure_timeout_column = "leave_after";
        m.status_callback_column = "callback";
        m.media_region_column = "Media Region";
        return m;
    }

    // The rows of `rooms` by name.
    static std::map<std::string, DbRoom> by_name(const std::vector<DbRoom>& rooms) {
        std::map<std::string, DbRoom> out;
        for (const auto& r : rooms) out.emplace(r.name, r);
        return out;
    }
};

TEST_F(StoreRoomSettingsTest, ValuesReadAsTextAndNullLeftOut) {
    create_table();
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, status, room_type, seats, leave_after, meta, callback, \"Media Region\")"
         " VALUES ('full', 'active', 'group', 12, 300, '{\"course\": 7}',"
         " 'https://hooks.example/v', 'de1'),"
         " ('sparse', 'active', NULL, 0, NULL, NULL, NULL, ''),"
         " ('none', 'ended', NULL, NULL, NULL, NULL, NULL, NULL)");
    auto s = store(all_columns());
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = by_name(s->load_rooms());
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows.at("full").settings, (Values{{"type", "group"},
                                                {"max_participants", "12"},
                                                {"metadata", "{\"course\": 7}"},
                                                {"departure_timeout", "300"},
                                                {"status_callback", "https://hooks.example/v"},
                                                {"media_region", "de1"}}));
    // 0 and "" are values; only NULL means "the row says nothing".
    EXPECT_EQ(rows.at("sparse").settings,
              (Values{{"max_participants", "0"}, {"media_region", ""}}));
    EXPECT_EQ(rows.at("none").settings, Values{});
    // The other fields are read as before.
    EXPECT_EQ(rows.at("full").room, "full");
    EXPECT_TRUE(rows.at("full").live);
    EXPECT_FALSE(rows.at("none").live);
}

TEST_F(StoreRoomSettingsTest, NoSettingColumnsGiveAnEmptyMap) {
    create_table();
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, status, room_type, seats) VALUES ('a', 'active', 'group', 5)");
    const auto rows = store(default_mapping())->load_rooms();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].settings, Values{});
}

TEST_F(StoreRoomSettingsTest, OneColumnForTwoSettingsAndTheNameColumn) {
    create_table();
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, room_sid, status, room_type) VALUES ('lobby', 'RM_1', 'active', 'go')");
    RoomMapping m = default_mapping();
    m.type_column = "room_type";
    m.media_region_column = "room_type";
    m.metadata_column = "room_name";
    auto s = store(m);
    ASSERT_TRUE(s->check_mapping().ok) << s->check_mapping().problem;
    const auto rows = s->load_rooms();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].name, "lobby");
    EXPECT_EQ(rows[0].sid, "RM_1");
    EXPECT_EQ(rows[0].settings,
              (Values{{"type", "go"}, {"media_region", "go"}, {"metadata", "lobby"}}));
}

TEST_F(StoreRoomSettingsTest, FindSessionFillsSettings) {
    create_table();
    exec("INSERT INTO " + qualified("livekit_rooms") +
         " (room_name, status, session_id, seats) VALUES "
         "('a', 'active', '44fa27d7-0528-46ce-9648-810539c2555c', 8), "
         "('b', 'active', '9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f', 9)");
    RoomMapping m = default_mapping();
    m.max_participants_column = "seats";
    const auto rows = store(m)->find_session("44fa27d7-0528-46ce-9648-810539c2555c");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].name, "a");
    EXPECT_EQ(rows[0].settings, (Values{{"max_participants", "8"}}));
}

TEST_F(StoreRoomSettingsTest, MissingColumnIsReportedNamingItsKey) {
    create_table();
    struct Case {
        void (*set)(RoomMapping&, const std::string&);
        std::string key;
    };
    const Case cases[] = {
        {[](RoomMapping& m, const std::string& c) { m.type_column = c; }, "type_column"},
        {[](RoomMapping& m, const std::string& c) { m.max_participants_column = c; },
         "max_participants_column"},
        {[](RoomMapping& m, const std::string& c) { m.metadata_column = c; }, "metadata_column"},
        {[](RoomMapping& m, const std::string& c) { m.departure_timeout_column = c; },
         "departure_timeout_column"},
        {[](RoomMapping& m, const std::string& c) { m.status_callback_column = c; },
         "status_callback_column"},
        {[](RoomMapping& m, const std::string& c) { m.media_region_column = c; },
         "media_region_column"},
    };
    for (const auto& c : cases) {
        RoomMapping m = all_columns();
        c.set(m, "no_such_col");
        auto s = store(m);
        const auto check = s->check_mapping();
        EXPECT_FALSE(check.ok) << c.key;
        const std::string problem = "column \"no_such_col\" does not exist in table " + m_schema +
                                    ".livekit_rooms (set [rooms] " + c.key + ")";
        EXPECT_EQ(check.problem, problem);
        EXPECT_EQ(check.qualified_table, m_schema + ".livekit_rooms");
        // A read of the rows fails with the same words, naming the key.
        EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config), problem);
    }
}

TEST_F(StoreRoomSettingsTest, ColumnDroppedAfterConnectIsAConfigErrorNamingTheKey) {
    create_table();
    auto s = store(all_columns());
    ASSERT_TRUE(s->check_mapping().ok);
    exec("ALTER TABLE " + qualified("livekit_rooms") + " DROP COLUMN seats");
    EXPECT_EQ(error_of([&] { s->load_rooms(); }, ErrorKind::config),
              "column \"seats\" does not exist in table " + m_schema +
                  ".livekit_rooms (set [rooms] max_participants_column)");
}

}  // namespace
}  // namespace roomctl::store
