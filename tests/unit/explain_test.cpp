// roomctl explain's reasoning (explain/diagnose.hpp) from crafted facts: each cause, its
// order, the symptom the user saw and the one fix.

#include <gtest/gtest.h>

#include "roomctl/explain/diagnose.hpp"

namespace roomctl::explain {
namespace {

constexpr std::int64_t k_now = 1'767'225'600;

store::DbRoom live_row(std::string name, std::optional<std::string> sid = std::nullopt) {
    store::DbRoom r;
    r.name = name;
    r.room = name;
    r.sid = std::move(sid);
    r.status = "pending";
    r.live = true;
    r.liveness = store::Liveness::live;
    return r;
}

Facts facts_for(store::DbRoom row, RowMatch match = RowMatch::room) {
    Facts f;
    f.provider = "livekit";
    f.room_template = "{name}";
    f.status_source = "status";
    f.now = k_now;
    f.request.room = row.room;
    f.room = row.room;
    f.rows.push_back({std::move(row), match});
    f.server.asked = true;
    return f;
}

std::vector<std::string> codes(const Explanation& e) {
    std::vector<std::string> out;
    for (const auto& c : e.causes) out.push_back(c.code);
    return out;
}

TEST(Explain, NothingInTheWay) {
    auto f = facts_for(live_row("a", "RM_a"));
    media::ServerRoom room;
    room.name = "a";
    room.sid = "RM_a";
    f.server.room = room;
    f.server.clock_offset = 2;
    const auto e = explain(f);
    EXPECT_TRUE(e.ok());
    EXPECT_EQ(e.fix, "");
}

TEST(Explain, ASessionPrefixTheLookupDoesNotStrip) {
    auto f = facts_for(live_row("P46odHdPO0wJ"), RowMatch::embedded);
    f.request.room = "session-P46odHdPO0wJ";
    f.room = "session-P46odHdPO0wJ";
    const auto e = explain(f);
    ASSERT_FALSE(e.causes.empty());
    EXPECT_EQ(e.causes[0].code, "name_prefix");
    EXPECT_EQ(e.symptom, "Session not found");
    EXPECT_NE(e.fix.find("room_name_template = \"session-{name}\""), std::string::npos) << e.fix;
}

TEST(Explain, AClosedRoomOfASessionBookedHoursAhead) {
    auto row = live_row("standup", "RM_old");
    row.starts_at = k_now + 3 * 3600;
    const auto e = explain(facts_for(row));
    EXPECT_EQ(codes(e), (std::vector<std::string>{"room_closed", "created_too_early"}));
    EXPECT_EQ(e.symptom, "requested room does not exist");
    EXPECT_EQ(e.fix, "roomctl recreate standup --apply");
    EXPECT_NE(e.causes[0].text.find("starts in 3h"), std::string::npos) << e.causes[0].text;
}

TEST(Explain, TheRecordedRoomAliveUnderAnotherName) {
    auto f = facts_for(live_row("P46", "RM_x"));
    media::ServerRoom other;
    other.name = "session-P46";
    other.sid = "RM_x";
    f.server.sid_elsewhere = other;
    const auto e = explain(f);
    EXPECT_EQ(codes(e), std::vector<std::string>{"name_mismatch"});
    EXPECT_EQ(e.fix, "[rooms] room_name_template = \"session-{name}\"");
}

TEST(Explain, AnEndedSessionWhoseRoomLingers) {
    auto row = live_row("old", "RM_old");
    row.live = false;
    row.liveness = store::Liveness::ended;
    row.status = "completed";
    auto f = facts_for(row);
    media::ServerRoom room;
    room.name = "old";
    room.sid = "RM_old";
    f.server.room = room;
    const auto e = explain(f);
    EXPECT_EQ(codes(e), std::vector<std::string>{"session_ended"});
    EXPECT_EQ(e.fix, "roomctl cleanup --apply   # deletes old");
}

TEST(Explain, AClockFarFromTheServersIsACause) {
    auto f = facts_for(live_row("a", "RM_a"));
    media::ServerRoom room;
    room.name = "a";
    room.sid = "RM_a";
    f.server.room = room;
    f.server.clock_offset = -600;  // the server is ten minutes behind this machine
    const auto e = explain(f);
    EXPECT_EQ(codes(e), std::vector<std::string>{"clock_offset"});
    EXPECT_NE(e.causes[0].text.find("10m ahead of the server's"), std::string::npos)
        << e.causes[0].text;
}

TEST(Explain, AnUnreadableDatabaseComesFirst) {
    Facts f;
    f.request.session = "42";
    f.database_error = "connection refused";
    const auto e = explain(f);
    EXPECT_EQ(codes(e), std::vector<std::string>{"database_unreadable"});
    EXPECT_EQ(e.fix, "roomctl check");
}

}  // namespace
}  // namespace roomctl::explain
