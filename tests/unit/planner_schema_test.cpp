// plan_recreate / plan_cleanup under part 10's mappings: no SID column, duplicate names,
// sessions not yet due, and scheduled sessions' own empty timeouts (with Twilio's cap).

#include <gtest/gtest.h>

#include "roomctl/reconcile/planner.hpp"

namespace roomctl::reconcile {
namespace {

constexpr std::int64_t k_now = 1'767'225'600;

Finding finding(FindingKind kind, std::string name) {
    Finding f;
    f.kind = kind;
    f.room = std::move(name);
    return f;
}

Finding on_server(FindingKind kind, std::string name, std::int64_t created = 0) {
    auto f = finding(kind, name);
    media::ServerRoom r;
    r.name = name;
    r.sid = "RM_" + name;
    r.creation_time = created;
    f.server_room = r;
    f.server_sid = r.sid;
    f.server_created_at = created;
    return f;
}

Finding starting(std::string name, std::int64_t in_seconds) {
    auto f = finding(FindingKind::missing, std::move(name));
    f.starts_at = k_now + in_seconds;
    return f;
}

AuditResult with(std::vector<Finding> findings) {
    AuditResult r;
    r.findings = std::move(findings);
    return r;
}

RecreatePolicy scheduled(const std::string& provider, std::uint32_t margin) {
    RecreatePolicy p;
    p.schedules = true;
    p.now = k_now;
    p.empty_timeout = margin;
    // The servers' limits (media::MediaServer::max_empty_timeout, empty_timeout_step):
    // Twilio keeps an unused room at most 60 whole minutes; LiveKit has no cap.
    p.provider = provider;
    if (provider == "twilio") {
        p.max_empty_timeout = 3600;
        p.empty_timeout_step = 60;
    }
    return p;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// --- no SID column ----------------------------------------------------------------------------

TEST(PlanRecreateNoSid, DriftPlansNoSidWrite) {
    auto f = on_server(FindingKind::sid_drift, "r");
    RecreatePolicy p;
    p.records_sids = false;
    EXPECT_TRUE(plan_recreate(with({f}), p).actions.empty());
    p.records_sids = true;
    ASSERT_EQ(plan_recreate(with({f}), p).actions.size(), 1u);
    EXPECT_EQ(plan_recreate(with({f}), p).actions[0].kind, ActionKind::update_sid);
}

TEST(PlanRecreateNoSid, MissingRoomsAreStillCreatedAndForeignRowsNeverUpdated) {
    auto foreign = on_server(FindingKind::foreign_sid, "f");
    foreign.sid_provider = "twilio";
    RecreatePolicy p;
    p.records_sids = false;
    auto plan = plan_recreate(with({finding(FindingKind::missing, "m"), foreign}), p);
    ASSERT_EQ(plan.actions.size(), 2u);
    EXPECT_EQ(plan.actions[0].kind, ActionKind::create_room);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    for (const auto& a : plan.actions) EXPECT_NE(a.kind, ActionKind::update_sid) << a.room;
    EXPECT_EQ(plan.actions[1].status, ActionStatus::skipped);
}

// --- duplicate_name and not_yet_due are never acted on ----------------------------------------

TEST(PlanRecreate, DuplicateNamesAndSessionsNotYetDuePlanNothing) {
    auto dup = on_server(FindingKind::duplicate_name, "Room 1");
    auto later = starting("later", 7200);
    later.kind = FindingKind::not_yet_due;
    // Whatever else is said about a duplicated room, nothing is created or recorded for it.
    auto also_missing = finding(FindingKind::missing, "Room 2");
    auto dup2 = finding(FindingKind::duplicate_name, "Room 2");
    auto also_drift = on_server(FindingKind::sid_drift, "Room 1");
    auto plan = plan_recreate(
        with({dup, later, also_missing, dup2, also_drift, finding(FindingKind::missing, "ok")}),
        {});
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].room, "ok");
    EXPECT_EQ(plan.actions[0].kind, ActionKind::create_room);
}

TEST(PlanCleanup, OnlyOrphansAreDeleteCandidatesNeverDuplicatedOrNotYetDueRooms) {
    const std::int64_t old = k_now - 86'400;
    auto dup = on_server(FindingKind::duplicate_name, "Room 1", old);
    auto later = on_server(FindingKind::not_yet_due, "later", old);
    auto orphan_of_dup = on_server(FindingKind::orphaned, "Room 1", old);
    auto orphan = on_server(FindingKind::orphaned, "gone", old);
    auto audit = with({dup, later, orphan_of_dup, orphan});
    CleanupPolicy p;
    p.now = k_now;
    auto plan = plan_cleanup(audit, p);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].room, "gone");
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    EXPECT_EQ(cleanup_candidates(audit, {}), 1u);
    p.max_deletes = 0;  // the cap counts the one true candidate, not the duplicated room
    EXPECT_EQ(plan_cleanup(audit, p).capped_deletes, 1u);
}

// --- schedules --------------------------------------------------------------------------------

TEST(PlanRecreateSchedule, ASessionStartingSoonGetsTheWaitPlusTheMargin) {
    auto plan = plan_recreate(with({starting("soon", 12 * 60)}), scheduled("livekit", 900));
    ASSERT_EQ(plan.actions.size(), 1u);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::planned);
    EXPECT_EQ(a.empty_timeout, 12u * 60 + 900);
    EXPECT_TRUE(has(a.reason, "starts in 12m")) << a.reason;
    EXPECT_TRUE(has(a.reason, "empty timeout 27m")) << a.reason;
}

TEST(PlanRecreateSchedule, AStartedSessionGetsTheMarginAlone) {
    auto plan = plan_recreate(with({starting("now", -300)}), scheduled("livekit", 900));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].empty_timeout, 900u);
    EXPECT_TRUE(has(plan.actions[0].reason, "started 5m ago")) << plan.actions[0].reason;
}

TEST(PlanRecreateSchedule, WithoutSchedulesOrAStartTimeTheRunsTimeoutApplies) {
    auto unscheduled = scheduled("livekit", 900);
    unscheduled.schedules = false;
    auto plan = plan_recreate(with({starting("a", 600)}), unscheduled);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_FALSE(plan.actions[0].empty_timeout.has_value());
    plan = plan_recreate(with({finding(FindingKind::missing, "b")}), scheduled("livekit", 900));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_FALSE(plan.actions[0].empty_timeout.has_value());
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
}

TEST(PlanRecreateSchedule, LiveKitHasNoCap) {
    auto plan = plan_recreate(with({starting("later", 7200)}), scheduled("livekit", 900));
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    EXPECT_EQ(plan.actions[0].empty_timeout, 8100u);
}

TEST(PlanRecreateSchedule, TwilioSkipsARoomItCannotKeepUntilTheStart) {
    auto plan = plan_recreate(with({starting("later", 7200)}), scheduled("twilio", 900));
    ASSERT_EQ(plan.actions.size(), 1u);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::skipped);
    EXPECT_FALSE(a.empty_timeout.has_value());
    EXPECT_EQ(a.reason,
              "starts in 2h; Twilio keeps an unused room at most 60 minutes: run recreate "
              "--starting-within 45m from cron");
}

TEST(PlanRecreateSchedule, TwilioTimeoutsAreWholeMinutesUpToTheCap) {
    // 44m30s + 15m = 59m30s -> 60 whole minutes: fits. 45m01s + 15m -> 61 minutes: does not.
    auto plan = plan_recreate(with({starting("fits", 44 * 60 + 30), starting("over", 45 * 60 + 1)}),
                              scheduled("twilio", 900));
    ASSERT_EQ(plan.actions.size(), 2u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    EXPECT_EQ(plan.actions[0].empty_timeout, 3600u);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::skipped);
}

TEST(PlanRecreateSchedule, ATwilioMarginOfTheWholeCapLeavesOnlyStartedSessions) {
    auto plan = plan_recreate(with({starting("started", -60), starting("soon", 600)}),
                              scheduled("twilio", 3600));
    ASSERT_EQ(plan.actions.size(), 2u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
    EXPECT_EQ(plan.actions[0].empty_timeout, 3600u);
    EXPECT_EQ(plan.actions[1].status, ActionStatus::skipped);
    EXPECT_TRUE(has(plan.actions[1].reason, "lower --empty-timeout")) << plan.actions[1].reason;
}

TEST(PlanRecreate, TheReasonSaysWhetherTheRoomWasNeverCreatedOrExpired) {
    auto never = finding(FindingKind::missing, "n");
    never.missing_cause = MissingCause::never_created;
    auto expired = finding(FindingKind::missing, "e");
    expired.missing_cause = MissingCause::expired;
    expired.database_sid = "RM_old";
    auto plan = plan_recreate(with({never, expired}), {});
    ASSERT_EQ(plan.actions.size(), 2u);
    EXPECT_TRUE(has(plan.actions[0].reason, "never created")) << plan.actions[0].reason;
    EXPECT_TRUE(has(plan.actions[1].reason, "expired")) << plan.actions[1].reason;
    EXPECT_TRUE(has(plan.actions[1].reason, "RM_old")) << plan.actions[1].reason;
}

}  // namespace
}  // namespace roomctl::reconcile
