// Foreign SIDs ("a provider switch carries its own mapping"): audit reports rows
// that record another provider's SID, the planners leave them alone, and --apply refuses
// when most live rows look foreign.

#include <gtest/gtest.h>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/planner.hpp"
#include "roomctl/reconcile/safety.hpp"
#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/metrics.hpp"
#include "roomctl/report/plan_view.hpp"

namespace roomctl::reconcile {
namespace {

using Command = SafetyOptions::Command;

store::DbRoom row(std::string name, std::optional<std::string> sid, std::string status, bool live) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.sid = std::move(sid);
    r.status = std::move(status);
    r.live = live;
    r.liveness = live ? store::Liveness::live : store::Liveness::ended;
    return r;
}

media::ServerRoom room(std::string name, std::string sid, std::uint32_t participants = 0) {
    media::ServerRoom r;
    r.name = std::move(name);
    r.sid = std::move(sid);
    r.num_participants = participants;
    r.creation_time = 1000;
    return r;
}

std::vector<std::string> kinds(const AuditResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(to_string(f.kind) + ":" + f.room);
    return out;
}

const std::string k_livekit_sid = "RM_abcDEF123456";                    // RM_ + 12 base62
const std::string k_twilio_sid = "RM0123456789abcdef0123456789abcdef";  // RM + 32 hex

TEST(SidProvider, TellsTheProvidersFormatsApartAndNothingElse) {
    EXPECT_EQ(sid_provider(k_livekit_sid), "livekit");
    EXPECT_EQ(sid_provider("RM_000000000000"), "livekit");
    EXPECT_EQ(sid_provider(k_twilio_sid), "twilio");
    EXPECT_EQ(sid_provider("RM0123456789ABCDEF0123456789ABCDEF"), "twilio");  // spec's regex
    for (const std::string other :
         {"", "RM", "RM_", "RM_abcDEF12345", "RM_abcDEF1234567", "RM_abc_EF123456",
          "RM_abcDEF12345\xc3\xa9", "RM0123456789abcdef0123456789abcde",
          "RM0123456789abcdef0123456789abcdef0", "RM0123456789abcdef0123456789abcdeg",
          "rm0123456789abcdef0123456789abcdef", "RM_stale", "RMx", "pending",
          "XX0123456789abcdef0123456789abcdef"}) {
        EXPECT_EQ(sid_provider(other), std::nullopt) << other;
    }
}

Inventory run_on(std::string provider) {
    Inventory inv;
    inv.provider = std::move(provider);
    inv.table = "livekit_rooms";
    inv.sid_column = "room_sid";
    return inv;
}

TEST(Audit, ALiveRowWithAnotherProvidersSidIsForeignNotMissing) {
    auto inv = run_on("twilio");
    inv.database = {row("gone", k_livekit_sid, "active", true)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), std::vector<std::string>{"foreign_sid:gone"});
    const auto& f = r.findings[0];
    EXPECT_EQ(f.database_sid, k_livekit_sid);
    EXPECT_EQ(f.database_name, "gone");
    EXPECT_EQ(f.sid_provider, "livekit");
    EXPECT_FALSE(f.server_room);
    EXPECT_EQ(r.summary.foreign_sid, 1u);
    EXPECT_EQ(r.summary.missing, 0u);
    EXPECT_EQ(r.summary.findings(), 1u);
    EXPECT_EQ(r.summary.foreign_provider, "livekit");
    EXPECT_EQ(r.summary.provider, "twilio");
    EXPECT_EQ(r.summary.table, "livekit_rooms");
    EXPECT_EQ(r.summary.sid_column, "room_sid");
}

TEST(Audit, AForeignSidIsNeverDriftAndItsRoomNeverOrphaned) {
    auto inv = run_on("livekit");
    inv.database = {row("here", k_twilio_sid, "active", true)};
    inv.server = {room("here", k_livekit_sid, 2)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), std::vector<std::string>{"foreign_sid:here"});
    const auto& f = r.findings[0];
    EXPECT_EQ(f.sid_provider, "twilio");
    EXPECT_EQ(f.server_sid, k_livekit_sid);
    ASSERT_TRUE(f.server_room);
    EXPECT_EQ(f.num_participants, 2u);
    EXPECT_EQ(r.summary.sid_drift, 0u);
    EXPECT_EQ(r.summary.orphaned, 0u);
    EXPECT_EQ(r.summary.in_sync, 0u);
}

TEST(Audit, OwnUnrecognisedAndNullSidsKeepTheirRules) {
    auto inv = run_on("twilio");
    inv.database = {row("own", "RMffffffffffffffffffffffffffffffff", "active", true),
                    row("junk", "RM_stale", "active", true),  // no provider's SID
                    row("null", std::nullopt, "active", true), row("empty", "", "pending", true),
                    row("drift", "not-a-sid", "active", true)};
    inv.server = {room("drift", k_twilio_sid)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"missing:empty", "missing:junk", "missing:null",
                                                  "missing:own", "sid_drift:drift"}));
    EXPECT_EQ(r.summary.foreign_sid, 0u);
    EXPECT_EQ(r.summary.live_with_sid, 3u);  // own, junk, drift: NULL and empty record none
    EXPECT_EQ(r.summary.foreign_provider, "");
}

TEST(Audit, WithoutAProviderNoSidIsForeign) {
    Inventory inv;  // provider unknown
    inv.database = {row("a", k_twilio_sid, "active", true),
                    row("b", k_livekit_sid, "active", true)};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r), (std::vector<std::string>{"missing:a", "missing:b"}));
}

TEST(Audit, EndedRowsWithForeignSidsAreCountedNotReported) {
    // A table that outlived a migration: history keeps the old provider's SIDs.
    auto inv = run_on("twilio");
    inv.database = {row("old1", k_livekit_sid, "ended", false),
                    row("old2", "RM_zyxWVU987654", "ended", false),
                    row("new", k_twilio_sid, "active", true)};
    inv.server = {room("new", k_twilio_sid)};
    auto r = audit(inv);
    EXPECT_TRUE(r.findings.empty()) << ::testing::PrintToString(kinds(r));
    EXPECT_EQ(r.summary.in_sync, 1u);
    EXPECT_EQ(r.summary.ended_foreign_sids, 2u);
    EXPECT_EQ(r.summary.foreign_sid, 0u);
    EXPECT_EQ(r.summary.live_with_sid, 1u);
}

TEST(Audit, ForeignRowsAndOwnRowsAreJudgedEachOnItsOwn) {
    auto inv = run_on("twilio");
    inv.database = {row("f1", k_livekit_sid, "active", true),
                    row("ok", k_twilio_sid, "active", true),
                    row("gone", std::nullopt, "pending", true)};
    inv.server = {room("ok", k_twilio_sid), room("stray", "RMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")};
    auto r = audit(inv);
    EXPECT_EQ(kinds(r),
              (std::vector<std::string>{"missing:gone", "orphaned:stray", "foreign_sid:f1"}));
    EXPECT_EQ(r.summary.in_sync, 1u);
    EXPECT_EQ(r.summary.live_with_sid, 2u);
}

// --- planners ---

// A Twilio run over a LiveKit table: `foreign` rows with LiveKit SIDs, `own` rows with Twilio
// SIDs in sync, `fresh` live rows without a SID (missing).
Inventory twilio_over_livekit(int foreign, int own, int fresh = 0) {
    auto inv = run_on("twilio");
    for (int i = 0; i < foreign; ++i) {
        auto n = "lk" + std::to_string(i);
        inv.database.push_back(row(n, "RM_abcDEF12345" + std::to_string(i % 10), "active", true));
        if (i == 0) inv.server.push_back(room(n, k_twilio_sid));  // one has a namesake room
    }
    for (int i = 0; i < own; ++i) {
        auto n = "tw" + std::to_string(i);
        auto sid = "RM0123456789abcdef0123456789abcd" + std::to_string(10 + i);
        inv.database.push_back(row(n, sid, "active", true));
        inv.server.push_back(room(n, sid));
    }
    for (int i = 0; i < fresh; ++i) {
        inv.database.push_back(row("new" + std::to_string(i), std::nullopt, "pending", true));
    }
    return inv;
}

TEST(PlanRecreate, ForeignRowsAreSkippedNeverCreatedNorOverwritten) {
    auto a = audit(twilio_over_livekit(2, 0, 1));
    auto plan = plan_recreate(a, {});
    ASSERT_EQ(plan.actions.size(), 3u);
    std::size_t skipped = 0;
    for (const auto& act : plan.actions) {
        if (act.room == "new0") {
            EXPECT_EQ(act.kind, ActionKind::create_room);
            EXPECT_EQ(act.status, ActionStatus::planned);
            continue;
        }
        ++skipped;
        EXPECT_EQ(act.status, ActionStatus::skipped) << act.room;
        EXPECT_FALSE(act.new_sid) << act.room;
        // With a namesake room on the server it would have been drift: update_sid, skipped.
        EXPECT_EQ(act.kind, act.room == "lk0" ? ActionKind::update_sid : ActionKind::create_room);
        for (const char* word : {"LiveKit SID (RM_...)", "talks to Twilio",
                                 "never recreated or overwritten", "[rooms] mapping"}) {
            EXPECT_NE(act.reason.find(word), std::string::npos) << word << ": " << act.reason;
        }
    }
    EXPECT_EQ(skipped, 2u);
}

TEST(PlanCleanup, ForeignRowsAndTheirRoomsAreNoCleanupCandidates) {
    auto a = audit(twilio_over_livekit(3, 0));
    CleanupPolicy p;
    p.now = 1'000'000;
    EXPECT_TRUE(plan_cleanup(a, p).actions.empty());
    EXPECT_EQ(cleanup_candidates(a, {}), 0u);
}

// --- the safety gate ---

bool refused_for_foreign(const AuditResult& a, Command c) {
    SafetyOptions o;
    o.command = c;
    for (const auto& r : assess(a, {}, o)) {
        if (r.rule == RefusalRule::foreign_sids) return true;
    }
    return false;
}

TEST(Safety, MostLiveSidsForeignRefusesNamingTheMappingAndTheProvider) {
    auto a = audit(twilio_over_livekit(3, 1, 2));
    for (auto c : {Command::recreate, Command::cleanup}) {
        SafetyOptions o;
        o.command = c;
        o.allow_name_mismatch = true;
        o.allow_empty_database = true;  // no override flag lifts this rule
        o.max_deletes_explicit = true;
        auto refusals = assess(a, {}, o);
        ASSERT_EQ(refusals.size(), 1u);
        EXPECT_EQ(refusals[0].rule, RefusalRule::foreign_sids);
        EXPECT_EQ(to_string(refusals[0].rule), "foreign_sids");
        const auto& why = refusals[0].reason;
        for (const char* word :
             {"table livekit_rooms records LiveKit SIDs (RM_...)", "column room_sid",
              "3 of 4 live rows", "this run talks to Twilio",
              "a profile that switches provider needs its own [rooms] mapping"}) {
            EXPECT_NE(why.find(word), std::string::npos) << word << ": " << why;
        }
        EXPECT_EQ(why.find('\n'), std::string::npos);
    }
}

TEST(Safety, ALiveKitRunOverATwilioTableIsRefusedToo) {
    auto inv = run_on("livekit");
    inv.table = "twilio_rooms";
    for (int i = 0; i < 4; ++i) {
        inv.database.push_back(row("t" + std::to_string(i),
                                   "RM0123456789abcdef0123456789abcde" + std::to_string(i),
                                   "active", true));
    }
    auto a = audit(inv);
    auto refusals = assess(a, {}, {});
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_NE(refusals[0].reason.find("table twilio_rooms records Twilio SIDs (RM + 32 hex "
                                      "digits)"),
              std::string::npos)
        << refusals[0].reason;
    EXPECT_NE(refusals[0].reason.find("talks to LiveKit"), std::string::npos);
}

TEST(Safety, AFewOrAMinorityOfForeignSidsIsReportedNotRefused) {
    // Fewer than k_min_foreign_sids, even when they are all there is.
    EXPECT_FALSE(refused_for_foreign(audit(twilio_over_livekit(2, 0)), Command::recreate));
    // Exactly half is no majority; one more is.
    EXPECT_FALSE(refused_for_foreign(audit(twilio_over_livekit(3, 3)), Command::recreate));
    EXPECT_TRUE(refused_for_foreign(audit(twilio_over_livekit(4, 3)), Command::recreate));
    // Rows without a SID are no base: 3 foreign of 3 that record one refuses.
    EXPECT_TRUE(refused_for_foreign(audit(twilio_over_livekit(3, 0, 10)), Command::cleanup));
}

TEST(Safety, EndedRowsOfTheOldProviderDoNotRefuse) {
    auto inv = twilio_over_livekit(0, 1);
    for (int i = 0; i < 20; ++i) {
        inv.database.push_back(row("old" + std::to_string(i), k_livekit_sid, "ended", false));
    }
    auto a = audit(inv);
    EXPECT_EQ(a.summary.ended_foreign_sids, 20u);
    EXPECT_TRUE(assess(a, {}, {}).empty());
}

// --- rendering ---

TEST(Report, ForeignSidFindingsAreRenderedInTextAndJson) {
    auto a = audit(twilio_over_livekit(1, 1));
    auto doc = report::audit_json(a);
    EXPECT_EQ(doc["summary"]["foreign_sid"], 1);
    EXPECT_EQ(doc["summary"]["live_with_sid"], 2);
    EXPECT_EQ(doc["in_sync"], false);
    bool seen = false;
    for (const auto& f : doc["findings"]) {
        if (f["kind"] != "foreign_sid") continue;
        seen = true;
        EXPECT_EQ(f["room"], "lk0");
        EXPECT_EQ(f["database_sid"], "RM_abcDEF123450");
        EXPECT_EQ(f["sid_provider"], "livekit");
    }
    EXPECT_TRUE(seen) << doc.dump();
    auto text = report::render_audit(a, {});
    EXPECT_NE(text.find("foreign_sid"), std::string::npos) << text;
    EXPECT_NE(text.find("row records LiveKit SID RM_abcDEF123450 but this run talks to Twilio"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("1 foreign SID"), std::string::npos) << text;
    EXPECT_NE(text.find("needs its own [rooms] mapping"), std::string::npos) << text;
    auto plan = plan_recreate(a, {});
    EXPECT_EQ(report::plan_json("recreate", plan, false, a.summary)["summary"]["foreign_sid"], 1);
    report::RunMetrics m;
    m.provider = "twilio";
    m.command = "audit";
    m.audit = a.summary;
    EXPECT_NE(report::render_prometheus(m).find("kind=\"foreign_sid\"} 1\n"), std::string::npos)
        << report::render_prometheus(m);
}

}  // namespace
}  // namespace roomctl::reconcile
