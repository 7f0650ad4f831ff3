// audit() on the schemas apps really have: no SID column, two live rows naming one room,
// rows whose room name cannot be built, and sessions with a start time.

#include <gtest/gtest.h>

#include "roomctl/reconcile/audit.hpp"

namespace roomctl::reconcile {
namespace {

constexpr std::int64_t k_now = 1'000'000;

store::DbRoom live_row(std::string name, std::optional<std::string> sid,
                       std::optional<std::int64_t> starts_at = std::nullopt) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.sid = std::move(sid);
    r.status = "active";
    r.live = true;
    r.liveness = store::Liveness::live;
    r.starts_at = starts_at;
    return r;
}

store::DbRoom ended_row(std::string name, std::optional<std::string> sid) {
    auto r = live_row(std::move(name), std::move(sid));
    r.status = "ended";
    r.live = false;
    r.liveness = store::Liveness::ended;
    return r;
}

media::ServerRoom room(std::string name, std::string sid, std::uint32_t participants = 0) {
    media::ServerRoom r;
    r.name = std::move(name);
    r.sid = std::move(sid);
    r.num_participants = participants;
    r.creation_time = k_now - 600;
    return r;
}

Inventory inventory(std::string sid_column) {
    Inventory inv;
    inv.sid_column = std::move(sid_column);
    inv.provider = "livekit";
    inv.observed_at = k_now;
    return inv;
}

std::vector<std::string> kinds(const AuditResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(to_string(f.kind) + ":" + f.room);
    return out;
}

// --- no SID column: rows match by name only ---

TEST(AuditNoSid, ALiveRowWhoseRoomIsOnTheServerIsInSyncWhateverTheServersSid) {
    auto inv = inventory("");
    inv.database = {live_row("a", std::nullopt), live_row("b", std::nullopt)};
    inv.server = {room("a", "RM_aaaaaaaaaaaa"), room("b", "RM_bbbbbbbbbbbb")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty()) << ::testing::PrintToString(kinds(r));
    EXPECT_EQ(r.summary.in_sync, 2u);
    EXPECT_EQ(r.summary.sid_drift, 0u);
    EXPECT_TRUE(r.summary.matched_by_name_only);
    EXPECT_EQ(r.summary.findings(), 0u);
}

TEST(AuditNoSid, SidValuesInTheRowsAreNotEvidenceOfAnything) {
    // Whatever a row carries, without a SID column it is no SID: no drift, no foreign SID, no
    // SID tie to a room of another name.
    auto inv = inventory("");
    inv.database = {live_row("stale", "RM_notTheServer"),
                    live_row("twilio", "RM0123456789abcdef0123456789abcdef"),
                    live_row("k", "RM_kkkkkkkkkkkk")};
    inv.server = {room("stale", "RM_serverSide12"), room("twilio", "RM_twtwtwtwtwtw"),
                  room("completely-other", "RM_kkkkkkkkkkkk")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"missing:k", "orphaned:completely-other"}));
    EXPECT_EQ(r.summary.in_sync, 2u);
    EXPECT_EQ(r.summary.foreign_sid, 0u);
    EXPECT_EQ(r.summary.live_with_sid, 0u);
    EXPECT_FALSE(r.findings[0].database_sid.has_value());
    EXPECT_EQ(r.findings[0].missing_cause, MissingCause::unknown);
}

TEST(AuditNoSid, NameMismatchesComeFromNamesAlone) {
    // Seed 000: a token column and a "session-" prefix, no SID column.
    auto inv = inventory("");
    inv.database = {live_row("P46odHdPO0wJ", std::nullopt)};
    inv.server = {room("session-P46odHdPO0wJ", "RM_pppppppppppp")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:session-P46odHdPO0wJ"}));
    EXPECT_FALSE(r.findings[0].sid_evidence);
    EXPECT_EQ(r.findings[0].suggested_template, "session-{name}");
}

TEST(AuditNoSid, WithASidColumnSidsStillCount) {
    auto inv = inventory("room_sid");
    inv.database = {live_row("stale", "RM_notTheServer"), live_row("k", "RM_kkkkkkkkkkkk")};
    inv.server = {room("stale", "RM_serverSide12"), room("completely-other", "RM_kkkkkkkkkkkk")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r),
              (std::vector<std::string>{"sid_drift:stale", "name_mismatch:completely-other"}));
    EXPECT_TRUE(r.findings[1].sid_evidence);
    EXPECT_FALSE(r.summary.matched_by_name_only);
}

// --- two live rows naming one room ---

TEST(AuditDuplicateName, TwoLiveRowsOfOneRoomAreOneFindingNeverInSync) {
    // Seed 001: two sessions' "Room 1" rows under "{name}", one pointing at a completed room.
    auto inv = inventory("room_sid");
    auto first = live_row("Room 1", "RM_current1234", k_now + 60);
    auto second = live_row("Room 1", "RM_completed123");
    second.status = "scheduled";
    inv.database = {first, second};
    inv.server = {room("Room 1", "RM_current1234", 3)};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"duplicate_name:Room 1"}));
    const auto& f = r.findings[0];
    ASSERT_EQ(f.duplicate_rows.size(), 2u);
    EXPECT_EQ(f.duplicate_rows[0].sid, "RM_current1234");
    EXPECT_EQ(f.duplicate_rows[1].sid, "RM_completed123");
    EXPECT_EQ(f.duplicate_rows[1].status, "scheduled");
    EXPECT_EQ(f.database_name, "Room 1");  // the first row speaks for the finding
    EXPECT_EQ(f.starts_at, k_now + 60);
    EXPECT_EQ(f.server_sid, "RM_current1234");
    EXPECT_EQ(f.num_participants, 3u);
    ASSERT_TRUE(f.server_room.has_value());
    EXPECT_EQ(r.summary.duplicate_name, 1u);
    EXPECT_EQ(r.summary.in_sync, 0u);
    EXPECT_EQ(r.summary.missing + r.summary.orphaned + r.summary.sid_drift, 0u);
    EXPECT_EQ(r.summary.findings(), 1u);
    EXPECT_EQ(r.summary.live_rooms, 1u);
}

TEST(AuditDuplicateName, ADuplicatedRoomAbsentFromTheServerIsNotMissing) {
    auto inv = inventory("room_sid");
    inv.database = {live_row("r", std::nullopt), live_row("r", "RM_gonegonegone"),
                    live_row("r", "")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"duplicate_name:r"}));
    EXPECT_EQ(r.findings[0].duplicate_rows.size(), 3u);
    EXPECT_FALSE(r.findings[0].server_room.has_value());
    EXPECT_EQ(r.summary.missing, 0u);
}

TEST(AuditDuplicateName, WithoutASidColumnTheServerRoomIsNeitherInSyncNorOrphaned) {
    auto inv = inventory("");
    inv.database = {live_row("Room 1", std::nullopt), live_row("Room 1", std::nullopt)};
    inv.server = {room("Room 1", "RM_r1r1r1r1r1r1")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"duplicate_name:Room 1"}));
    EXPECT_EQ(r.summary.in_sync, 0u);
}

TEST(AuditDuplicateName, RowsWhoseTemplateMakesTheNamesDistinctAreNoDuplicates) {
    // "{session_id}-{name}": the same name in two sessions is two rooms.
    auto inv = inventory("room_sid");
    auto a = live_row("Room 1", "RM_s1s1s1s1s1s1");
    a.room = "s1-Room 1";
    auto b = live_row("Room 1", "RM_s2s2s2s2s2s2");
    b.room = "s2-Room 1";
    inv.database = {a, b};
    inv.server = {room("s1-Room 1", "RM_s1s1s1s1s1s1"), room("s2-Room 1", "RM_s2s2s2s2s2s2")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty()) << ::testing::PrintToString(kinds(r));
    EXPECT_EQ(r.summary.in_sync, 2u);
    EXPECT_EQ(r.summary.duplicate_name, 0u);
}

TEST(AuditDuplicateName, AnEndedRowBesideALiveRowIsNoDuplicate) {
    auto inv = inventory("room_sid");
    inv.database = {ended_row("r", "RM_oldoldoldold"), live_row("r", "RM_newnewnewnew")};
    inv.server = {room("r", "RM_newnewnewnew")};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.summary.duplicate_name, 0u);
}

TEST(AuditDuplicateName, ARoomHoldingADuplicateRowsSidIsNotOrphaned) {
    auto inv = inventory("room_sid");
    inv.database = {live_row("r", "RM_xxxxxxxxxxxx"), live_row("r", "RM_yyyyyyyyyyyy")};
    inv.server = {room("r-old", "RM_yyyyyyyyyyyy")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"name_mismatch:r-old", "duplicate_name:r"}));
    EXPECT_EQ(r.findings[0].expected_room, "r");
    EXPECT_EQ(r.findings[0].suggested_template, "");  // r is not that row's alone
    EXPECT_EQ(r.summary.orphaned, 0u);
}

// --- live rows whose room name cannot be built ---

TEST(AuditUnnamedRows, ALiveRowWithoutARoomNameIsUnclassifiedNeverMissing) {
    auto inv = inventory("room_sid");
    auto row = live_row("Room 1", std::nullopt, k_now + 60);
    row.room = "";  // "{session_id}-{name}" with session_id NULL
    inv.database = {row, live_row("b", "RM_bbbbbbbbbbbb")};
    inv.server = {room("b", "RM_bbbbbbbbbbbb")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"unclassified:"}));
    const auto& f = r.findings[0];
    EXPECT_TRUE(f.no_room_name);
    EXPECT_EQ(f.database_name, "Room 1");
    EXPECT_EQ(f.database_status, "active");
    EXPECT_FALSE(f.server_room.has_value());
    EXPECT_EQ(r.summary.unnamed_rows, 1u);
    EXPECT_EQ(r.summary.unclassified, 1u);
    EXPECT_EQ(r.summary.missing, 0u);
    EXPECT_EQ(r.summary.in_sync, 1u);
    EXPECT_EQ(r.summary.live_rooms, 1u);
    EXPECT_EQ(r.summary.findings(), 1u);
}

TEST(AuditUnnamedRows, EveryUnnamedRowIsItsOwnFindingAndNoDuplicate) {
    auto inv = inventory("");
    auto a = live_row("Room 1", std::nullopt);
    a.room = "";
    auto b = live_row("Room 2", std::nullopt);
    b.room = "";
    inv.database = {a, b};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"unclassified:", "unclassified:"}));
    EXPECT_EQ(r.findings[0].database_name, "Room 1");
    EXPECT_EQ(r.findings[1].database_name, "Room 2");
    EXPECT_EQ(r.summary.unnamed_rows, 2u);
    EXPECT_EQ(r.summary.duplicate_name, 0u);
}

TEST(AuditUnnamedRows, AnEndedRowWithoutARoomNameIsNoFinding) {
    auto inv = inventory("room_sid");
    auto row = ended_row("Room 1", std::nullopt);
    row.room = "";
    inv.database = {row};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_EQ(r.summary.unnamed_rows, 0u);
}

// --- schedules and why a room is missing ---

TEST(AuditSchedules, ARecordedSidMeansExpiredAndNoneMeansNeverCreated) {
    auto inv = inventory("room_sid");
    inv.database = {live_row("expired", "RM_closedclosed", k_now - 3600),
                    live_row("never-null", std::nullopt), live_row("never-empty", "")};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"missing:expired", "missing:never-empty",
                                                  "missing:never-null"}));
    EXPECT_EQ(r.findings[0].missing_cause, MissingCause::expired);
    EXPECT_EQ(r.findings[0].starts_at, k_now - 3600);
    EXPECT_EQ(r.findings[1].missing_cause, MissingCause::never_created);
    EXPECT_EQ(r.findings[2].missing_cause, MissingCause::never_created);
    EXPECT_FALSE(r.findings[2].starts_at.has_value());
    EXPECT_EQ(to_string(MissingCause::expired), "expired");
    EXPECT_EQ(to_string(MissingCause::never_created), "never_created");
}

TEST(AuditSchedules, ASessionStartingAfterTheDueWindowIsNotYetDueAndNoFinding) {
    auto inv = inventory("room_sid");
    inv.due_within_seconds = 900;
    inv.database = {live_row("later", std::nullopt, k_now + 901),
                    live_row("at-the-edge", std::nullopt, k_now + 900),
                    live_row("unknown-start", std::nullopt)};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"missing:at-the-edge", "missing:unknown-start",
                                                  "not_yet_due:later"}));
    EXPECT_EQ(r.findings[2].missing_cause, MissingCause::never_created);
    EXPECT_EQ(r.findings[2].starts_at, k_now + 901);
    EXPECT_EQ(r.summary.not_yet_due, 1u);
    EXPECT_EQ(r.summary.missing, 2u);
    EXPECT_EQ(r.summary.findings(), 2u);
}

TEST(AuditSchedules, OnlyFutureSessionsAreNotYetDue) {
    auto inv = inventory("room_sid");
    inv.due_within_seconds = 900;
    inv.database = {live_row("later", std::nullopt, k_now + 7200)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"not_yet_due:later"}));
    EXPECT_EQ(r.summary.findings(), 0u);

    inv.due_within_seconds.reset();  // no [rooms] starts_column: no schedules
    EXPECT_EQ(kinds(audit(inv)), (std::vector<std::string>{"missing:later"}));
}

TEST(AuditSchedules, WithoutASidColumnTheCauseIsUnknown) {
    auto inv = inventory("");
    inv.due_within_seconds = 900;
    inv.database = {live_row("a", std::nullopt, k_now), live_row("b", std::nullopt, k_now + 901)};
    auto r = audit(inv);
    ASSERT_EQ(kinds(r), (std::vector<std::string>{"missing:a", "not_yet_due:b"}));
    EXPECT_EQ(r.findings[0].missing_cause, MissingCause::unknown);
    EXPECT_EQ(r.findings[1].missing_cause, MissingCause::unknown);
}

}  // namespace
}  // namespace roomctl::reconcile
