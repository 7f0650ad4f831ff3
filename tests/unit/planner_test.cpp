// plan_recreate / plan_cleanup: findings and policy in, plan out.

#include "roomctl/reconcile/planner.hpp"

#include <gtest/gtest.h>

namespace roomctl::reconcile {
namespace {

Finding finding(FindingKind kind, std::string name) {
    Finding f;
    f.kind = kind;
    f.room = std::move(name);
    return f;
}

AuditResult with(std::vector<Finding> findings) {
    AuditResult r;
    r.findings = std::move(findings);
    return r;
}

TEST(PlanRecreate, MissingRoomsAreCreatedConditionalOnTheSidRead) {
    auto f = finding(FindingKind::missing, "session-1");
    f.database_sid = "RM_expired";
    auto plan = plan_recreate(with({f}), {});
    ASSERT_EQ(plan.actions.size(), 1u);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.kind, ActionKind::create_room);
    EXPECT_EQ(a.status, ActionStatus::planned);
    EXPECT_EQ(a.expected_sid, "RM_expired");
}

TEST(PlanRecreate, DriftRecordsTheServerSid) {
    auto f = finding(FindingKind::sid_drift, "r");
    f.database_sid = std::nullopt;
    f.server_sid = "RM_live";
    auto plan = plan_recreate(with({f}), {});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::update_sid);
    EXPECT_EQ(plan.actions[0].new_sid, "RM_live");
    EXPECT_FALSE(plan.actions[0].expected_sid.has_value());
}

TEST(PlanRecreate, OrphansAreNotRecreatesBusiness) {
    auto plan = plan_recreate(with({finding(FindingKind::orphaned, "o")}), {});
    EXPECT_TRUE(plan.actions.empty());
}

TEST(PlanRecreate, NamesTheServerWouldRefuseAreSkippedWithTheReason) {
    auto plan = plan_recreate(with({finding(FindingKind::missing, std::string(300, 'x')),
                                    finding(FindingKind::missing, "")}),
                              {});
    ASSERT_EQ(plan.actions.size(), 2u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("300 bytes"), std::string::npos);
    EXPECT_NE(plan.actions[0].reason.find("256"), std::string::npos);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[1].reason.find("empty"), std::string::npos);
}

TEST(PlanRecreate, ExactlyTheLimitIsAccepted) {
    auto plan = plan_recreate(with({finding(FindingKind::missing, std::string(256, 'x'))}), {});
    EXPECT_EQ(plan.actions.at(0).status, ActionStatus::planned);
}

Finding orphan(std::string name, std::int64_t created, std::uint32_t participants = 0) {
    auto f = finding(FindingKind::orphaned, std::move(name));
    f.server_created_at = created;
    f.num_participants = participants;
    f.server_sid = "RM_" + f.room;
    return f;
}

TEST(PlanCleanup, OldEmptyOrphansAreDeleted) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::minutes{10};
    auto plan = plan_cleanup(with({orphan("old", 10'000 - 601)}), p);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::delete_room);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    EXPECT_EQ(plan.actions[0].server_sid, "RM_old");
}

TEST(PlanCleanup, YoungRoomsAreNeverDeleted) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::minutes{10};
    auto plan =
        plan_cleanup(with({orphan("young", 10'000 - 599), orphan("edge", 10'000 - 600)}), p);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("younger than --min-age 10m"), std::string::npos);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::planned);  // exactly min_age old
}

TEST(PlanCleanup, OccupiedRoomsNeedIncludeOccupied) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    auto plan = plan_cleanup(with({orphan("busy", 0, 3)}), p);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("3 participant"), std::string::npos);
    p.include_occupied = true;
    EXPECT_EQ(plan_cleanup(with({orphan("busy", 0, 3)}), p).actions[0].status,
              ActionStatus::planned);
}

TEST(PlanCleanup, OnlyOrphansArePlanned) {
    CleanupPolicy p;
    p.now = 10'000;
    auto plan = plan_cleanup(
        with({finding(FindingKind::missing, "m"), finding(FindingKind::sid_drift, "d")}), p);
    EXPECT_TRUE(plan.actions.empty());
}

TEST(PlanCleanup, ClockBehindTheServerCountsAsYoung) {
    CleanupPolicy p;
    p.now = 1'000;
    p.min_age = std::chrono::minutes{10};
    auto plan = plan_cleanup(with({orphan("future", 2'000)}), p);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
}

TEST(PlanCleanup, KeepPatternsProtectRoomsThisDatabaseDoesNotOwn) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    p.keep = {"recording-*", "lobby"};
    auto plan =
        plan_cleanup(with({orphan("recording-42", 0), orphan("lobby", 0), orphan("stray", 0)}), p);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("--keep 'recording-*'"), std::string::npos);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::skipped);
    EXPECT_EQ(plan.actions[2].status, ActionStatus::planned);
}

TEST(PlanCleanup, MoreCandidatesThanTheCapPlanNone) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    p.max_deletes = 2;
    std::vector<Finding> three = {orphan("a", 0), orphan("b", 0), orphan("c", 0)};
    auto plan = plan_cleanup(with(three), p);
    EXPECT_TRUE(plan.capped);
    EXPECT_EQ(plan.capped_deletes, 3u);
    EXPECT_EQ(plan.count(ActionStatus::planned), 0u);
    EXPECT_NE(plan.actions[0].reason.find("3 orphaned rooms (young and occupied ones included), "
                                          "more than --max-deletes 2"),
              std::string::npos);
    p.max_deletes = 3;  // exactly the cap is allowed
    auto ok = plan_cleanup(with(three), p);
    EXPECT_FALSE(ok.capped);
    EXPECT_EQ(ok.count(ActionStatus::planned), 3u);
}

// Issue 11: a wrong mapping on a busy server makes most rooms young or occupied; a cap that
// counted only deletable rooms let it through. (Before, young and occupied rooms did not count.)
TEST(PlanCleanup, YoungAndOccupiedOrphansCountTowardsTheCap) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::minutes{10};
    p.max_deletes = 1;
    auto findings = with({orphan("old", 0), orphan("young", 9'900), orphan("busy", 0, 2)});
    auto plan = plan_cleanup(findings, p);
    EXPECT_TRUE(plan.capped);
    EXPECT_EQ(plan.capped_deletes, 3u);
    EXPECT_EQ(plan.count(ActionStatus::planned), 0u);
    EXPECT_EQ(cleanup_candidates(findings, {}), 3u);
}

TEST(PlanCleanup, KeptRoomsMismatchesAndUnclassifiedRoomsAreNoCandidates) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    p.max_deletes = 1;
    p.keep = {"rec-*"};
    auto mismatch = orphan("session-a", 0);
    mismatch.kind = FindingKind::name_mismatch;
    mismatch.expected_room = "a";
    auto unknown = orphan("u", 0);
    unknown.kind = FindingKind::unclassified;
    unknown.database_status = "PAUSED";
    unknown.server_room = media::ServerRoom{};
    auto findings =
        with({orphan("rec-1", 0), orphan("rec-2", 0), orphan("stray", 0), mismatch, unknown});
    EXPECT_EQ(cleanup_candidates(findings, p.keep), 1u);
    auto plan = plan_cleanup(findings, p);
    EXPECT_FALSE(plan.capped);
    EXPECT_EQ(plan.count(ActionStatus::planned), 1u);
}

TEST(PlanCleanup, AnUnclassifiedRowsRoomIsNeverDeleted) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    auto f = orphan("u", 0);
    f.kind = FindingKind::unclassified;
    f.database_name = "u";
    f.database_status = "PAUSED";
    f.server_room = media::ServerRoom{};
    auto plan = plan_cleanup(with({f}), p);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::delete_room);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("\"PAUSED\" is in neither [rooms] live_statuses nor "
                                          "ended_statuses"),
              std::string::npos);
    // Not on the server: nothing for cleanup to say.
    f.server_room.reset();
    EXPECT_TRUE(plan_cleanup(with({f}), p).actions.empty());
}

TEST(PlanCleanup, ANameMismatchRoomIsNeverDeleted) {
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    auto f = orphan("session-x", 0);
    f.kind = FindingKind::name_mismatch;
    f.expected_room = "x";
    f.suggested_template = "session-{name}";
    auto plan = plan_cleanup(with({f}), p);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("session-{name}"), std::string::npos);
}

TEST(PlanRecreate, AnUnclassifiedRowIsNeverRecreated) {
    auto f = finding(FindingKind::unclassified, "u");
    f.database_status = std::nullopt;
    auto plan = plan_recreate(with({f}), {});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::create_room);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("status NULL is in neither"), std::string::npos);
    f.server_room = media::ServerRoom{};  // on the server: nothing to recreate, nothing to say
    EXPECT_TRUE(plan_recreate(with({f}), {}).actions.empty());
}

TEST(PlanRecreate, ANameMismatchIsSkippedUnderTheRowsRoomName) {
    auto f = finding(FindingKind::name_mismatch, "session-x");
    f.expected_room = "x";
    f.sid_evidence = true;
    auto plan = plan_recreate(with({f}), {});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].room, "x");
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
}

TEST(PlanRecreate, Seed000PlansNothingButSkips) {
    // Issue 11: rows "P46odHdPO0wJ", "ab", "x", server rooms "session-<name>".
    Inventory inv;
    for (std::string name : {"P46odHdPO0wJ", "ab", "x"}) {
        store::DbRoom r;
        r.name = r.room = name;
        r.status = "active";
        r.live = true;
        r.liveness = store::Liveness::live;
        inv.database.push_back(r);
        media::ServerRoom s;
        s.name = "session-" + name;
        s.sid = "RM_" + name;
        inv.server.push_back(s);
    }
    auto result = audit(inv);
    auto plan = plan_recreate(result, {});
    EXPECT_EQ(plan.count(ActionStatus::planned), 0u);
    EXPECT_EQ(plan.count(ActionStatus::skipped), 3u);
    CleanupPolicy p;
    p.now = 10'000;
    p.min_age = std::chrono::seconds{0};
    auto cleanup = plan_cleanup(result, p);
    EXPECT_EQ(cleanup.count(ActionStatus::planned), 0u);
    EXPECT_EQ(cleanup_candidates(result, {}), 0u);
}

}  // namespace
}  // namespace roomctl::reconcile
