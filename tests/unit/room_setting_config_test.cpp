// The configuration of the settings of rooms recreate creates (issue 14 item 6): [recreate]
// type, max_participants, metadata, status_callback(_method), media_region, the [rooms]
// *_column keys naming per-row setting columns, RoomMapping::setting_columns() and is_set().

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

using testing::contains;
using Columns = std::vector<std::pair<std::string, std::string>>;

class RoomSettingConfigTest : public testing::SettingsFixture {
protected:
    Settings resolve_file(const std::string& toml) {
        env["ROOMCTL_CONFIG"] = write("config.toml", toml);
        return resolve();
    }
};

TEST(RoomSettingColumns, NoneByDefault) {
    EXPECT_EQ(RoomMapping{}.setting_columns(), Columns{});
    EXPECT_EQ(twilio_default_mapping().setting_columns(), Columns{});
}

TEST(RoomSettingColumns, AllInTheFixedOrder) {
    RoomMapping m;
    // Set in another order than the one setting_columns() returns.
    m.media_region_column = "region";
    m.status_callback_column = "callback";
    m.departure_timeout_column = "leave_after";
    m.metadata_column = "meta";
    m.max_participants_column = "seats";
    m.type_column = "kind";
    EXPECT_EQ(m.setting_columns(), (Columns{{"type", "kind"},
                                            {"max_participants", "seats"},
                                            {"metadata", "meta"},
                                            {"departure_timeout", "leave_after"},
                                            {"status_callback", "callback"},
                                            {"media_region", "region"}}));
}

TEST(RoomSettingColumns, OnlyTheSetOnesAndAColumnMayServeTwice) {
    RoomMapping m;
    m.media_region_column = "kind";
    m.type_column = "kind";
    m.metadata_column = m.name_column;
    EXPECT_EQ(m.setting_columns(),
              (Columns{{"type", "kind"}, {"metadata", "room_name"}, {"media_region", "kind"}}));
}

TEST(RoomSettingRegistry, FileOnlyEntriesOfTheRightKind) {
    const std::vector<std::pair<std::string, Kind>> keys = {
        {"recreate.type", Kind::text},
        {"recreate.max_participants", Kind::count},
        {"recreate.metadata", Kind::text},
        {"recreate.status_callback", Kind::url},
        {"recreate.status_callback_method", Kind::text},
        {"recreate.media_region", Kind::text},
        {"rooms.type_column", Kind::text},
        {"rooms.max_participants_column", Kind::text},
        {"rooms.metadata_column", Kind::text},
        {"rooms.departure_timeout_column", Kind::text},
        {"rooms.status_callback_column", Kind::text},
        {"rooms.media_region_column", Kind::text},
    };
    for (const auto& [key, kind] : keys) {
        const auto* spec = find_setting(key);
        ASSERT_NE(spec, nullptr) << key;
        EXPECT_EQ(spec->kind, kind) << key;
        EXPECT_EQ(spec->toml, key) << key;  // [recreate] type, [rooms] type_column, ...
        EXPECT_TRUE(spec->flag.empty()) << key;
        EXPECT_TRUE(spec->env.empty()) << key;
        EXPECT_FALSE(spec->secret) << key;
        EXPECT_FALSE(spec->required) << key;
    }
    EXPECT_EQ(find_setting("recreate.max_participants")->max, 100'000);
}

TEST_F(RoomSettingConfigTest, DefaultsAreUnsetAndEmpty) {
    const auto s = resolve();
    EXPECT_EQ(s.room_settings.type, "");
    EXPECT_EQ(s.room_settings.max_participants, 0u);
    EXPECT_EQ(s.room_settings.metadata, "");
    EXPECT_EQ(s.room_settings.status_callback, "");
    EXPECT_EQ(s.room_settings.status_callback_method, "");
    EXPECT_EQ(s.room_settings.media_region, "");
    EXPECT_EQ(s.rooms.setting_columns(), Columns{});
    for (const auto* key :
         {"recreate.type", "recreate.max_participants", "recreate.metadata",
          "recreate.status_callback", "recreate.status_callback_method", "recreate.media_region",
          "recreate.departure_timeout", "rooms.type_column"}) {
        EXPECT_FALSE(is_set(s, key)) << key;
    }
    EXPECT_FALSE(is_set(s, "no.such_key"));
}

TEST_F(RoomSettingConfigTest, ReadFromTheFile) {
    const auto s = resolve_file(R"([rooms]
type_column = "room_type"
max_participants_column = "seats"
metadata_column = "meta"
departure_timeout_column = "leave_after"
status_callback_column = "callback"
media_region_column = "region"
[recreate]
type = "group"
max_participants = 50
metadata = "{\"course\": 7}"
status_callback = "https://hooks.example/video"
status_callback_method = "GET"
media_region = "de1"
)");
    EXPECT_EQ(s.room_settings.type, "group");
    EXPECT_EQ(s.room_settings.max_participants, 50u);
    EXPECT_EQ(s.room_settings.metadata, "{\"course\": 7}");
    EXPECT_EQ(s.room_settings.status_callback, "https://hooks.example/video");
    EXPECT_EQ(s.room_settings.status_callback_method, "GET");
    EXPECT_EQ(s.room_settings.media_region, "de1");
    EXPECT_EQ(s.rooms.setting_columns(), (Columns{{"type", "room_type"},
                                                  {"max_participants", "seats"},
                                                  {"metadata", "meta"},
                                                  {"departure_timeout", "leave_after"},
                                                  {"status_callback", "callback"},
                                                  {"media_region", "region"}}));
    EXPECT_TRUE(is_set(s, "recreate.type"));
    EXPECT_TRUE(is_set(s, "recreate.media_region"));
    EXPECT_TRUE(is_set(s, "rooms.type_column"));
    EXPECT_EQ(s.origins.at("recreate.max_participants").source, Source::file);
    EXPECT_FALSE(is_set(s, "recreate.departure_timeout"));  // not in the file
}

TEST_F(RoomSettingConfigTest, ExplicitZeroOrEmptyIsSet) {
    // 0 and "" written in the file mean "the server's default", which must beat the old
    // room's value: is_set tells them from "not written".
    const auto s = resolve_file("[recreate]\nmax_participants = 0\nmetadata = \"\"\n");
    EXPECT_EQ(s.room_settings.max_participants, 0u);
    EXPECT_TRUE(is_set(s, "recreate.max_participants"));
    EXPECT_TRUE(is_set(s, "recreate.metadata"));
    EXPECT_FALSE(is_set(s, "recreate.type"));
}

TEST_F(RoomSettingConfigTest, MaxParticipantsOutOfRangeIsRefused) {
    env["ROOMCTL_CONFIG"] = write("config.toml", "[recreate]\nmax_participants = 100001\n");
    EXPECT_TRUE(contains(config_failure(), "recreate.max_participants")) << config_failure();
    env["ROOMCTL_CONFIG"] = write("config.toml", "[recreate]\nmax_participants = -1\n");
    EXPECT_TRUE(contains(config_failure(), "recreate.max_participants")) << config_failure();
    env["ROOMCTL_CONFIG"] = write("config.toml", "[recreate]\nmax_participants = \"ten\"\n");
    EXPECT_TRUE(contains(config_failure(), "recreate.max_participants")) << config_failure();
}

TEST_F(RoomSettingConfigTest, UnknownRoomsKeyStaysAnError) {
    // [rooms] is roomctl's own table: a misspelt column key is refused, not ignored.
    env["ROOMCTL_CONFIG"] = write("config.toml", "[rooms]\ntype_colum = \"room_type\"\n");
    EXPECT_TRUE(contains(config_failure(), "type_colum")) << config_failure();
}

TEST_F(RoomSettingConfigTest, StatusCallbackIsShownWithoutUserinfo) {
    const auto s = resolve_file(
        "[recreate]\nstatus_callback = \"https://hook:s3cr3t-pw@hooks.example/video\"\n");
    EXPECT_EQ(s.room_settings.status_callback, "https://hook:s3cr3t-pw@hooks.example/video");
    const std::string shown = show_value(*find_setting("recreate.status_callback"), s);
    EXPECT_FALSE(contains(shown, "s3cr3t-pw")) << shown;
    EXPECT_TRUE(contains(shown, "hooks.example/video")) << shown;
    for (const auto& line : describe(s)) EXPECT_FALSE(contains(line, "s3cr3t-pw")) << line;
}

}  // namespace
}  // namespace roomctl::config
