// audit(): inventory in, findings out.

#include "roomctl/reconcile/audit.hpp"

#include <gtest/gtest.h>

namespace roomctl::reconcile {
namespace {

store::DbRoom row(std::string name, std::optional<std::string> sid, std::string status, bool live) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);  // the default template "{name}"
    r.sid = std::move(sid);
    r.status = std::move(status);
    r.live = live;
    return r;
}

media::ServerRoom room(std::string name, std::string sid, std::uint32_t participants = 0,
                       std::int64_t created = 1000) {
    media::ServerRoom r;
    r.name = std::move(name);
    r.sid = std::move(sid);
    r.num_participants = participants;
    r.creation_time = created;
    return r;
}

TEST(Audit, InSyncWhenEveryLiveRowHasItsRoomAndSid) {
    Inventory inv;
    inv.database = {row("a", "RM_a", "active", true), row("b", "RM_b", "pending", true)};
    inv.server = {room("a", "RM_a"), room("b", "RM_b")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.summary.in_sync, 2u);
    EXPECT_EQ(r.summary.live_rooms, 2u);
}

TEST(Audit, LiveRowWithoutServerRoomIsMissing) {
    Inventory inv;
    inv.database = {row("session-1", "RM_old", "pending", true)};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].kind, FindingKind::missing);
    EXPECT_EQ(r.findings[0].room, "session-1");
    EXPECT_EQ(r.findings[0].database_sid, "RM_old");
    EXPECT_FALSE(r.findings[0].server_sid.has_value());
    EXPECT_EQ(r.summary.missing, 1u);
}

TEST(Audit, EndedRowDoesNotNeedARoom) {
    Inventory inv;
    inv.database = {row("old", "RM_x", "ended", false)};
    EXPECT_TRUE(audit(inv).findings.empty());
}

TEST(Audit, ServerRoomWithoutRowIsOrphaned) {
    Inventory inv;
    inv.server = {room("stray", "RM_s", 2, 500)};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    const auto& f = r.findings[0];
    EXPECT_EQ(f.kind, FindingKind::orphaned);
    EXPECT_EQ(f.server_sid, "RM_s");
    EXPECT_EQ(f.num_participants, 2u);
    EXPECT_EQ(f.server_created_at, 500);
    EXPECT_FALSE(f.database_status.has_value());
}

TEST(Audit, ServerRoomWhoseRowSaysEndedIsOrphanedWithTheStatus) {
    Inventory inv;
    inv.database = {row("done", "RM_d", "ended", false)};
    inv.server = {room("done", "RM_d")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].kind, FindingKind::orphaned);
    EXPECT_EQ(r.findings[0].database_status, "ended");
}

TEST(Audit, LiveRowAmongEndedRowsOfTheSameNameOwnsTheRoom) {
    Inventory inv;
    inv.database = {row("r", "RM_1", "ended", false), row("r", "RM_2", "active", true)};
    inv.server = {room("r", "RM_2")};
    EXPECT_TRUE(audit(inv).findings.empty());
}

TEST(Audit, NullEmptyOrDifferentSidIsDrift) {
    Inventory inv;
    inv.database = {row("n", std::nullopt, "active", true), row("e", "", "active", true),
                    row("d", "RM_stale", "active", true)};
    inv.server = {room("n", "RM_n"), room("e", "RM_e"), room("d", "RM_d")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 3u);
    for (const auto& f : r.findings) EXPECT_EQ(f.kind, FindingKind::sid_drift);
    EXPECT_EQ(r.findings[0].room, "d");  // sorted by name within a kind
    EXPECT_EQ(r.findings[0].database_sid, "RM_stale");
    EXPECT_EQ(r.findings[0].server_sid, "RM_d");
    EXPECT_EQ(r.findings[2].room, "n");
    EXPECT_FALSE(r.findings[2].database_sid.has_value());
    EXPECT_EQ(r.summary.sid_drift, 3u);
}

TEST(Audit, PrefixedNamesAreANameMismatchWithTheTemplateThatMatches) {
    // Seed 000: the database says P46odHdPO0wJ, the server room is session-P46odHdPO0wJ.
    Inventory inv;
    inv.database = {row("P46odHdPO0wJ", std::nullopt, "active", true)};
    inv.server = {room("session-P46odHdPO0wJ", "RM_p")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    const auto& f = r.findings[0];
    EXPECT_EQ(f.kind, FindingKind::name_mismatch);
    EXPECT_EQ(f.room, "session-P46odHdPO0wJ");
    EXPECT_EQ(f.expected_room, "P46odHdPO0wJ");
    EXPECT_EQ(f.database_name, "P46odHdPO0wJ");
    EXPECT_EQ(f.server_sid, "RM_p");
    EXPECT_EQ(f.suggested_template, "session-{name}");
    EXPECT_EQ(r.summary.name_mismatch, 1u);
    EXPECT_EQ(r.summary.missing + r.summary.orphaned, 0u);
}

TEST(Audit, SuffixesAndPrefixesTogetherAreSuggested) {
    Inventory inv;
    inv.database = {row("abcd1234", std::nullopt, "active", true)};
    inv.server = {room("room-abcd1234-main", "RM_x")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].suggested_template, "room-{name}-main");
}

TEST(Audit, AmbiguousOrShortMatchesStayMissingAndOrphaned) {
    Inventory inv;
    // Two server rooms contain the row's value: which one is meant is not knowable.
    inv.database = {row("abcd1234", std::nullopt, "active", true), row("ab", std::nullopt, "active", true)};
    inv.server = {room("x-abcd1234", "RM_1"), room("y-abcd1234", "RM_2"), room("abc", "RM_3")};
    auto r = audit(inv);
    EXPECT_EQ(r.summary.name_mismatch, 0u);
    EXPECT_EQ(r.summary.missing, 2u);
    EXPECT_EQ(r.summary.orphaned, 3u);
}

TEST(Audit, AnOrphanWithAnEndedRowIsNotPairedWithAnotherRow) {
    Inventory inv;
    inv.database = {row("abcd1234", std::nullopt, "active", true),
                    row("session-abcd1234", "RM_e", "ended", false)};
    inv.server = {room("session-abcd1234", "RM_e")};
    auto r = audit(inv);
    EXPECT_EQ(r.summary.name_mismatch, 0u);
    EXPECT_EQ(r.summary.missing, 1u);
    EXPECT_EQ(r.summary.orphaned, 1u);
}

TEST(Audit, RowsMatchTheServerThroughTheirRoomName) {
    Inventory inv;
    auto r0 = row("P46odHdPO0wJ", "RM_p", "active", true);
    r0.room = "session-P46odHdPO0wJ";  // room_name_template "session-{name}"
    inv.database = {r0};
    inv.server = {room("session-P46odHdPO0wJ", "RM_p")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.summary.in_sync, 1u);
}

TEST(Audit, TemplateMatchingNamesTheAffixes) {
    EXPECT_EQ(template_matching("X123", "session-X123"), "session-{name}");
    EXPECT_EQ(template_matching("X123", "X123-main"), "{name}-main");
    EXPECT_FALSE(template_matching("session-X123", "X123").has_value());
    EXPECT_FALSE(template_matching("X123", "X123").has_value());
}

TEST(Audit, FindingsAreOrderedByKindThenName) {
    Inventory inv;
    inv.database = {row("z", std::nullopt, "active", true), row("y", "RM_y", "active", true),
                    row("m", "x", "active", true)};
    inv.server = {room("m", "RM_m"), room("b", "RM_b"), room("a", "RM_a")};
    auto r = audit(inv);
    std::vector<std::string> order;
    for (const auto& f : r.findings) order.push_back(to_string(f.kind) + ":" + f.room);
    EXPECT_EQ(order, (std::vector<std::string>{"missing:y", "missing:z", "orphaned:a",
                                               "orphaned:b", "sid_drift:m"}));
}

}  // namespace
}  // namespace roomctl::reconcile
