// The safety gate when the mapping records no SID ([rooms] sid_column = ""): the rules of
// part 7 still refuse on name evidence, and a healthy name-only picture is not refused.

#include <gtest/gtest.h>

#include "roomctl/reconcile/planner.hpp"
#include "roomctl/reconcile/safety.hpp"

namespace roomctl::reconcile {
namespace {

using Command = SafetyOptions::Command;

// A name-only row: the store reads no SID when the mapping has no SID column.
store::DbRoom row(std::string name, bool live) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.status = live ? "active" : "ended";
    r.liveness = live ? store::Liveness::live : store::Liveness::ended;
    r.live = live;
    return r;
}

media::ServerRoom room(std::string name, std::int64_t created = 0) {
    media::ServerRoom r;
    r.sid = "RM_" + name;
    r.name = std::move(name);
    r.creation_time = created;
    return r;
}

Inventory name_only(std::vector<store::DbRoom> rows, std::vector<media::ServerRoom> rooms) {
    Inventory inv;
    inv.provider = "livekit";
    inv.table = "instant_sessions";
    inv.sid_column = "";
    inv.database = std::move(rows);
    inv.server = std::move(rooms);
    inv.observed_at = 1'767'225'600;
    return inv;
}

SafetyOptions options(Command c) {
    SafetyOptions o;
    o.command = c;
    return o;
}

std::vector<RefusalRule> rules(const std::vector<Refusal>& refusals) {
    std::vector<RefusalRule> out;
    for (const auto& r : refusals) out.push_back(r.rule);
    return out;
}

TEST(SafetyNameOnly, AHealthyPictureWithoutSidsIsNotRefused) {
    // Rooms on the server carry SIDs the table cannot hold: that is no drift, no foreign SID.
    auto inv = name_only({row("a", true), row("b", true), row("c", true), row("old", false)},
                         {room("a"), room("b"), room("c"), room("old")});
    auto a = audit(inv);
    EXPECT_EQ(a.summary.sid_drift, 0u);
    EXPECT_EQ(a.summary.foreign_sid, 0u);
    for (auto c : {Command::recreate, Command::cleanup}) {
        EXPECT_TRUE(assess(a, {}, options(c)).empty());
    }
}

TEST(SafetyNameOnly, ANameMismatchByNamesStillRefuses) {
    std::vector<store::DbRoom> rows;
    std::vector<media::ServerRoom> rooms;
    for (std::string n : {"P46odHdPO0wJ", "Q57peIeQP1xK", "R68qfJfRQ2yL"}) {
        rows.push_back(row(n, true));
        rooms.push_back(room("session-" + n));
    }
    auto a = audit(name_only(rows, rooms));
    ASSERT_EQ(a.summary.name_mismatch, 3u);
    for (auto c : {Command::recreate, Command::cleanup}) {
        EXPECT_EQ(rules(assess(a, {}, options(c))),
                  std::vector<RefusalRule>{RefusalRule::name_mismatch});
    }
}

TEST(SafetyNameOnly, CleanupOfAnEmptyLookingTableStillRefuses) {
    auto a = audit(name_only({}, {room("x"), room("y")}));
    EXPECT_EQ(rules(assess(a, {}, options(Command::cleanup))),
              std::vector<RefusalRule>{RefusalRule::unbelievable_database});
    auto capped = options(Command::cleanup);
    capped.max_deletes = 1;
    capped.allow_empty_database = true;
    EXPECT_EQ(rules(assess(a, {}, capped)), std::vector<RefusalRule>{RefusalRule::max_deletes});
}

TEST(SafetyNameOnly, LiveRowsWithoutARoomNameRefuseCleanupButNotRecreate) {
    // "{session_id}-{name}" with a NULL session_id: the app's room for it cannot be named, so
    // it would look orphaned.
    auto unnamed = row("Room 3", true);
    unnamed.room = "";
    auto a = audit(name_only({row("a", true), unnamed}, {room("a"), room("x-Room 3", 0)}));
    ASSERT_EQ(a.summary.unnamed_rows, 1u);
    auto r = assess(a, {}, options(Command::cleanup));
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::unnamed_rows});
    EXPECT_NE(r[0].reason.find("1 live row has no room name, e.g. row \"Room 3\""),
              std::string::npos)
        << r[0].reason;
    EXPECT_EQ(to_string(r[0].rule), "unnamed_rows");
    EXPECT_TRUE(assess(a, {}, options(Command::recreate)).empty());
    // Recreate leaves the row alone, saying why.
    auto plan = plan_recreate(a, {});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("NULL or empty"), std::string::npos)
        << plan.actions[0].reason;
}

TEST(SafetyNameOnly, TheRunSaysOnceThatRoomsAreMatchedByName) {
    const auto notice = name_only_notice();
    EXPECT_EQ(notice.rfind("[rooms] sid_column is not set: rooms are matched by name only", 0), 0u)
        << notice;
    EXPECT_EQ(notice.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace roomctl::reconcile
