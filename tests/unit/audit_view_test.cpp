// render_audit / audit_json on issue 14's findings, through a real audit() where the audit's
// own counting matters (golden files cover the exact text: report_golden_test.cpp).

#include "roomctl/report/audit_view.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace roomctl::report {
namespace {

constexpr std::int64_t k_now = 1'764'470'000;  // 2025-11-30T02:33:20Z

store::DbRoom live_row(std::string name, std::optional<std::int64_t> starts_at = std::nullopt) {
    store::DbRoom r;
    r.name = name;
    r.room = std::move(name);
    r.status = "active";
    r.live = true;
    r.liveness = store::Liveness::live;
    r.starts_at = starts_at;
    return r;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(AuditView, SessionsNotYetDueAloneLeaveTheAuditInSync) {
    reconcile::Inventory inv;
    inv.sid_column = "room_sid";
    inv.observed_at = k_now;
    inv.due_within_seconds = 900;
    inv.database = {live_row("later", k_now + 3 * 3600)};
    const auto a = reconcile::audit(inv);
    const auto doc = audit_json(a);
    EXPECT_TRUE(doc["in_sync"].get<bool>());
    EXPECT_EQ(doc["summary"]["not_yet_due"], 1);
    EXPECT_EQ(doc["findings"][0]["kind"], "not_yet_due");
    EXPECT_EQ(doc["findings"][0]["missing_cause"], "never_created");
    EXPECT_EQ(doc["findings"][0]["starts_at"], "2025-11-30T05:33:20Z");
    const auto text = render_audit(a, TextStyle{false, k_now});
    EXPECT_NE(text.find("starts in 3h (2025-11-30 05:33 UTC)"), std::string::npos) << text;
    EXPECT_NE(text.find(", 1 not yet due"), std::string::npos) << text;
}

TEST(AuditView, MatchingByNameOnlyIsSaidOnceNotPerRow) {
    reconcile::Inventory inv;  // no sid_column
    inv.database = {live_row("a"), live_row("b"), live_row("c")};
    const auto a = reconcile::audit(inv);
    const auto text = render_audit(a, TextStyle{false, k_now});
    EXPECT_EQ(occurrences(text, "matched by name only"), 1u) << text;
    EXPECT_EQ(occurrences(text, "sid_column is not set"), 1u) << text;
    EXPECT_TRUE(audit_json(a)["summary"]["matched_by_name_only"].get<bool>());

    inv.sid_column = "room_sid";
    const auto with_sids = reconcile::audit(inv);
    EXPECT_EQ(render_audit(with_sids, TextStyle{false, k_now}).find("name only"),
              std::string::npos);
    EXPECT_FALSE(audit_json(with_sids)["summary"]["matched_by_name_only"].get<bool>());
}

TEST(AuditView, DuplicateNamesShowEveryRowAndSid) {
    reconcile::Inventory inv;
    inv.sid_column = "room_sid";
    auto first = live_row("Room 1");
    first.sid = "RM_aaaaaaaaaaaa";
    auto second = live_row("Room 1");
    second.sid = "RM_bbbbbbbbbbbb";
    inv.database = {first, second};
    const auto a = reconcile::audit(inv);
    const auto text = render_audit(a, TextStyle{false, k_now});
    EXPECT_NE(text.find("RM_aaaaaaaaaaaa"), std::string::npos) << text;
    EXPECT_NE(text.find("RM_bbbbbbbbbbbb"), std::string::npos) << text;
    EXPECT_NE(text.find(", 1 duplicate name"), std::string::npos) << text;
    const auto doc = audit_json(a);
    EXPECT_FALSE(doc["in_sync"].get<bool>());
    ASSERT_EQ(doc["findings"][0]["rows"].size(), 2u);
    EXPECT_EQ(doc["findings"][0]["rows"][1]["sid"], "RM_bbbbbbbbbbbb");
    EXPECT_EQ(doc["summary"]["duplicate_name"], 1);
}

TEST(AuditView, DuplicateRowsShowNoSidWhenTheMappingRecordsNone) {
    reconcile::Inventory inv;  // no sid_column
    inv.database = {live_row("Room 1"), live_row("Room 1")};
    const auto text = render_audit(reconcile::audit(inv), TextStyle{false, k_now});
    EXPECT_NE(text.find("\"Room 1\" (status \"active\"), \"Room 1\" (status \"active\")"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("SID NULL"), std::string::npos) << text;
}

TEST(AuditView, StartTimesFarFromNowDoNotOverflow) {
    reconcile::AuditResult a;
    reconcile::Finding f;
    f.kind = reconcile::FindingKind::missing;
    f.room = "r";
    f.starts_at = std::numeric_limits<std::int64_t>::min();
    a.findings.push_back(f);
    f.starts_at = std::numeric_limits<std::int64_t>::max();
    a.findings.push_back(f);
    const auto text = render_audit(a, TextStyle{false, k_now});
    EXPECT_NE(text.find("session started"), std::string::npos) << text;
    EXPECT_NE(text.find("session starts in"), std::string::npos) << text;
    // Without a clock only the date is shown.
    EXPECT_EQ(render_audit(a, TextStyle{false, 0}).find(" ago"), std::string::npos);
}

}  // namespace
}  // namespace roomctl::report
