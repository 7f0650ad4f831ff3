// What each output mode prints (issue 15, "output that respects the reader"): tables that align
// with colour on, tab-separated values for pipes, and the rows each mode shows or leaves out
// (-q, a terminal without --show-all, -o tsv). Pure renderers: no terminal, no server.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/check_view.hpp"
#include "roomctl/report/plan_view.hpp"
#include "roomctl/report/progress.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/report/text.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::report {
namespace {

using reconcile::Action;
using reconcile::ActionKind;
using reconcile::ActionStatus;

// What a person sees: the text without its SGR sequences.
std::string strip_sgr(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
            i += 2;
            while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

// The column at which each line's `n`th field starts, fields being separated by 2+ spaces.
std::vector<std::size_t> starts_of_field(const std::string& table, std::size_t n) {
    std::vector<std::size_t> starts;
    for (const auto& line : text::lines_of(strip_sgr(table))) {
        if (line.empty()) continue;
        std::size_t pos = 0;
        for (std::size_t f = 0; f < n; ++f) {
            pos = line.find("  ", pos);
            if (pos == std::string::npos) break;
            pos = line.find_first_not_of(' ', pos);
        }
        starts.push_back(pos);
    }
    return starts;
}

TEST(DisplayWidth, IgnoresAnsiEscapesAndUtf8ContinuationBytes) {
    EXPECT_EQ(display_width("failed"), 6u);
    EXPECT_EQ(display_width("\x1b[31mfailed\x1b[0m"), 6u);
    EXPECT_EQ(display_width("\x1b[1;32mok\x1b[0m!"), 3u);
    EXPECT_EQ(display_width("\xC3\xA4rger"), 5u);  // "Ärger"
    EXPECT_EQ(display_width(""), 0u);
}

TEST(RenderTable, PaintedCellsAlignWithTheHeaderAndTheResetEndsEachCell) {
    TextStyle style;
    style.color = true;
    const auto t = render_table(style, {"status", "room", "detail"},
                                {{Cell{"failed", "31"}, "a", "x"},
                                 {Cell{"done", "32"}, "long-room-name", Cell{"last", "33"}}});
    // Every line's second and third column start where the header's do.
    const auto second = starts_of_field(t, 1), third = starts_of_field(t, 2);
    ASSERT_EQ(second.size(), 3u);
    EXPECT_EQ(second[0], second[1]);
    EXPECT_EQ(second[0], second[2]);
    EXPECT_EQ(third[0], third[1]);
    EXPECT_EQ(third[0], third[2]);
    EXPECT_NE(t.find("\x1b[31mfailed\x1b[0m  "), std::string::npos) << t;
    // The colour of the last cell is reset before the newline, never after it.
    EXPECT_NE(t.find("\x1b[33mlast\x1b[0m\n"), std::string::npos) << t;
    for (const auto& line : text::lines_of(t)) {
        EXPECT_NE(line.rfind("\x1b[0m", 0), 0u) << "a line starts with a reset: " << t;
    }
}

TEST(RenderTable, StringTablesWithPaintedCellsAlignToo) {
    const auto t =
        render_table({"status", "room"}, {{"\x1b[31mfailed\x1b[0m", "a"}, {"done", "b"}});
    const auto second = starts_of_field(t, 1);
    ASSERT_EQ(second.size(), 3u);
    EXPECT_EQ(second[0], 8u);
    EXPECT_EQ(second[1], 8u);
    EXPECT_EQ(second[2], 8u);
}

TEST(RenderTable, WithoutColourNothingIsPaintedAndControlCharactersAreEscaped) {
    const auto t = render_table(TextStyle{}, {"status", "room"},
                                {{Cell{"failed", "31"}, "evil\nroomctl: error: x\x1b[2J"}});
    EXPECT_EQ(t, "STATUS  ROOM\nfailed  evil\\nroomctl: error: x\\x1b[2J\n");
}

TEST(RenderTable, NoHeadersLeavesOutTheHeaderRow) {
    TextStyle style;
    style.headers = false;
    EXPECT_EQ(render_table(style, {"long header", "b"}, {{"x", "y"}}), "x  y\n");
}

TEST(EscapeTsv, TabsNewlinesAndBackslashesNeverSplitAField) {
    EXPECT_EQ(escape_tsv("a\tb"), "a\\tb");
    EXPECT_EQ(escape_tsv("a\nb\r"), "a\\nb\\r");
    EXPECT_EQ(escape_tsv("C:\\dir"), "C:\\\\dir");
    EXPECT_EQ(escape_tsv("\x1b[31m\x7f"), "\\x1b[31m\\x7f");
    EXPECT_EQ(escape_tsv("plain \xC3\xA4"), "plain \xC3\xA4");
}

TEST(RenderTable, TsvIsOneTabSeparatedLinePerRowNeverPainted) {
    TextStyle style;
    style.color = true;  // ignored for tsv
    style.format = TableFormat::tsv;
    const std::vector<std::vector<Cell>> rows{{Cell{"failed", "31"}, "a\tb", "two\nlines"},
                                              {"done", "", "x"}};
    EXPECT_EQ(render_table(style, {"status", "room", "detail"}, rows),
              "status\troom\tdetail\nfailed\ta\\tb\ttwo\\nlines\ndone\t\tx\n");
    style.headers = false;
    EXPECT_EQ(render_table(style, {"status", "room", "detail"}, rows),
              "failed\ta\\tb\ttwo\\nlines\ndone\t\tx\n");
}

Action action(ActionKind kind, const std::string& room, ActionStatus status) {
    Action a;
    a.kind = kind;
    a.room = room;
    a.database_name = room;
    a.status = status;
    a.reason = "why";
    if (status == ActionStatus::failed) a.error = "server said no";
    return a;
}

reconcile::Plan applied_plan() {
    reconcile::Plan p;
    p.actions = {action(ActionKind::create_room, "r-done-1", ActionStatus::done),
                 action(ActionKind::create_room, "r-failed", ActionStatus::failed),
                 action(ActionKind::create_room, "r-skipped", ActionStatus::skipped),
                 action(ActionKind::create_room, "r-done-2", ActionStatus::done)};
    return p;
}

TEST(PlanOutput, EveryRowInAPipeOnlyThoseNeedingAttentionOnATerminal) {
    const auto plan = applied_plan();
    const auto all = render_plan("recreate", plan, true, TextStyle{});
    EXPECT_NE(all.find("r-done-1"), std::string::npos);
    EXPECT_EQ(all.find("not listed"), std::string::npos);

    TextStyle terminal;
    terminal.all_rows = false;
    const auto shown = render_plan("recreate", plan, true, terminal);
    EXPECT_EQ(shown.find("r-done-1"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("r-done-2"), std::string::npos) << shown;
    EXPECT_NE(shown.find("r-failed"), std::string::npos);
    EXPECT_NE(shown.find("r-skipped"), std::string::npos);
    EXPECT_NE(shown.find("(2 done not listed; --show-all lists them)"), std::string::npos);
    // The summary is the last line, after the rows: nothing scrolls it away.
    EXPECT_TRUE(shown.ends_with("\n2 done, 1 failed, 1 skipped\n")) << shown;
}

TEST(PlanOutput, QuietPrintsOnlyFailuresAndNothingWhenThereAreNone) {
    TextStyle quiet;
    quiet.quiet = true;
    EXPECT_EQ(render_plan("cleanup", reconcile::Plan{}, false, quiet), "");
    EXPECT_EQ(render_plan("cleanup", reconcile::Plan{}, true, quiet), "");
    reconcile::Plan all_done;
    all_done.actions = {action(ActionKind::create_room, "a", ActionStatus::done),
                        action(ActionKind::create_room, "b", ActionStatus::skipped)};
    EXPECT_EQ(render_plan("recreate", all_done, true, quiet), "");

    const auto failed = render_plan("recreate", applied_plan(), true, quiet);
    EXPECT_NE(failed.find("r-failed"), std::string::npos);
    EXPECT_EQ(failed.find("r-skipped"), std::string::npos) << failed;
    EXPECT_EQ(failed.find("r-done"), std::string::npos) << failed;

    // A refusal always prints.
    const auto refused = render_plan("cleanup", reconcile::Plan{}, true, quiet,
                                     {reconcile::Refusal{reconcile::RefusalRule::settings_conflict,
                                                         "the table shows no live row"}});
    EXPECT_NE(refused.find("the table shows no live row"), std::string::npos);
}

TEST(PlanOutput, TsvIsTheTableAloneHeaderOnlyWhenEmpty) {
    TextStyle tsv;
    tsv.format = TableFormat::tsv;
    EXPECT_EQ(render_plan("cleanup", reconcile::Plan{}, false, tsv),
              "status\taction\troom\tdetail\n");
    const auto t = render_plan("recreate", applied_plan(), true, tsv);
    EXPECT_EQ(text::lines_of(t).size(), 6u) << t;  // header, four rows, the final ""
    EXPECT_NE(t.find("failed\tcreate_room\tr-failed\tserver said no\n"), std::string::npos) << t;
}

TEST(AuditOutput, QuietInSyncPrintsNothing) {
    TextStyle quiet;
    quiet.quiet = true;
    reconcile::AuditResult in_sync;
    in_sync.summary.live_rooms = 3;
    in_sync.summary.server_rooms = 3;
    in_sync.summary.in_sync = 3;
    EXPECT_EQ(render_audit(in_sync, quiet), "");
    EXPECT_NE(render_audit(in_sync, TextStyle{}).find("3 in sync"), std::string::npos);
}

TEST(CheckOutput, QuietPrintsOnlyFailedProbes) {
    TextStyle quiet;
    quiet.quiet = true;
    check::CheckReport ok;
    ok.probes = {{"server.auth", "h", check::ProbeStatus::ok, "fine", {}}};
    EXPECT_EQ(render_check(ok, quiet), "");
    check::CheckReport bad = ok;
    bad.probes.push_back({"database.connect", "db", check::ProbeStatus::failed, "refused", {}});
    const auto out = render_check(bad, quiet);
    EXPECT_EQ(out.find("server.auth"), std::string::npos) << out;
    EXPECT_NE(out.find("database.connect"), std::string::npos);
    EXPECT_NE(out.find("1 of 2 probes failed"), std::string::npos);
}

TEST(RoomsOutput, TsvAndQuietOfAnEmptyList) {
    TextStyle tsv;
    tsv.format = TableFormat::tsv;
    EXPECT_EQ(render_rooms({}, tsv), "name\tsid\tparticipants\tage\tempty timeout\n");
    tsv.headers = false;
    EXPECT_EQ(render_rooms({}, tsv), "");
    TextStyle quiet;
    quiet.quiet = true;
    EXPECT_EQ(render_rooms({}, quiet), "");
    EXPECT_EQ(render_rooms({}, TextStyle{}), "no rooms on the server\n");
}

TEST(RenderProgress, CountsFailuresAsTheyHappen) {
    EXPECT_EQ(render_progress("recreate", 10, 20, 2.5, 20, 2),
              "recreate  10/20 [##########----------]  50%  4.0/s  ETA 3s, 2 failed");
    EXPECT_EQ(render_progress("recreate", 10, 20, 2.5, 20, 0),
              "recreate  10/20 [##########----------]  50%  4.0/s  ETA 3s");
}

}  // namespace
}  // namespace roomctl::report
