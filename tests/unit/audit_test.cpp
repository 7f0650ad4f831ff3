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
    r.liveness = live ? store::Liveness::live : store::Liveness::ended;
    return r;
}

store::DbRoom unclassified(std::string name, std::optional<std::string> status,
                           std::optional<std::string> sid = std::nullopt) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.sid = std::move(sid);
    r.status = std::move(status);
    r.liveness = store::Liveness::unclassified;
    return r;
}

// The mapping records SIDs ([rooms] sid_column): every test here is about SID evidence or
// runs as if it were (without a SID column the audit ignores SIDs: audit_schema_test.cpp).
Inventory with_sid_column() {
    Inventory inv;
    inv.sid_column = "room_sid";
    return inv;
}

std::vector<std::string> kinds(const AuditResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(to_string(f.kind) + ":" + f.room);
    return out;
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
    Inventory inv = with_sid_column();
    inv.database = {row("a", "RM_a", "active", true), row("b", "RM_b", "pending", true)};
    inv.server = {room("a", "RM_a"), room("b", "RM_b")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.summary.in_sync, 2u);
    EXPECT_EQ(r.summary.live_rooms, 2u);
}

TEST(Audit, LiveRowWithoutServerRoomIsMissing) {
    Inventory inv = with_sid_column();
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
    Inventory inv = with_sid_column();
    inv.database = {row("old", "RM_x", "ended", false)};
    EXPECT_TRUE(audit(inv).findings.empty());
}

TEST(Audit, ServerRoomWithoutRowIsOrphaned) {
    Inventory inv = with_sid_column();
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
    Inventory inv = with_sid_column();
    inv.database = {row("done", "RM_d", "ended", false)};
    inv.server = {room("done", "RM_d")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].kind, FindingKind::orphaned);
    EXPECT_EQ(r.findings[0].database_status, "ended");
}

TEST(Audit, LiveRowAmongEndedRowsOfTheSameNameOwnsTheRoom) {
    Inventory inv = with_sid_column();
    inv.database = {row("r", "RM_1", "ended", false), row("r", "RM_2", "active", true)};
    inv.server = {room("r", "RM_2")};
    EXPECT_TRUE(audit(inv).findings.empty());
}

TEST(Audit, NullEmptyOrDifferentSidIsDrift) {
    Inventory inv = with_sid_column();
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
    Inventory inv = with_sid_column();
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
    Inventory inv = with_sid_column();
    inv.database = {row("abcd1234", std::nullopt, "active", true)};
    inv.server = {room("room-abcd1234-main", "RM_x")};
    auto r = audit(inv);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].suggested_template, "room-{name}-main");
}

TEST(Audit, AmbiguousOrShortMatchesStayMissingAndOrphaned) {
    Inventory inv = with_sid_column();
    // Two server rooms contain the row's value: which one is meant is not knowable.
    inv.database = {row("abcd1234", std::nullopt, "active", true),
                    row("ab", std::nullopt, "active", true)};
    inv.server = {room("x-abcd1234", "RM_1"), room("y-abcd1234", "RM_2"), room("abc", "RM_3")};
    auto r = audit(inv);
    EXPECT_EQ(r.summary.name_mismatch, 0u);
    EXPECT_EQ(r.summary.missing, 2u);
    EXPECT_EQ(r.summary.orphaned, 3u);
}

TEST(Audit, AnOrphanWithAnEndedRowIsNotPairedWithAnotherRow) {
    Inventory inv = with_sid_column();
    inv.database = {row("abcd1234", std::nullopt, "active", true),
                    row("session-abcd1234", "RM_e", "ended", false)};
    inv.server = {room("session-abcd1234", "RM_e")};
    auto r = audit(inv);
    EXPECT_EQ(r.summary.name_mismatch, 0u);
    EXPECT_EQ(r.summary.missing, 1u);
    EXPECT_EQ(r.summary.orphaned, 1u);
}

TEST(Audit, RowsMatchTheServerThroughTheirRoomName) {
    Inventory inv = with_sid_column();
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
    Inventory inv = with_sid_column();
    inv.database = {row("z", std::nullopt, "active", true), row("y", "RM_y", "active", true),
                    row("m", "x", "active", true)};
    inv.server = {room("m", "RM_m"), room("b", "RM_b"), room("a", "RM_a")};
    auto r = audit(inv);
    std::vector<std::string> order;
    for (const auto& f : r.findings) order.push_back(to_string(f.kind) + ":" + f.room);
    EXPECT_EQ(order, (std::vector<std::string>{"missing:y", "missing:z", "orphaned:a", "orphaned:b",
                                               "sid_drift:m"}));
}

// --- unclassified rows ---

TEST(Audit, UnclassifiedRowsAreFindingsAndTheirRoomsAreNeitherOrphanedNorMissing) {
    Inventory inv = with_sid_column();
    inv.database = {unclassified("paused", "PAUSED", "RM_p"), unclassified("nulled", std::nullopt),
                    unclassified("paused2", "PAUSED")};
    inv.server = {room("paused", "RM_p", 2, 700)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"unclassified:nulled", "unclassified:paused",
                                                  "unclassified:paused2"}));
    const auto& on_server = r.findings[1];
    EXPECT_EQ(on_server.database_status, "PAUSED");
    EXPECT_EQ(on_server.database_name, "paused");
    EXPECT_EQ(on_server.server_sid, "RM_p");
    EXPECT_EQ(on_server.num_participants, 2u);
    ASSERT_TRUE(on_server.server_room.has_value());
    EXPECT_FALSE(r.findings[0].server_room.has_value());
    EXPECT_FALSE(r.findings[0].server_sid.has_value());
    EXPECT_FALSE(r.findings[0].database_status.has_value());
    EXPECT_EQ(r.summary.unclassified, 3u);
    EXPECT_EQ(r.summary.orphaned + r.summary.missing, 0u);
    EXPECT_EQ(r.summary.findings(), 3u);
    EXPECT_EQ(r.summary.unclassified_statuses,
              (std::map<std::string, std::size_t>{{"NULL", 1}, {"PAUSED", 2}}));
    EXPECT_EQ(r.summary.unclassified_rows(), 3u);
}

TEST(Audit, UnclassifiedRowsOfOneRoomAreOneFindingAndEveryRowIsCounted) {
    Inventory inv = with_sid_column();
    inv.database = {unclassified("r", "on_hold"), unclassified("r", "ON_HOLD"),
                    row("r", "RM_r", "ended", false)};
    inv.server = {room("r", "RM_r")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"unclassified:r"}));
    EXPECT_EQ(r.summary.unclassified_rows(), 2u);
    EXPECT_EQ(r.summary.unclassified_statuses.size(), 2u);  // values are counted as written
}

TEST(Audit, AnUnclassifiedRowBesideALiveRowIsStillReported) {
    Inventory inv = with_sid_column();
    inv.database = {row("r", "RM_r", "active", true), unclassified("r", "PAUSED")};
    inv.server = {room("r", "RM_r")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"unclassified:r"}));
    EXPECT_EQ(r.summary.in_sync, 1u);
}

TEST(Audit, ARowOfUnknownLivenessIsNotTreatedAsLive) {
    Inventory inv = with_sid_column();
    store::DbRoom r0;  // liveness left at its default
    r0.name = r0.room = "r";
    r0.live = true;
    inv.database = {r0};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"unclassified:r"}));
}

// --- SID evidence ---

TEST(Audit, AServerRoomHoldingALiveRowsSidBelongsToItWhateverItsName) {
    Inventory inv = with_sid_column();
    inv.database = {row("k", "RM_k", "active", true)};
    inv.server = {room("completely-other", "RM_k", 1, 400)};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:completely-other"}));
    const auto& f = r.findings[0];
    EXPECT_TRUE(f.sid_evidence);
    EXPECT_EQ(f.expected_room, "k");
    EXPECT_EQ(f.database_name, "k");
    EXPECT_EQ(f.database_sid, "RM_k");
    EXPECT_EQ(f.server_sid, "RM_k");
    EXPECT_EQ(f.suggested_template, "");  // "k" is not in the room's name: no template fits
    EXPECT_EQ(r.summary.missing + r.summary.orphaned, 0u);
}

TEST(Audit, SidEvidenceSuggestsTheTemplateForShortNames) {
    Inventory inv = with_sid_column();
    inv.database = {row("ab", "RM_1", "active", true)};
    inv.server = {room("session-ab", "RM_1")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:session-ab"}));
    EXPECT_EQ(r.findings[0].suggested_template, "session-{name}");
}

TEST(Audit, AnEndedRowsSidTiesItsRoomToo) {
    Inventory inv = with_sid_column();
    inv.database = {row("x", "RM_9", "ended", false)};
    inv.server = {room("session-x", "RM_9")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:session-x"}));
    EXPECT_EQ(r.findings[0].database_status, "ended");
    EXPECT_TRUE(r.findings[0].sid_evidence);
}

TEST(Audit, ALiveSidAliveElsewhereIsNeverDriftToOverwrite) {
    // The row's own room exists with another SID, and its recorded SID lives under another
    // name: the recorded SID is evidence, so recording the other room's SID would destroy it.
    Inventory inv = with_sid_column();
    inv.database = {row("a", "RM_real", "active", true)};
    inv.server = {room("a", "RM_new"), room("room-a", "RM_real")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:room-a"}));
    EXPECT_EQ(r.summary.sid_drift, 0u);
}

TEST(Audit, SidEvidenceOnARoomAnotherLiveRowNamesSuggestsNoTemplate) {
    Inventory inv = with_sid_column();
    inv.database = {row("a", "RM_b", "active", true), row("b", "RM_b", "active", true)};
    inv.server = {room("b", "RM_b")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:b"}));
    EXPECT_EQ(r.findings[0].expected_room, "a");
    EXPECT_EQ(r.findings[0].suggested_template, "");
    EXPECT_EQ(r.summary.in_sync, 1u);  // b is b's room
}

TEST(Audit, EmptySidsAreNoEvidence) {
    Inventory inv = with_sid_column();
    inv.database = {row("a", "", "active", true)};
    inv.server = {room("zz", "")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"missing:a", "orphaned:zz"}));
}

// --- templates for names of any length ("P46odHdPO0wJ" vs "session-P46odHdPO0wJ") ---

TEST(Audit, Seed000AllRowsAreMismatchesWhateverTheirLength) {
    Inventory inv = with_sid_column();
    inv.database = {row("P46odHdPO0wJ", std::nullopt, "active", true),
                    row("ab", std::nullopt, "active", true),
                    row("x", std::nullopt, "active", true)};
    inv.server = {room("session-P46odHdPO0wJ", "RM_1"), room("session-ab", "RM_2"),
                  room("session-x", "RM_3")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r),
              (std::vector<std::string>{"name_mismatch:session-P46odHdPO0wJ",
                                        "name_mismatch:session-ab", "name_mismatch:session-x"}));
    for (const auto& f : r.findings) EXPECT_EQ(f.suggested_template, "session-{name}");
    EXPECT_EQ(r.findings[1].expected_room, "ab");
    EXPECT_EQ(r.findings[2].database_name, "x");
    EXPECT_EQ(r.summary.name_mismatch, 3u);
}

TEST(Audit, ATemplateFromSidEvidencePairsRowsWithoutSids) {
    Inventory inv = with_sid_column();
    inv.database = {row("a", "RM_a", "active", true), row("b", std::nullopt, "active", true)};
    inv.server = {room("room-a", "RM_a"), room("room-b", "RM_b")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:room-a", "name_mismatch:room-b"}));
    EXPECT_FALSE(r.findings[1].sid_evidence);
    EXPECT_EQ(r.findings[1].suggested_template, "room-{name}");
}

TEST(Audit, ShortNamesWithoutEvidenceStayMissingAndOrphaned) {
    Inventory inv = with_sid_column();
    inv.database = {row("ab", std::nullopt, "active", true)};
    inv.server = {room("session-ab", "RM_2")};
    EXPECT_EQ(kinds(audit(inv)), (std::vector<std::string>{"missing:ab", "orphaned:session-ab"}));
}

TEST(Audit, RowsTwoTemplatesSendToDifferentRoomsAreNotPaired) {
    Inventory inv = with_sid_column();
    inv.database = {row("a", "RM_a", "active", true), row("b", "RM_b", "active", true),
                    row("q", std::nullopt, "active", true)};
    inv.server = {room("session-a", "RM_a"), room("b-main", "RM_b"), room("session-q", "RM_1"),
                  room("q-main", "RM_2")};
    auto r = audit(inv);
    EXPECT_EQ(r.summary.name_mismatch, 2u);
    EXPECT_EQ(r.summary.missing, 1u);
    EXPECT_EQ(r.summary.orphaned, 2u);
}

TEST(Audit, AnOrphanWithAnEndedRowIsNotPairedThroughATemplate) {
    Inventory inv = with_sid_column();
    inv.database = {row("P46odHdPO0wJ", std::nullopt, "active", true),
                    row("x", std::nullopt, "active", true),
                    row("session-x", std::nullopt, "ended", false)};
    inv.server = {room("session-P46odHdPO0wJ", "RM_1"), room("session-x", "RM_3")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"missing:x", "orphaned:session-x",
                                                  "name_mismatch:session-P46odHdPO0wJ"}));
}

TEST(Audit, AConfiguredTemplateTheServerDoesNotUseSuggestsThePlainName) {
    Inventory inv = with_sid_column();
    auto r0 = row("abcd1234", std::nullopt, "active", true);
    r0.room = "session-abcd1234";  // room_name_template "session-{name}"
    inv.database = {r0};
    inv.server = {room("abcd1234", "RM_1")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:abcd1234"}));
    EXPECT_EQ(r.findings[0].suggested_template, "{name}");
}

TEST(Audit, TemplateMatchingWorksForOneCharacter) {
    EXPECT_EQ(template_matching("x", "session-x"), "session-{name}");
    EXPECT_EQ(apply_template("session-{name}", "x"), "session-x");
    EXPECT_EQ(apply_template("{name}", "x"), "x");
}

TEST(Audit, StatusKeySpellsNullAsNULL) {
    EXPECT_EQ(status_key(std::nullopt), "NULL");
    EXPECT_EQ(status_key(std::string("")), "");
    EXPECT_EQ(status_key(std::string("PAUSED")), "PAUSED");
}

}  // namespace
}  // namespace roomctl::reconcile
