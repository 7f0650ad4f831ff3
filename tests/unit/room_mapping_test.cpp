// [rooms] mapping settings of issue 14: templates over any column, the liveness sources and
// the optional SID column, as the config file gives them.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

using testing::contains;

class RoomMappingSettings : public testing::SettingsFixture {
protected:
    Settings with_rooms(const std::string& rooms) {
        flags.set("--config", write("c.toml", "[rooms]\n" + rooms));
        return resolve();
    }
    std::string rooms_failure(const std::string& rooms) {
        flags.set("--config", write("c.toml", "[rooms]\n" + rooms));
        return config_failure();
    }
};

TEST(RoomTemplate, PartsResolveNameToTheNameColumnAndKeepLiterals) {
    RoomMapping m;
    m.name_column = "room_name";
    m.room_name_template = "{session_id}-{name}";
    const auto parts = parse_room_template(m);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_TRUE(parts[0].is_column);
    EXPECT_EQ(parts[0].text, "session_id");
    EXPECT_FALSE(parts[1].is_column);
    EXPECT_EQ(parts[1].text, "-");
    EXPECT_EQ(parts[2].text, "room_name");
    EXPECT_EQ(template_columns(m), (std::vector<std::string>{"session_id", "room_name"}));
    // Two placeholders: the name alone gives no room, so no reverse mapping is claimed.
    EXPECT_EQ(database_name_for(m, "s1-Room 1"), std::nullopt);
    m.room_name_template = "session-{name}";
    EXPECT_EQ(database_name_for(m, "session-P46"), "P46");
    EXPECT_EQ(template_columns(m), std::vector<std::string>{"room_name"});
}

TEST(RoomTemplate, MalformedTemplatesAreConfigErrors) {
    for (const char* bad : {"session-", "{name", "name}", "{}", "{a{b}}", "x}{name}"}) {
        RoomMapping m;
        m.room_name_template = bad;
        try {
            parse_room_template(m);
            ADD_FAILURE() << bad << " parsed";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::config);
            EXPECT_TRUE(contains(e.what(), "rooms.room_name_template")) << e.what();
        }
    }
}

TEST_F(RoomMappingSettings, TheNewKeysAreReadFromTheFile) {
    const auto s = with_rooms(R"(table = "livekit_rooms"
sid_column = ""
session_table = "public.sessions"
session_key = "session_uuid"
session_status_column = "state"
starts_column = "scheduled_at"
room_name_template = "{session_uuid}-{name}"
)");
    EXPECT_FALSE(s.rooms.records_sids());
    EXPECT_EQ(s.rooms.session_table, "public.sessions");
    EXPECT_EQ(s.rooms.session_key_column(), "session_uuid");
    EXPECT_EQ(s.rooms.session_table_key, "id");
    EXPECT_EQ(s.rooms.session_status_column, "state");
    EXPECT_EQ(s.rooms.starts_column, "scheduled_at");
    EXPECT_EQ(status_source(s.rooms), "public.sessions.state");
}

TEST_F(RoomMappingSettings, SessionKeyDefaultsToTheSessionColumn) {
    const auto s = with_rooms("session_table = \"sessions\"\n");
    EXPECT_EQ(s.rooms.session_key_column(), "session_id");
}

TEST_F(RoomMappingSettings, LiveWhenIsOneExpressionAndExcludesSessionTable) {
    EXPECT_TRUE(contains(rooms_failure("live_when = \"true; DROP TABLE x\"\n"),
                         "rooms.live_when must be one SQL expression without ';' or comments"));
    EXPECT_TRUE(contains(rooms_failure("live_when = \"true -- x\"\n"), "without ';' or comments"));
    EXPECT_TRUE(contains(rooms_failure("live_when = \"true /* x */\"\n"), "or comments"));
    EXPECT_TRUE(contains(rooms_failure("live_when = \"  \"\n"), "rooms.live_when is blank"));
    EXPECT_TRUE(
        contains(rooms_failure("live_when = \"ended_at IS NULL\"\nsession_table = \"sessions\"\n"),
                 "both decide liveness: keep one of them"));
    const auto s = with_rooms("live_when = \"ended_at IS NULL\"\n");
    EXPECT_EQ(status_source(s.rooms), "live_when");
}

TEST_F(RoomMappingSettings, ATemplateWithoutPlaceholderNamesItsOrigin) {
    const auto msg = rooms_failure("room_name_template = \"fixed\"\n");
    EXPECT_TRUE(contains(msg, "must contain {name} or another {column}")) << msg;
    EXPECT_TRUE(contains(msg, "c.toml")) << msg;
}

}  // namespace
}  // namespace roomctl::config
