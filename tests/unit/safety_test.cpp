// assess(): the safety gate of --apply, and how refusals are rendered.

#include "roomctl/reconcile/safety.hpp"

#include <gtest/gtest.h>

#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/plan_view.hpp"

namespace roomctl::reconcile {
namespace {

using Command = SafetyOptions::Command;

store::DbRoom row(std::string name, std::optional<std::string> status, store::Liveness liveness,
                  std::optional<std::string> sid = std::nullopt) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.status = std::move(status);
    r.sid = std::move(sid);
    r.liveness = liveness;
    r.live = liveness == store::Liveness::live;
    return r;
}
store::DbRoom live(std::string name) {
    return row(name, "active", store::Liveness::live, "RM_" + name);
}
store::DbRoom ended(std::string name) { return row(name, "ended", store::Liveness::ended); }

media::ServerRoom room(std::string name, std::int64_t created = 0, std::uint32_t people = 0) {
    media::ServerRoom r;
    r.sid = "RM_" + name;
    r.name = std::move(name);
    r.creation_time = created;
    r.num_participants = people;
    return r;
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

bool mentions(const Refusal& r, const std::string& text) {
    return r.reason.find(text) != std::string::npos;
}

// One live room in sync and `unnamed` server rooms that no row names.
Inventory server_with_strays(std::size_t unnamed, std::size_t live_rooms = 1) {
    Inventory inv;
    for (std::size_t i = 0; i < live_rooms; ++i) {
        inv.database.push_back(live("live" + std::to_string(i)));
        inv.server.push_back(room("live" + std::to_string(i)));
    }
    for (std::size_t i = 0; i < unnamed; ++i)
        inv.server.push_back(room("stray" + std::to_string(i)));
    return inv;
}

TEST(Safety, AnInSyncRunMayAct) {
    auto a = audit(server_with_strays(0));
    EXPECT_TRUE(assess(a, {}, options(Command::recreate)).empty());
    EXPECT_TRUE(assess(a, {}, options(Command::cleanup)).empty());
}

TEST(Safety, RowLevelSecurityThatMayHideRowsRefusesWithBothFixes) {
    auto a = audit(server_with_strays(0));
    DatabaseFacts db;
    db.rls_applies = true;
    db.rls_sees_all = false;
    db.rls_explanation = "role app sees 0 of about 120 rows of public.livekit_rooms";
    for (auto c : {Command::recreate, Command::cleanup}) {
        auto r = assess(a, db, options(c));
        ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::row_level_security});
        EXPECT_TRUE(mentions(r[0], "role app sees 0 of about 120 rows"));
        EXPECT_TRUE(mentions(r[0], "BYPASSRLS"));
        EXPECT_TRUE(mentions(r[0], "FOR SELECT"));
    }
    db.rls_sees_all = true;  // policies shown to see every row: fine
    EXPECT_TRUE(assess(a, db, options(Command::cleanup)).empty());
}

TEST(Safety, ATransactionModePoolerRefuses) {
    auto a = audit(server_with_strays(0));
    DatabaseFacts db;
    db.shared_session = false;
    db.session_evidence = "backend pid changed from 41 to 57 between transactions";
    auto r = assess(a, db, options(Command::recreate));
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::pooled_session});
    EXPECT_TRUE(mentions(r[0], "backend pid changed from 41 to 57"));
    EXPECT_TRUE(mentions(r[0], "session-mode or direct connection URL"));
    EXPECT_TRUE(mentions(r[0], "6543"));
}

TEST(Safety, ASettingsConflictRefusesWithItsOwnWords) {
    DatabaseFacts db;
    db.settings_conflict = "DATABASE_URL overrides [database] url of /etc/roomctl.toml: unset it";
    auto r = assess(audit(server_with_strays(0)), db, options(Command::cleanup));
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::settings_conflict});
    EXPECT_EQ(r[0].reason, db.settings_conflict);
}

TEST(Safety, UnclassifiedRowsRefuseNamingTheValuesTheirCountsAndTheSettings) {
    auto inv = server_with_strays(0);
    inv.database.push_back(row("p1", "PAUSED", store::Liveness::unclassified));
    inv.database.push_back(row("p2", "PAUSED", store::Liveness::unclassified));
    inv.database.push_back(row("n", std::nullopt, store::Liveness::unclassified));
    auto a = audit(inv);
    for (auto c : {Command::recreate, Command::cleanup}) {
        auto r = assess(a, {}, options(c));
        ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::unclassified_rows});
        EXPECT_TRUE(mentions(r[0], "3 rows have a status"));
        EXPECT_TRUE(mentions(r[0], "\"PAUSED\" (2 rows)"));
        EXPECT_TRUE(mentions(r[0], "NULL (1 row)"));
        EXPECT_TRUE(mentions(r[0], "[rooms] live_statuses"));
        EXPECT_TRUE(mentions(r[0], "ended_statuses"));
    }
}

TEST(Safety, ANameMismatchRefusesUnlessAllowed) {
    Inventory inv;
    for (std::string n : {"P46odHdPO0wJ", "ab", "x"}) {
        inv.database.push_back(row(n, "active", store::Liveness::live));
        inv.server.push_back(room("session-" + n));
    }
    inv.database.push_back(live("ok"));
    inv.server.push_back(room("ok"));
    auto a = audit(inv);
    ASSERT_EQ(a.summary.name_mismatch, 3u);
    for (auto c : {Command::recreate, Command::cleanup}) {
        auto r = assess(a, {}, options(c));
        ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::name_mismatch});
        EXPECT_TRUE(mentions(r[0], "3 name mismatches"));
        EXPECT_TRUE(mentions(r[0], "room_name_template = \"session-{name}\""));
        EXPECT_TRUE(mentions(r[0], "--allow-name-mismatch"));
        auto allowed = options(c);
        allowed.allow_name_mismatch = true;
        EXPECT_TRUE(assess(a, {}, allowed).empty());
    }
}

TEST(Safety, ANameMismatchWithoutACommonTemplateAsksToFixTheTemplate) {
    Inventory inv;
    inv.sid_column = "room_sid";  // SID evidence: the mapping records SIDs
    inv.database = {live("k")};
    inv.server = {room("other")};
    inv.server[0].sid = "RM_k";
    auto r = assess(audit(inv), {}, options(Command::recreate));
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::name_mismatch});
    EXPECT_TRUE(mentions(r[0], "1 name mismatch,"));
    EXPECT_TRUE(mentions(r[0], "fix [rooms] room_name_template"));
}

TEST(Safety, CleanupRefusesRoomsNoRowNamesWhileNoRowIsLive) {
    Inventory inv;
    inv.database = {ended("old")};
    inv.server = {room("stray")};
    auto a = audit(inv);
    auto r = assess(a, {}, options(Command::cleanup));
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::unbelievable_database});
    EXPECT_TRUE(mentions(r[0], "no live row while 1 room on the server is named by no row"));
    EXPECT_TRUE(mentions(r[0], "wrong table, role or database"));
    EXPECT_TRUE(mentions(r[0], "--allow-empty-database"));
    auto allow = options(Command::cleanup);
    allow.allow_empty_database = true;
    EXPECT_TRUE(assess(a, {}, allow).empty());
    auto explicit_cap = options(Command::cleanup);
    explicit_cap.max_deletes_explicit = true;
    EXPECT_TRUE(assess(a, {}, explicit_cap).empty());
    EXPECT_TRUE(assess(a, {}, options(Command::recreate)).empty());  // cleanup only
}

TEST(Safety, AQuietNightWhereEveryRowEndedMayCleanUp) {
    // A room whose own row says it ended is positive evidence, not a sign of a wrong table.
    Inventory inv;
    inv.database = {ended("a"), ended("b")};
    inv.server = {room("a"), room("b")};
    auto a = audit(inv);
    ASSERT_EQ(a.summary.orphaned, 2u);
    ASSERT_EQ(a.summary.live_rooms, 0u);
    EXPECT_TRUE(assess(a, {}, options(Command::cleanup)).empty());
}

TEST(Safety, CleanupRefusesWhenRoomsNoRowNamesAreMostOfTheServer) {
    auto o = options(Command::cleanup);
    o.max_deletes = 100;
    // 10 of 19: more than half, and at least 10.
    auto r = assess(audit(server_with_strays(10, 9)), {}, o);
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::unbelievable_database});
    EXPECT_TRUE(mentions(r[0], "10 of the server's 19 rooms are named by no row"));
    // Exactly half is believable.
    EXPECT_TRUE(assess(audit(server_with_strays(10, 10)), {}, o).empty());
    // Fewer than 10 is believable, however large the share.
    EXPECT_TRUE(assess(audit(server_with_strays(9, 1)), {}, o).empty());
    o.allow_empty_database = true;
    EXPECT_TRUE(assess(audit(server_with_strays(10, 9)), {}, o).empty());
}

TEST(Safety, RoomsMatchingKeepAreNotCountedAsUnnamed) {
    Inventory inv;
    inv.database = {ended("old")};
    inv.server = {room("recording-1")};
    auto o = options(Command::cleanup);
    o.keep = {"recording-*"};
    EXPECT_TRUE(assess(audit(inv), {}, o).empty());
}

TEST(Safety, CleanupRefusesMoreCandidatesThanTheCapCountingYoungAndOccupiedRooms) {
    Inventory inv;
    inv.database = {live("l"), ended("a"), ended("b"), ended("c")};
    inv.server = {room("l"), room("a", 0), room("b", 1'000'000'000), room("c", 0, 5)};
    auto a = audit(inv);
    auto o = options(Command::cleanup);
    o.max_deletes = 2;
    auto r = assess(a, {}, o);
    ASSERT_EQ(rules(r), std::vector<RefusalRule>{RefusalRule::max_deletes});
    EXPECT_TRUE(mentions(r[0], "up to 3 orphaned rooms"));
    EXPECT_TRUE(mentions(r[0], "more than --max-deletes 2"));
    o.max_deletes = 3;
    EXPECT_TRUE(assess(a, {}, o).empty());
    o.max_deletes = 2;
    o.keep = {"c"};
    EXPECT_TRUE(assess(a, {}, o).empty());
    auto recreate = options(Command::recreate);
    recreate.max_deletes = 0;
    EXPECT_TRUE(assess(a, {}, recreate).empty());
}

TEST(Safety, EveryRefusalIsReportedInRuleOrderOnOneLineEach) {
    Inventory inv;
    inv.database = {row("u", std::string("weird\nvalue"), store::Liveness::unclassified)};
    inv.server = {room("P46odHdPO0wJ-x")};
    for (int i = 0; i < 12; ++i) inv.server.push_back(room("stray" + std::to_string(i)));
    DatabaseFacts db;
    db.settings_conflict = "conflict";
    db.rls_applies = true;
    db.rls_sees_all = false;
    db.shared_session = false;
    auto o = options(Command::cleanup);
    o.max_deletes = 1;
    auto r = assess(audit(inv), db, o);
    EXPECT_EQ(rules(r), (std::vector<RefusalRule>{
                            RefusalRule::settings_conflict, RefusalRule::row_level_security,
                            RefusalRule::pooled_session, RefusalRule::unclassified_rows,
                            RefusalRule::unbelievable_database, RefusalRule::max_deletes}));
    for (const auto& x : r) {
        // The status value's newline is the printer's to escape; our own words are one line.
        if (x.rule != RefusalRule::unclassified_rows) {
            EXPECT_EQ(x.reason.find('\n'), std::string::npos) << x.reason;
        }
        EXPECT_FALSE(to_string(x.rule).empty());
    }
}

TEST(Safety, DescribeUnclassifiedShortensLongValuesAndNamesAtMostTen) {
    AuditSummary s;
    s.unclassified_statuses[std::string(200, 'v')] = 1;
    for (int i = 0; i < 11; ++i) s.unclassified_statuses["s" + std::to_string(i)] = 2;
    auto text = describe_unclassified(s);
    EXPECT_NE(text.find("and 2 more value(s)"), std::string::npos) << text;
    EXPECT_EQ(text.find(std::string(41, 'v')), std::string::npos);
    EXPECT_NE(text.find("\"s0\" (2 rows)"), std::string::npos);
    AuditSummary utf8;
    utf8.unclassified_statuses[std::string(39, 'a') + "\xc3\xa9" + "zz"] = 1;  // é across the cut
    EXPECT_NE(describe_unclassified(utf8).find(std::string(39, 'a') + "...\""), std::string::npos);
}

TEST(SafetyReport, PlanJsonCarriesRefusalsAsStrings) {
    Plan plan;
    AuditSummary s;
    auto doc =
        report::plan_json("cleanup", plan, false, s, {{RefusalRule::max_deletes, "too many"}});
    ASSERT_TRUE(doc["refusals"].is_array());
    EXPECT_EQ(doc["refusals"], nlohmann::json::array({"too many"}));
    EXPECT_EQ(report::plan_json("cleanup", plan, false, s)["refusals"], nlohmann::json::array());
    EXPECT_EQ(doc["summary"]["unclassified"], 0);
}

TEST(SafetyReport, AuditJsonCountsUnclassifiedStatuses) {
    Inventory inv;
    inv.database = {row("p", "PAUSED", store::Liveness::unclassified),
                    row("n", std::nullopt, store::Liveness::unclassified)};
    inv.server = {room("p")};
    auto doc = report::audit_json(audit(inv));
    EXPECT_EQ(doc["summary"]["unclassified"], 2);
    EXPECT_EQ(doc["summary"]["unclassified_statuses"],
              (nlohmann::json{{"NULL", 1}, {"PAUSED", 1}}));
    EXPECT_EQ(doc["findings"][0]["kind"], "unclassified");
    EXPECT_EQ(doc["findings"][0]["server_sid"], nullptr);  // "n": not on the server
    EXPECT_EQ(doc["findings"][1]["server_sid"], "RM_p");
    EXPECT_EQ(doc["findings"][1]["database_status"], "PAUSED");
}

TEST(SafetyReport, TextNamesRefusalsAndUnclassifiedValues) {
    Plan plan;
    auto text =
        report::render_plan("cleanup", plan, false, {}, {{RefusalRule::name_mismatch, "fix it"}});
    EXPECT_NE(text.find("--apply is refused as unsafe:\n  - fix it\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Nothing was changed."), std::string::npos);
    EXPECT_EQ(report::render_plan("cleanup", plan, false, {}), "nothing to clean up\n");
    Action a;
    a.kind = ActionKind::delete_room;
    a.room = "stray";
    a.reason = "no row in the database owns it";
    plan.actions.push_back(a);
    auto applied =
        report::render_plan("cleanup", plan, true, {}, {{RefusalRule::max_deletes, "cap"}});
    EXPECT_NE(applied.find("1 action(s) planned, 0 skipped. Nothing was changed."),
              std::string::npos)
        << applied;
    EXPECT_EQ(applied.find("done"), std::string::npos) << applied;

    Inventory inv;
    inv.database = {row("p", "PAUSED", store::Liveness::unclassified)};
    auto audit_text = report::render_audit(audit(inv), {});
    EXPECT_NE(audit_text.find("unclassified  p"), std::string::npos) << audit_text;
    EXPECT_NE(audit_text.find("\"PAUSED\" (1 row)"), std::string::npos) << audit_text;
    EXPECT_NE(audit_text.find(", 1 unclassified"), std::string::npos) << audit_text;
}

}  // namespace
}  // namespace roomctl::reconcile
