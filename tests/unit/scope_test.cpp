// Scoped runs (reconcile/scope.hpp): the scope narrows the findings and the plan, never the
// picture the audit, the safety gate and the --max-deletes cap judge.

#include "roomctl/reconcile/scope.hpp"

#include <gtest/gtest.h>

#include "roomctl/reconcile/planner.hpp"
#include "roomctl/reconcile/safety.hpp"
#include "support/fake_room_store.hpp"

namespace roomctl::reconcile {
namespace {

store::DbRoom row(std::string name, std::optional<std::string> sid, bool live,
                  std::string status = "") {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.sid = std::move(sid);
    r.status = status.empty() ? (live ? "active" : "ended") : status;
    r.live = live;
    r.liveness = live ? store::Liveness::live : store::Liveness::ended;
    return r;
}

media::ServerRoom server_room(std::string name, std::string sid, std::int64_t created = 1000) {
    media::ServerRoom r;
    r.name = std::move(name);
    r.sid = std::move(sid);
    r.creation_time = created;
    r.num_participants = 0;  // a LiveKit listing: counted, nobody in it
    return r;
}

// synced (in sync), gone (missing), drift (sid_drift), old (orphaned: ended row), stray
// (orphaned: no row), done (ended row, no room), and a name_mismatch: row "P46odHdPO0wJ"
// whose room is "session-P46odHdPO0wJ".
Inventory picture() {
    Inventory inv;
    inv.sid_column = "room_sid";
    inv.table = "rooms";
    inv.observed_at = 100000;
    inv.database = {
        row("synced", "RM_aaaaaaaaaaaa", true), row("gone", std::nullopt, true),
        row("drift", std::nullopt, true),       row("old", "RM_bbbbbbbbbbbb", false),
        row("done", "RM_cccccccccccc", false),  row("P46odHdPO0wJ", std::nullopt, true)};
    inv.server = {server_room("synced", "RM_aaaaaaaaaaaa"), server_room("drift", "RM_dddddddddddd"),
                  server_room("old", "RM_bbbbbbbbbbbb"), server_room("stray", "RM_eeeeeeeeeeee"),
                  server_room("session-P46odHdPO0wJ", "RM_ffffffffffff")};
    return inv;
}

std::vector<std::string> listed(const AuditResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(to_string(f.kind) + ":" + f.room);
    return out;
}

TEST(Scope, TheWholePictureHasTheFindingsTheseTestsScope) {
    const auto whole = audit(picture());
    EXPECT_EQ(listed(whole),
              (std::vector<std::string>{"missing:gone", "orphaned:old", "orphaned:stray",
                                        "sid_drift:drift", "name_mismatch:session-P46odHdPO0wJ"}));
}

TEST(Scope, NamesKeepOnlyTheirFindingsAndTheCountersFollow) {
    const auto whole = audit(picture());
    auto scoped = whole;
    Scope scope;
    scope.rooms = {"gone", "stray"};
    EXPECT_EQ(scope_findings(scoped, scope), 3u);
    EXPECT_EQ(listed(scoped), (std::vector<std::string>{"missing:gone", "orphaned:stray"}));
    EXPECT_EQ(scoped.summary.missing, 1u);
    EXPECT_EQ(scoped.summary.orphaned, 1u);
    EXPECT_EQ(scoped.summary.sid_drift, 0u);
    EXPECT_EQ(scoped.summary.name_mismatch, 0u);
    EXPECT_EQ(scoped.summary.findings(), 2u);
    // The size of the picture stays the whole one's: it is what the safety gate judges.
    EXPECT_EQ(scoped.summary.live_rooms, whole.summary.live_rooms);
    EXPECT_EQ(scoped.summary.server_rooms, whole.summary.server_rooms);
    EXPECT_EQ(scoped.summary.in_sync, whole.summary.in_sync);
}

TEST(Scope, ANameMismatchIsFoundByEitherName) {
    const auto whole = audit(picture());
    for (const std::string name : {"session-P46odHdPO0wJ", "P46odHdPO0wJ"}) {
        auto scoped = whole;
        Scope scope;
        scope.rooms = {name};
        scope_findings(scoped, scope);
        EXPECT_EQ(listed(scoped), (std::vector<std::string>{"name_mismatch:session-P46odHdPO0wJ"}))
            << name;
    }
}

TEST(Scope, KindsKeepOnlyTheirKindAndCombineWithNames) {
    const auto whole = audit(picture());
    auto scoped = whole;
    Scope scope;
    scope.kinds = {FindingKind::orphaned};
    scope_findings(scoped, scope);
    EXPECT_EQ(listed(scoped), (std::vector<std::string>{"orphaned:old", "orphaned:stray"}));

    scoped = whole;
    scope.rooms = {"stray", "gone"};
    scope_findings(scoped, scope);
    EXPECT_EQ(listed(scoped), (std::vector<std::string>{"orphaned:stray"}));
}

TEST(Scope, NoScopeChangesNothing) {
    auto scoped = audit(picture());
    EXPECT_EQ(scope_findings(scoped, {}), 0u);
    EXPECT_EQ(scoped.findings.size(), 5u);
}

TEST(Scope, FindingKindsParseAndAnUnknownOneIsAUsageError) {
    EXPECT_EQ(finding_kind("missing"), FindingKind::missing);
    EXPECT_EQ(finding_kind("not_yet_due"), FindingKind::not_yet_due);
    try {
        finding_kind("missin");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("missing, orphaned"), std::string::npos);
    }
}

TEST(Scope, NamesAreClassifiedOverTheWholePicture) {
    const auto inv = picture();
    const auto whole = audit(inv);
    Scope scope;
    scope.rooms = {"synced", "done", "gone", "nowhere", "gone"};
    const auto names = name_rooms(whole, inv, scope);
    ASSERT_EQ(names.size(), 4u);  // "gone" once
    EXPECT_EQ(names[0].state, NameState::in_sync);
    EXPECT_EQ(names[0].status, "active");
    EXPECT_EQ(names[1].state, NameState::ended);
    EXPECT_EQ(names[1].status, "ended");
    EXPECT_EQ(names[2].state, NameState::finding);
    EXPECT_EQ(names[2].kinds, std::vector<FindingKind>{FindingKind::missing});
    EXPECT_EQ(names[3].state, NameState::unknown);
}

TEST(Scope, AnUnknownNameIsOneLineNamingEveryUnknownName) {
    const auto inv = picture();
    Scope scope;
    scope.rooms = {"typo1", "synced", "typo2"};
    try {
        require_known(name_rooms(audit(inv), inv, scope));
        FAIL() << "no error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
        EXPECT_NE(m.find("no row and no server room named \"typo1\", \"typo2\""), std::string::npos)
            << m;
        EXPECT_EQ(m.find('\n'), std::string::npos);
    }
    scope.rooms = {"synced", "done"};
    EXPECT_NO_THROW(require_known(name_rooms(audit(inv), inv, scope)));
}

TEST(Scope, ScopedRecreatePlansOnlyTheNamedRoom) {
    auto scoped = audit(picture());
    Scope scope;
    scope.rooms = {"gone"};
    scope_findings(scoped, scope);
    const auto plan = plan_recreate(scoped, {});
    ASSERT_EQ(plan.actions.size(), 1u);  // not the drift's update_sid
    EXPECT_EQ(plan.actions[0].kind, ActionKind::create_room);
    EXPECT_EQ(plan.actions[0].room, "gone");
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
}

TEST(Scope, ScopedCleanupDeletesOnlyTheNamedOrphan) {
    auto scoped = audit(picture());
    Scope scope;
    scope.rooms = {"stray"};
    scope_findings(scoped, scope);
    CleanupPolicy policy;
    policy.now = 100000;
    const auto plan = plan_cleanup(scoped, policy);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_EQ(plan.actions[0].room, "stray");
    EXPECT_EQ(plan.actions[0].status, ActionStatus::planned);
}

TEST(Scope, TheMaxDeletesCapCountsTheWholePicture) {
    const auto whole = audit(picture());  // two orphan candidates
    auto scoped = whole;
    Scope scope;
    scope.rooms = {"stray"};
    scope_findings(scoped, scope);
    CleanupPolicy policy;
    policy.now = 100000;
    policy.max_deletes = 1;
    policy.picture_candidates = cleanup_candidates(whole, policy.keep);
    const auto plan = plan_cleanup(scoped, policy);
    ASSERT_EQ(plan.actions.size(), 1u);
    EXPECT_TRUE(plan.capped);
    EXPECT_EQ(plan.capped_deletes, 2u);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    // The safety gate is given the whole audit and refuses as a full run would.
    SafetyOptions options;
    options.command = SafetyOptions::Command::cleanup;
    options.max_deletes = 1;
    const auto refusals = assess(whole, {}, options);
    ASSERT_FALSE(refusals.empty());
    EXPECT_EQ(refusals.back().rule, RefusalRule::max_deletes);
}

TEST(Scope, SafetyStillSeesANameMismatchOutsideTheScope) {
    const auto whole = audit(picture());
    auto scoped = whole;
    Scope scope;
    scope.rooms = {"gone"};
    scope_findings(scoped, scope);
    EXPECT_EQ(scoped.summary.name_mismatch, 0u);
    const auto refusals = assess(whole, {}, {});
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0].rule, RefusalRule::name_mismatch);
}

TEST(Scope, NotesSayWhyANamedRoomIsNotActedOn) {
    const auto inv = picture();
    const auto whole = audit(inv);
    Scope scope;
    scope.rooms = {"synced", "stray", "gone", "done"};
    const auto names = name_rooms(whole, inv, scope);
    auto scoped = whole;
    scope_findings(scoped, scope);

    const auto recreate =
        scope_notes(names, scoped, plan_recreate(scoped, {}), ScopedCommand::recreate);
    ASSERT_EQ(recreate.size(), 3u);  // "gone" is planned: no note
    EXPECT_EQ(recreate[0].room, "synced");
    EXPECT_FALSE(recreate[0].declined);
    EXPECT_EQ(recreate[0].message, "room \"synced\" is in sync: nothing to do");
    EXPECT_EQ(recreate[1].room, "stray");
    EXPECT_TRUE(recreate[1].declined);
    EXPECT_NE(recreate[1].message.find("roomctl cleanup stray"), std::string::npos);
    EXPECT_EQ(recreate[2].room, "done");
    EXPECT_TRUE(recreate[2].declined);

    CleanupPolicy policy;
    policy.now = 100000;
    const auto cleanup =
        scope_notes(names, scoped, plan_cleanup(scoped, policy), ScopedCommand::cleanup);
    ASSERT_EQ(cleanup.size(), 3u);  // "stray" is planned: no note
    EXPECT_EQ(cleanup[0].room, "synced");
    EXPECT_TRUE(cleanup[0].declined);
    EXPECT_NE(cleanup[0].message.find("a live row owns it"), std::string::npos);
    EXPECT_EQ(cleanup[1].room, "gone");
    EXPECT_TRUE(cleanup[1].declined);
    EXPECT_NE(cleanup[1].message.find("roomctl recreate gone"), std::string::npos);
    EXPECT_EQ(cleanup[2].room, "done");
    EXPECT_FALSE(cleanup[2].declined);
}

TEST(Scope, AuditNotesNameRoomsKindLeavesOut) {
    const auto inv = picture();
    const auto whole = audit(inv);
    Scope scope;
    scope.rooms = {"gone", "stray"};
    scope.kinds = {FindingKind::orphaned};
    const auto names = name_rooms(whole, inv, scope);
    auto scoped = whole;
    scope_findings(scoped, scope);
    const auto notes = scope_notes(names, scoped, {}, ScopedCommand::audit);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].message, "room \"gone\" is missing, which --kind leaves out");
}

TEST(Scope, ASessionsRoomsComeFromItsRows) {
    support::FakeRoomStore store;
    store.rows["a"].session = "s1";
    store.rows["b"].session = "s1";
    store.rows["b"].live = false;
    store.rows["c"].session = "s2";
    config::RoomMapping mapping;
    mapping.table = "rooms";
    EXPECT_EQ(session_rooms(store, mapping, "s1"), (std::vector<std::string>{"a", "b"}));
    try {
        session_rooms(store, mapping, "s9");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
        EXPECT_EQ(std::string(e.what()), "no row in rooms has session_id = \"s9\": nothing done");
    }
}

}  // namespace
}  // namespace roomctl::reconcile
