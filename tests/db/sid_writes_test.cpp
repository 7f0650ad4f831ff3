// SID writes record exactly what the server said, on a real PostgreSQL: a
// column too short for the SID refuses the write instead of truncating it, a UNIQUE conflict
// fails its batch (the executor then writes row by row), a trigger that skips the update
// changes no row, and one that rewrites the SID rolls the write back.

#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace roomctl::store::testing {
namespace {

const std::string k_twilio_sid = "RM0123456789abcdef0123456789abcdef";  // 34 characters
const std::string k_livekit_sid = "RM_AbCdEfGhIjKl";                    // 15 characters

class SidWritesTest : public StoreFixture {
protected:
    void create_table(const std::string& sid_type, const std::string& extra = "") {
        exec("CREATE TABLE " + qualified("livekit_rooms") +
             " (id serial PRIMARY KEY, room_name text NOT NULL, room_sid " + sid_type +
             ", status text" + extra + ")");
    }
    std::optional<std::string> sid_of(const std::string& name) {
        auto r = exec(
            "SELECT room_sid::text FROM " + qualified("livekit_rooms") + " WHERE room_name = $1",
            name);
        if (r.empty() || r[0][0].is_null()) return std::nullopt;
        return std::string{r[0][0].c_str()};
    }
    std::unique_ptr<RoomStore> store() {
        return connect_room_store(m_url, default_mapping(), StoreOptions{});
    }
};

TEST_F(SidWritesTest, SidColumnReportsTypeLimitAndNoTriggers) {
    create_table("varchar(20)");
    const auto c = store()->sid_column();
    EXPECT_EQ(c.column, "room_sid");
    EXPECT_EQ(c.type, "character varying(20)");
    EXPECT_EQ(c.max_chars, 20);
    EXPECT_EQ(c.update_triggers, "");
}

TEST_F(SidWritesTest, UnlimitedColumnsHaveNoLimit) {
    create_table("text");
    EXPECT_EQ(store()->sid_column().max_chars, std::nullopt);
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ALTER COLUMN room_sid TYPE varchar");
    EXPECT_EQ(store()->sid_column().max_chars, std::nullopt);
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ALTER COLUMN room_sid TYPE char(40)");
    EXPECT_EQ(store()->sid_column().max_chars, 40);
}

TEST_F(SidWritesTest, TooLongSidIsRefusedNotTruncated) {
    create_table("varchar(20)");
    insert("a", std::nullopt, "pending");
    insert("b", std::nullopt, "pending");
    auto s = store();
    const auto msg =
        error_of([&] { s->update_sid("a", std::nullopt, k_twilio_sid); }, ErrorKind::config);
    EXPECT_NE(msg.find("\"room_sid\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("character varying(20)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("34 characters"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(sid_of("a"), std::nullopt);
    // In a batch, nothing is written either (the executor then writes row by row).
    EXPECT_THROW(
        s->update_sids({{"b", std::nullopt, k_livekit_sid}, {"a", std::nullopt, k_twilio_sid}}),
        SidRejected);
    EXPECT_EQ(sid_of("b"), std::nullopt);
    // A SID that fits is stored whole.
    EXPECT_EQ(s->update_sid("b", std::nullopt, k_livekit_sid), 1);
    EXPECT_EQ(sid_of("b"), k_livekit_sid);
}

TEST_F(SidWritesTest, ServerRefusesWhatTheCachedLimitMissed) {
    // The store read the column as varchar(20); then it shrank. No explicit CAST cuts the
    // value: PostgreSQL's assignment refuses it (22001) and nothing is written.
    create_table("varchar(20)");
    insert("a", std::nullopt, "pending");
    insert("b", std::nullopt, "pending");
    auto s = store();
    EXPECT_EQ(s->update_sid("a", std::nullopt, k_livekit_sid), 1);
    exec("ALTER TABLE " + qualified("livekit_rooms") + " ALTER COLUMN room_sid TYPE varchar(10)" +
         " USING left(room_sid, 10)");
    const auto msg =
        error_of([&] { s->update_sid("b", std::nullopt, k_livekit_sid); }, ErrorKind::config);
    EXPECT_NE(msg.find("room_sid"), std::string::npos) << msg;
    EXPECT_EQ(sid_of("b"), std::nullopt);
}

TEST_F(SidWritesTest, UniqueConflictFailsTheWholeBatchAndEachRowAlone) {
    create_table("text", ", UNIQUE (room_sid)");
    insert("a", k_livekit_sid, "active");
    insert("b", std::nullopt, "pending");
    insert("c", std::nullopt, "pending");
    auto s = store();
    const auto msg = error_of(
        [&] {
            s->update_sids({{"b", std::nullopt, k_livekit_sid}, {"c", std::nullopt, "RM_cccc"}});
        },
        ErrorKind::runtime);
    EXPECT_NE(msg.find("unique"), std::string::npos) << msg;
    EXPECT_EQ(sid_of("c"), std::nullopt);  // all or none
    // Row by row, the innocent row is written and the conflicting one fails alone.
    EXPECT_EQ(s->update_sid("c", std::nullopt, "RM_cccc"), 1);
    EXPECT_THROW(s->update_sid("b", std::nullopt, k_livekit_sid), Error);
    EXPECT_EQ(sid_of("c"), "RM_cccc");
    EXPECT_EQ(sid_of("b"), std::nullopt);
}

TEST_F(SidWritesTest, TriggerReturningNullChangesNoRowAndIsNamed) {
    create_table("text");
    insert("a", std::nullopt, "pending");
    insert("b", std::nullopt, "pending");
    exec("CREATE FUNCTION " + qualified("skip_update") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.room_name = 'a' THEN "
         "RETURN NULL; END IF; RETURN NEW; END $$");
    exec("CREATE TRIGGER keep_sids BEFORE UPDATE ON " + qualified("livekit_rooms") +
         " FOR EACH ROW EXECUTE FUNCTION " + qualified("skip_update") + "()");
    auto s = store();
    EXPECT_EQ(s->sid_column().update_triggers, "keep_sids");
    const auto changed =
        s->update_sids({{"a", std::nullopt, "RM_aaaa"}, {"b", std::nullopt, "RM_bbbb"}});
    EXPECT_EQ(changed, (std::vector<int>{0, 1}));
    EXPECT_EQ(sid_of("a"), std::nullopt);
    EXPECT_EQ(sid_of("b"), "RM_bbbb");
    const auto now = s->recorded_sid("a");
    EXPECT_TRUE(now.live);
    EXPECT_EQ(now.sid, std::nullopt);
    // A disabled trigger is not listed.
    exec("ALTER TABLE " + qualified("livekit_rooms") + " DISABLE TRIGGER keep_sids");
    EXPECT_EQ(s->sid_column().update_triggers, "");
}

TEST_F(SidWritesTest, TriggerRewritingTheSidRollsTheWriteBack) {
    create_table("text");
    insert("a", std::nullopt, "pending");
    exec("CREATE FUNCTION " + qualified("cut_sid") +
         "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.room_sid := left(NEW.room_sid, 20); "
         "RETURN NEW; END $$");
    exec("CREATE TRIGGER cut BEFORE UPDATE ON " + qualified("livekit_rooms") +
         " FOR EACH ROW EXECUTE FUNCTION " + qualified("cut_sid") + "()");
    auto s = store();
    const auto msg =
        error_of([&] { s->update_sid("a", std::nullopt, k_twilio_sid); }, ErrorKind::config);
    EXPECT_NE(msg.find(k_twilio_sid), std::string::npos) << msg;
    EXPECT_NE(msg.find("cut"), std::string::npos) << msg;
    EXPECT_EQ(sid_of("a"), std::nullopt);  // rolled back, not truncated
}

TEST_F(SidWritesTest, CharColumnStoresTheSidWhole) {
    // char(n) pads; read back as text it is the SID again, so the write is exact.
    create_table("char(40)");
    insert("a", std::nullopt, "pending");
    auto s = store();
    EXPECT_EQ(s->update_sid("a", std::nullopt, k_twilio_sid), 1);
    EXPECT_EQ(sid_of("a"), k_twilio_sid);
}

}  // namespace
}  // namespace roomctl::store::testing
