// Golden-file tests of the renderers in report/: representative audits, plans, outcomes,
// check results and room listings are rendered as text and as JSON and compared byte for byte
// with tests/golden/<name>.txt and <name>.json. The golden files are the specification of the
// output: review a change to one as a change to what users and scripts read.
//
// To regenerate them after an intended change to the output:
//     ROOMCTL_UPDATE_GOLDEN=1 build/tests/roomctl_unit_tests --gtest_filter='ReportGolden.*'
// then read `git diff tests/golden` line by line before committing. The variable is never set
// in CI: with CI set as well, the test fails instead of writing.
//
// The data is built here field by field rather than through reconcile::audit or the planners,
// so that only a change to a renderer can change these files.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/check_view.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/plan_view.hpp"
#include "roomctl/report/rooms_view.hpp"

namespace roomctl::report {
namespace {

using reconcile::Action;
using reconcile::ActionKind;
using reconcile::ActionStatus;
using reconcile::Finding;
using reconcile::FindingKind;

constexpr std::int64_t k_now = 1'764'470'000;  // 2025-11-30T02:33:20Z
const TextStyle k_plain{false, k_now};

std::filesystem::path golden_dir() {
    return std::filesystem::path{__FILE__}.parent_path().parent_path() / "golden";
}

bool updating() {
    const char* v = std::getenv("ROOMCTL_UPDATE_GOLDEN");
    return v && std::string{v} == "1";
}

// Compares `actual` with tests/golden/<file>, or writes it there under ROOMCTL_UPDATE_GOLDEN=1.
void expect_golden(const std::string& file, const std::string& actual) {
    const auto path = golden_dir() / file;
    if (updating()) {
        const char* ci = std::getenv("CI");
        ASSERT_FALSE(ci && *ci) << "ROOMCTL_UPDATE_GOLDEN=1 is for a developer's machine, never CI";
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << actual;
        ASSERT_TRUE(out.good()) << "cannot write " << path;
        return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path << " is missing: run with ROOMCTL_UPDATE_GOLDEN=1 to create it";
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << "the rendering differs from " << path
                                      << "; if the change is intended, regenerate with "
                                         "ROOMCTL_UPDATE_GOLDEN=1 and review the diff";
}

std::string pretty(const nlohmann::json& doc) { return doc.dump(2) + "\n"; }

media::ServerRoom server_room(const std::string& name, const std::string& sid,
                              std::uint32_t participants, std::int64_t age_seconds) {
    media::ServerRoom r;
    r.name = name;
    r.sid = sid;
    r.num_participants = participants;
    r.creation_time = k_now - age_seconds;
    r.empty_timeout = 300;
    r.departure_timeout = 20;
    return r;
}

Finding finding(FindingKind kind, const std::string& room) {
    Finding f;
    f.kind = kind;
    f.room = room;
    return f;
}

Finding on_server(Finding f, const media::ServerRoom& r) {
    f.server_sid = r.sid;
    f.num_participants = r.num_participants;
    f.server_created_at = r.creation_time;
    f.server_room = r;
    return f;
}

// One finding of every kind, both shapes of those that have two, on a LiveKit run.
reconcile::AuditResult audit_with_every_finding() {
    reconcile::AuditResult a;
    auto& s = a.summary;
    s.database_rooms = 14;
    s.live_rooms = 9;
    s.server_rooms = 8;
    s.in_sync = 3;
    s.missing = 1;
    s.orphaned = 2;
    s.sid_drift = 2;
    s.name_mismatch = 1;
    s.unclassified = 2;
    s.foreign_sid = 1;
    s.live_with_sid = 7;
    s.ended_foreign_sids = 1;
    s.provider = "livekit";
    s.foreign_provider = "twilio";
    s.table = "public.video_sessions";
    s.sid_column = "livekit_room_sid";
    s.unclassified_statuses = {{"NULL", 1}, {"PAUSED", 2}};

    Finding missing = finding(FindingKind::missing, "session-101");
    missing.database_name = "session-101";
    missing.database_status = "active";
    a.findings.push_back(missing);

    Finding orphan_row = on_server(finding(FindingKind::orphaned, "session-88"),
                                   server_room("session-88", "RM_orphanWithRow1", 0, 3 * 3600));
    orphan_row.database_name = "session-88";
    orphan_row.database_sid = "RM_orphanWithRow1";
    orphan_row.database_status = "ended";
    a.findings.push_back(orphan_row);
    a.findings.push_back(on_server(finding(FindingKind::orphaned, "standup-tmp"),
                                   server_room("standup-tmp", "RM_noRowAtAll22", 2, 90)));

    Finding drift = on_server(finding(FindingKind::sid_drift, "session-102"),
                              server_room("session-102", "RM_serverSide333", 1, 600));
    drift.database_name = "session-102";
    drift.database_sid = "RM_staleInTheRow";
    drift.database_status = "active";
    a.findings.push_back(drift);
    Finding no_sid = on_server(finding(FindingKind::sid_drift, "session-103"),
                               server_room("session-103", "RM_neverRecorded", 0, 60));
    no_sid.database_name = "session-103";
    no_sid.database_sid = "";
    no_sid.database_status = "active";
    a.findings.push_back(no_sid);

    Finding mismatch = on_server(finding(FindingKind::name_mismatch, "room-104"),
                                 server_room("room-104", "RM_mismatched444", 0, 7200));
    mismatch.database_name = "104";
    mismatch.database_sid = "RM_mismatched444";
    mismatch.database_status = "active";
    mismatch.expected_room = "104";
    mismatch.suggested_template = "room-{name}";
    mismatch.sid_evidence = true;
    a.findings.push_back(mismatch);

    Finding paused = on_server(finding(FindingKind::unclassified, "session-105"),
                               server_room("session-105", "RM_pausedRoom555", 1, 86400 + 120));
    paused.database_name = "session-105";
    paused.database_sid = "RM_pausedRoom555";
    paused.database_status = "PAUSED";
    a.findings.push_back(paused);
    Finding null_status = finding(FindingKind::unclassified, "session-106");
    null_status.database_name = "session-106";
    a.findings.push_back(null_status);

    Finding foreign = finding(FindingKind::foreign_sid, "session-107");
    foreign.database_name = "session-107";
    foreign.database_sid = "RM0123456789abcdef0123456789abcdef";
    foreign.database_status = "active";
    foreign.sid_provider = "twilio";
    a.findings.push_back(foreign);
    return a;
}

TEST(ReportGolden, AuditWithEveryFindingKind) {
    const auto a = audit_with_every_finding();
    expect_golden("audit_findings.txt", render_audit(a, k_plain));
    expect_golden("audit_findings.json", pretty(audit_json(a)));
}

TEST(ReportGolden, AuditInSync) {
    reconcile::AuditResult a;
    a.summary.database_rooms = 4;
    a.summary.live_rooms = 3;
    a.summary.server_rooms = 3;
    a.summary.in_sync = 3;
    a.summary.live_with_sid = 3;
    a.summary.provider = "livekit";
    expect_golden("audit_in_sync.txt", render_audit(a, k_plain));
    expect_golden("audit_in_sync.json", pretty(audit_json(a)));
}

store::DbRoom live_row(const std::string& name, std::optional<std::string> sid,
                       const std::string& status) {
    store::DbRoom r;
    r.name = name;
    r.room = name;
    r.sid = std::move(sid);
    r.status = status;
    r.live = true;
    r.liveness = store::Liveness::live;
    return r;
}

// Issue 14's findings on a mapping with SIDs and a start column: why rooms are missing, rooms
// not yet due, two live rows naming one room, and a live row without a room name.
TEST(ReportGolden, AuditOfSchedulesDuplicatesAndUnnamedRows) {
    reconcile::AuditResult a;
    auto& s = a.summary;
    s.database_rooms = 12;
    s.live_rooms = 7;
    s.server_rooms = 2;
    s.in_sync = 1;
    s.missing = 2;
    s.not_yet_due = 2;
    s.duplicate_name = 2;
    s.unclassified = 1;
    s.unnamed_rows = 1;
    s.live_with_sid = 4;
    s.provider = "livekit";
    s.table = "public.livekit_rooms";
    s.sid_column = "room_sid";

    Finding never = finding(FindingKind::missing, "session-201");
    never.database_name = "session-201";
    never.database_status = "scheduled";
    never.missing_cause = reconcile::MissingCause::never_created;
    never.starts_at = k_now + 10 * 60;
    a.findings.push_back(never);
    Finding expired = finding(FindingKind::missing, "session-202");
    expired.database_name = "session-202";
    expired.database_sid = "RM_closedEarly22";
    expired.database_status = "scheduled";
    expired.missing_cause = reconcile::MissingCause::expired;
    expired.starts_at = k_now - 2 * 3600;
    a.findings.push_back(expired);

    Finding unnamed = finding(FindingKind::unclassified, "");
    unnamed.database_name = "Room 3";
    unnamed.database_status = "active";
    unnamed.no_room_name = true;
    a.findings.push_back(unnamed);

    Finding twice = on_server(finding(FindingKind::duplicate_name, "Room 1"),
                              server_room("Room 1", "RM_currentRoom1", 2, 900));
    twice.duplicate_rows = {live_row("Room 1", "RM_currentRoom1", "active"),
                            live_row("Room 1", "RM_completedOne", "active")};
    twice.database_name = "Room 1";
    twice.database_sid = "RM_currentRoom1";
    twice.database_status = "active";
    a.findings.push_back(twice);
    Finding absent = finding(FindingKind::duplicate_name, "Room 2");
    absent.duplicate_rows = {live_row("Room 2", std::nullopt, "active"),
                             live_row("Room 2", "", "pending")};
    absent.database_name = "Room 2";
    absent.database_status = "active";
    a.findings.push_back(absent);

    Finding later = finding(FindingKind::not_yet_due, "session-203");
    later.database_name = "session-203";
    later.database_status = "scheduled";
    later.missing_cause = reconcile::MissingCause::never_created;
    later.starts_at = k_now + 3 * 3600;
    a.findings.push_back(later);
    Finding booked = finding(FindingKind::not_yet_due, "session-204");
    booked.database_name = "session-204";
    booked.database_sid = "RM_bookedExpired";
    booked.database_status = "scheduled";
    booked.missing_cause = reconcile::MissingCause::expired;
    booked.starts_at = k_now + 2 * 86400;
    a.findings.push_back(booked);
    expect_golden("audit_schedules.txt", render_audit(a, k_plain));
    expect_golden("audit_schedules.json", pretty(audit_json(a)));
}

// A mapping without a SID column: matched by name, said once.
TEST(ReportGolden, AuditMatchedByNameOnly) {
    reconcile::AuditResult a;
    auto& s = a.summary;
    s.database_rooms = 3;
    s.live_rooms = 3;
    s.server_rooms = 2;
    s.in_sync = 2;
    s.missing = 1;
    s.provider = "livekit";
    s.table = "public.instant_sessions";
    s.matched_by_name_only = true;
    Finding missing = finding(FindingKind::missing, "session-P46odHdPO0wJ");
    missing.database_name = "P46odHdPO0wJ";
    missing.database_status = "active";
    a.findings.push_back(missing);
    expect_golden("audit_name_only.txt", render_audit(a, k_plain));
    expect_golden("audit_name_only.json", pretty(audit_json(a)));
}

Action action(ActionKind kind, const std::string& room, ActionStatus status,
              const std::string& reason) {
    Action a;
    a.kind = kind;
    a.room = room;
    a.database_name = room;
    a.status = status;
    a.reason = reason;
    return a;
}

reconcile::AuditSummary summary_of(std::size_t missing, std::size_t orphaned, std::size_t sid_drift,
                                   std::size_t name_mismatch) {
    reconcile::AuditSummary s;
    s.missing = missing;
    s.orphaned = orphaned;
    s.sid_drift = sid_drift;
    s.name_mismatch = name_mismatch;
    s.provider = "livekit";
    return s;
}

// A dry run of recreate: creates and SID updates planned, the rows it will not touch skipped.
TEST(ReportGolden, RecreatePlanWithSkips) {
    reconcile::Plan plan;
    plan.actions.push_back(action(ActionKind::create_room, "session-101", ActionStatus::planned,
                                  "live in the database, absent on the server"));
    Action scheduled = action(ActionKind::create_room, "session-105", ActionStatus::planned,
                              "never created; its session starts in 15m");
    scheduled.empty_timeout = 4500;  // its own: 15 min until the start + the 1 h margin
    plan.actions.push_back(scheduled);
    Action update = action(ActionKind::update_sid, "session-102", ActionStatus::planned,
                           "the row's SID differs from the server's; record the server's");
    update.expected_sid = "RM_staleInTheRow";
    update.server_sid = "RM_serverSide333";
    update.new_sid = "RM_serverSide333";
    plan.actions.push_back(update);
    plan.actions.push_back(action(ActionKind::create_room, "", ActionStatus::skipped,
                                  "the row's room name is empty; fix the row, then run "
                                  "recreate again"));
    Action mismatch = action(ActionKind::create_room, "104", ActionStatus::skipped,
                             "the server has this room as \"room-104\" (same SID); set "
                             "room_name_template = \"room-{name}\" in [rooms]");
    mismatch.database_name = "104";
    plan.actions.push_back(mismatch);
    const auto audit = summary_of(3, 0, 1, 1);
    expect_golden("plan_recreate_dry_run.txt", render_plan("recreate", plan, false, k_plain));
    expect_golden("plan_recreate_dry_run.json", pretty(plan_json("recreate", plan, false, audit)));
}

// cleanup --apply refused by the safety gate: the plan is shown, nothing ran.
TEST(ReportGolden, CleanupRefusedAsUnsafe) {
    reconcile::Plan plan;
    Action del = action(ActionKind::delete_room, "standup-tmp", ActionStatus::planned,
                        "no row in the database owns it");
    del.database_name.reset();
    del.server_sid = "RM_noRowAtAll22";
    plan.actions.push_back(del);
    Action young = action(ActionKind::delete_room, "session-88", ActionStatus::skipped,
                          "created 2m ago, younger than --min-age 1h");
    young.server_sid = "RM_orphanWithRow1";
    plan.actions.push_back(young);
    Action occupied = action(ActionKind::delete_room, "session-89", ActionStatus::skipped,
                             "2 participant(s) in the room; pass --include-occupied to delete "
                             "occupied rooms");
    occupied.num_participants = 2;
    plan.actions.push_back(occupied);
    const std::vector<reconcile::Refusal> refusals = {
        {reconcile::RefusalRule::row_level_security,
         "row-level security hides rows of public.video_sessions "
         "from role app: connect as a role that sees every row"},
        {reconcile::RefusalRule::unclassified_rows,
         "3 rows have a status in neither [rooms] live_statuses nor ended_statuses: "
         "\"PAUSED\" (2 rows), NULL (1 row); add each value to one of the lists"}};
    const auto audit = summary_of(0, 3, 0, 0);
    expect_golden("plan_cleanup_refused.txt",
                  render_plan("cleanup", plan, true, k_plain, refusals));
    expect_golden("plan_cleanup_refused.json",
                  pretty(plan_json("cleanup", plan, true, audit, refusals)));
}

TEST(ReportGolden, NothingToCleanUpButRefused) {
    const reconcile::Plan plan;
    const std::vector<reconcile::Refusal> refusals = {
        {reconcile::RefusalRule::unbelievable_database,
         "the table public.video_sessions has no rows: pass --allow-empty-database if that is "
         "right"}};
    expect_golden("plan_cleanup_nothing_refused.txt",
                  render_plan("cleanup", plan, false, k_plain, refusals));
    expect_golden("plan_recreate_nothing.txt", render_plan("recreate", plan, true, k_plain));
}

// recreate --apply that did part of its work: done, failed, compensated (room created and
// deleted again), and the actions a halt left unstarted.
TEST(ReportGolden, RecreateOutcomeWithCompensationAndHalt) {
    reconcile::Plan plan;
    Action done = action(ActionKind::create_room, "session-101", ActionStatus::done,
                         "live in the database, absent on the server");
    done.new_sid = "RM_createdNow101";
    plan.actions.push_back(done);
    Action updated = action(ActionKind::update_sid, "session-102", ActionStatus::done,
                            "the row's SID differs from the server's; record the server's");
    updated.expected_sid = "RM_staleInTheRow";
    updated.server_sid = "RM_serverSide333";
    updated.new_sid = "RM_serverSide333";
    plan.actions.push_back(updated);
    Action ended = action(ActionKind::create_room, "session-110", ActionStatus::compensated,
                          "the session ended while its room was being created; the room was "
                          "deleted again");
    ended.compensated = true;
    ended.new_sid = "RM_deletedAgain1";
    plan.actions.push_back(ended);
    Action failed = action(ActionKind::create_room, "session-111", ActionStatus::failed,
                           "live in the database, absent on the server");
    failed.error =
        "the SID column livekit_room_sid holds 10 characters, the SID has 15; the "
        "room was deleted again, so nothing changed: run recreate again";
    failed.compensated = true;
    plan.actions.push_back(failed);
    Action refused = action(ActionKind::create_room, "session-112", ActionStatus::failed,
                            "live in the database, absent on the server");
    refused.error = "LiveKit refused CreateRoom: permission denied";
    refused.auth_failure = true;
    plan.actions.push_back(refused);
    plan.actions.push_back(action(ActionKind::create_room, "session-113", ActionStatus::skipped,
                                  "not started: the journal could not be written"));
    plan.actions.push_back(action(ActionKind::create_room, "session-114", ActionStatus::skipped,
                                  "not started: interrupted"));
    const auto audit = summary_of(6, 0, 1, 0);
    expect_golden("plan_recreate_applied.txt", render_plan("recreate", plan, true, k_plain));
    expect_golden("plan_recreate_applied.json", pretty(plan_json("recreate", plan, true, audit)));
}

TEST(ReportGolden, CheckWithOkFailedAndSkippedProbes) {
    using check::ProbeStatus;
    check::CheckReport r;
    r.probes = {
        {"config", "", ProbeStatus::ok,
         "livekit, profile default, config ~/.config/roomctl/config.toml",
         std::chrono::milliseconds{0}},
        {"server.tcp", "127.0.0.1:7880", ProbeStatus::ok, "connected in 1 ms",
         std::chrono::milliseconds{1}},
        {"server.auth", "127.0.0.1:7880", ProbeStatus::failed,
         "the server refused the API key devkey: check LIVEKIT_API_KEY and LIVEKIT_API_SECRET",
         std::chrono::milliseconds{12}},
        {"server.join", "127.0.0.1:7880", ProbeStatus::skipped, "skipped: server.auth failed",
         std::chrono::milliseconds{0}},
        {"database.connect", "postgresql://app@db/app", ProbeStatus::ok,
         "PostgreSQL 15.8, role app", std::chrono::milliseconds{7}},
    };
    expect_golden("check_failed.txt", render_check(r, k_plain));
    expect_golden("check_failed.json", pretty(check_json(r)));

    check::CheckReport all_ok;
    all_ok.probes = {r.probes[0], r.probes[1]};
    expect_golden("check_ok.txt", render_check(all_ok, k_plain));
}

TEST(ReportGolden, RoomsAndParticipants) {
    std::vector<media::ServerRoom> rooms = {
        server_room("session-101", "RM_createdNow101", 2, 330),
        server_room("café-ünïcode", "RM_wideName12345", 0, 0),
        server_room("no-creation-time", "RM_unknownAge123", 0, 0)};
    rooms[1].creation_time = k_now + 5;  // a server clock ahead of ours
    rooms[2].creation_time = 0;          // the server did not say
    rooms[0].max_participants = 8;
    rooms[0].metadata = R"({"session":101})";
    nlohmann::json list = envelope("rooms list");
    list["rooms"] = nlohmann::json::array();
    for (const auto& r : rooms) list["rooms"].push_back(room_json(r));
    expect_golden("rooms_list.txt", render_rooms(rooms, k_plain));
    expect_golden("rooms_list.json", pretty(list));
    expect_golden("rooms_list_empty.txt", render_rooms({}, k_plain));
    expect_golden("room.txt", render_room(rooms[0], k_plain));

    const auto person = [](std::string sid, std::string identity, std::string name,
                           std::string state, std::int64_t joined_at) {
        media::Participant p;
        p.sid = std::move(sid);
        p.identity = std::move(identity);
        p.name = std::move(name);
        p.state = std::move(state);
        p.joined_at = joined_at;
        return p;
    };
    std::vector<media::Participant> ps = {
        person("PA_alice1", "alice", "Alice A.", "ACTIVE", k_now - 60),
        person("PA_bob22", "bob", "", "JOINING", 0)};
    // A LiveKit participant as ParticipantInfo has it: kind, metadata, attributes, tracks.
    auto& alice = ps[0];
    alice.kind = "STANDARD";
    alice.metadata = "{\"role\":\"host\"}\nsecond line";
    alice.attributes = {{"team", "blue"}, {"seat", "3"}};
    alice.permission =
        media::ParticipantPermission{true, true, false, {"CAMERA", "MICROPHONE"}, false, true};
    alice.tracks = {{"TR_mic1", "mic", "AUDIO", "MICROPHONE", "audio/opus", true},
                    {"TR_cam1", "camera", "VIDEO", "CAMERA", "video/VP8", false}};
    expect_golden("participant.txt", render_participant(alice, k_plain));
    nlohmann::json doc = envelope("rooms participants");
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(participant_json(p));
    expect_golden("participants.txt", render_participants(ps));
    expect_golden("participants.json", pretty(doc));
}

}  // namespace
}  // namespace roomctl::report
