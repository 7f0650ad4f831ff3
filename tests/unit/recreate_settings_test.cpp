// Issue 14 item 6: a recreated room is made like the room the app made. The settings each
// create carries (row column > [recreate] > old room > guess), how the planner skips what
// cannot be used, how the old rooms are looked up, and what the executor sends and notices.

#include <gtest/gtest.h>

#include "roomctl/reconcile/executor.hpp"
#include "roomctl/reconcile/planner.hpp"
#include "roomctl/reconcile/previous_rooms.hpp"
#include "roomctl/reconcile/room_settings.hpp"
#include "roomctl/twilio/room_settings.hpp"
#include "roomctl/util/error.hpp"
#include "support/executor_fixture.hpp"

namespace roomctl::reconcile {
namespace {

using namespace roomctl::support;

RoomSettingSources twilio_sources() {
    RoomSettingSources s;
    s.provider = "twilio";
    return s;
}

media::ServerRoom old_go_room() {
    media::ServerRoom r;
    r.name = "class-7";
    r.sid = "RM00000000000000000000000000000007";
    r.type = "go";
    r.max_participants = 2;
    r.status_callback = "https://hook:pw@app.example/twilio/room-status";
    r.status_callback_method = "POST";
    r.media_region = "de1";
    r.departure_timeout = 300;
    r.status = "completed";
    return r;
}

Finding missing(std::string room, std::optional<std::string> sid = std::nullopt) {
    Finding f;
    f.kind = FindingKind::missing;
    f.room = room;
    f.database_name = room;
    f.database_sid = std::move(sid);
    f.missing_cause = f.database_sid ? MissingCause::expired : MissingCause::never_created;
    return f;
}

TEST(RoomSettingsResolve, TheOldTwilioRoomIsTheDefault) {
    PreviousRoom previous{old_go_room(), SettingOrigin::previous_room, ""};
    auto s = resolve_room_settings(twilio_sources(), {}, &previous);
    EXPECT_EQ(s.options.type, "go");
    EXPECT_EQ(s.options.max_participants, 2u);
    EXPECT_EQ(s.options.status_callback, "https://hook:pw@app.example/twilio/room-status");
    EXPECT_EQ(s.options.status_callback_method, "POST");
    EXPECT_EQ(s.options.media_region, "de1");
    EXPECT_EQ(s.options.departure_timeout, 300u);
    EXPECT_TRUE(s.guessed.empty());
    EXPECT_EQ(s.values.at("type").origin, SettingOrigin::previous_room);
    // What Twilio is sent is a valid request.
    EXPECT_NO_THROW(twilio::validate_create_options(s.options));
}

TEST(RoomSettingsResolve, RowBeatsConfigBeatsOldRoom) {
    auto sources = twilio_sources();
    sources.fixed["type"] = "group";
    sources.fixed["max_participants"] = "10";
    PreviousRoom previous{old_go_room(), SettingOrigin::previous_room, ""};
    auto s = resolve_room_settings(sources, {{"max_participants", "4"}}, &previous);
    EXPECT_EQ(s.options.type, "group");
    EXPECT_EQ(s.values.at("type").origin, SettingOrigin::config);
    EXPECT_EQ(s.options.max_participants, 4u);
    EXPECT_EQ(s.values.at("max_participants").origin, SettingOrigin::row);
    EXPECT_EQ(s.options.media_region, "de1");
    EXPECT_EQ(s.values.at("media_region").origin, SettingOrigin::previous_room);
}

TEST(RoomSettingsResolve, WithoutAnySourceEverySettingIsAGuess) {
    auto s = resolve_room_settings(twilio_sources(), {}, nullptr);
    EXPECT_TRUE(s.values.empty());
    // The method follows the callback: with no callback it is not a setting of its own.
    EXPECT_EQ(s.guessed, (std::vector<std::string>{"type", "max_participants", "departure_timeout",
                                                   "status_callback", "media_region"}));
    RoomSettingSources livekit;
    livekit.provider = "livekit";
    EXPECT_EQ(resolve_room_settings(livekit, {}, nullptr).guessed,
              (std::vector<std::string>{"max_participants", "metadata", "departure_timeout"}));
}

TEST(RoomSettingsResolve, ALiveKitRoomFromTheJournalKeepsItsEmptyMetadataAndNoLimit) {
    RoomSettingSources livekit;
    livekit.provider = "livekit";
    media::ServerRoom deleted;
    deleted.name = "standup";
    deleted.departure_timeout = 20;
    PreviousRoom previous{deleted, SettingOrigin::journal, ""};
    auto s = resolve_room_settings(livekit, {}, &previous);
    EXPECT_TRUE(s.guessed.empty());  // 0 = unlimited and "" = none are values on LiveKit
    EXPECT_EQ(s.values.at("metadata").origin, SettingOrigin::journal);
    EXPECT_EQ(s.options.departure_timeout, 20u);
}

TEST(RoomSettingsResolve, ARowValueThatIsNoNumberNamesTheColumn) {
    try {
        resolve_room_settings(twilio_sources(), {{"max_participants", "two"}}, nullptr);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("[rooms] max_participants_column"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("\"two\""), std::string::npos) << e.what();
    }
}

TEST(RoomSettingsDescribe, HidesTheCallbacksUserInfo) {
    PreviousRoom previous{old_go_room(), SettingOrigin::previous_room, ""};
    auto text = describe(resolve_room_settings(twilio_sources(), {}, &previous));
    EXPECT_EQ(text.find("type go, max_participants 2, departure_timeout 300s, "), 0u) << text;
    EXPECT_NE(text.find("media_region de1 (all from old room)"), std::string::npos) << text;
    EXPECT_EQ(text.find("hook:pw"), std::string::npos) << text;
    EXPECT_NE(text.find("app.example/twilio/room-status"), std::string::npos) << text;
}

TEST(RoomSettingsDescribe, NamesEachOriginWhenTheyDiffer) {
    auto sources = twilio_sources();
    sources.fixed["type"] = "group";
    auto text = describe(resolve_room_settings(sources, {{"max_participants", "4"}}, nullptr));
    EXPECT_EQ(text, "type group (config), max_participants 4 (row)");
}

TEST(RoomSettingsDifferences, OnlyWhatWasAskedAndDiffers) {
    media::CreateRoomOptions asked;
    asked.type = "go";
    asked.max_participants = 2;
    media::ServerRoom got;
    got.type = "group";
    got.max_participants = 2;
    got.media_region = "us1";  // not asked: the server's choice
    EXPECT_EQ(differences(asked, got), (std::vector<std::string>{"type group (asked go)"}));
    got.type = "go";
    EXPECT_TRUE(differences(asked, got).empty());
}

TEST(RecreatePlanSettings, ACreateCarriesItsSettingsAndSaysWhereTheyCameFrom) {
    AuditResult audit;
    audit.findings = {missing("class-7", old_go_room().sid)};
    RecreatePolicy policy;
    policy.room_settings = twilio_sources();
    policy.room_settings->previous["class-7"] = {old_go_room(), SettingOrigin::previous_room, ""};
    policy.validate = twilio::validate_create_options;
    auto plan = plan_recreate(audit, policy);
    ASSERT_EQ(plan.actions.size(), 1u);
    const auto& a = plan.actions[0];
    EXPECT_EQ(a.status, ActionStatus::planned);
    ASSERT_TRUE(a.settings);
    EXPECT_EQ(a.settings->options.type, "go");
    EXPECT_NE(a.reason.find("with type go, "), std::string::npos) << a.reason;
    EXPECT_NE(a.reason.find("(all from old room)"), std::string::npos) << a.reason;
    EXPECT_EQ(settings_guess_warning(plan), "");
}

TEST(RecreatePlanSettings, AnOldRoomThatCouldNotBeReadIsNotGuessed) {
    AuditResult audit;
    audit.findings = {missing("class-7", old_go_room().sid)};
    RecreatePolicy policy;
    policy.room_settings = twilio_sources();
    policy.room_settings->previous["class-7"] = {std::nullopt, SettingOrigin::previous_room,
                                                 "Twilio answered 503"};
    auto plan = plan_recreate(audit, policy);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("Twilio answered 503"), std::string::npos);
    EXPECT_FALSE(plan.actions[0].settings);
}

TEST(RecreatePlanSettings, ARowValueTheProviderRefusesSkipsOnlyThatRow) {
    AuditResult audit;
    audit.findings = {missing("a"), missing("b")};
    audit.findings[0].row_settings = {{"type", "huge"}};
    audit.findings[1].row_settings = {{"type", "go"}};
    RecreatePolicy policy;
    policy.room_settings = twilio_sources();
    policy.validate = twilio::validate_create_options;
    auto plan = plan_recreate(audit, policy);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::skipped);
    EXPECT_NE(plan.actions[0].reason.find("\"huge\""), std::string::npos) << plan.actions[0].reason;
    EXPECT_EQ(plan.actions[1].status, ActionStatus::planned);
    // b's type is known but the rest is not: one warning for the run, naming the settings.
    const auto warning = settings_guess_warning(plan);
    EXPECT_NE(warning.find("1 room(s)"), std::string::npos) << warning;
    EXPECT_NE(warning.find("max_participants"), std::string::npos) << warning;
    EXPECT_EQ(warning.find("type,"), std::string::npos) << warning;
}

TEST(PreviousRooms, AskedByRecordedSidThenTheJournal) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    server.previous[old_go_room().sid] = old_go_room();
    AuditResult audit;
    audit.findings = {missing("class-7", old_go_room().sid), missing("class-8", "RMgone"),
                      missing("never")};
    PreviousRoomLookup lookup;
    lookup.make_server = [&] { return std::make_unique<FakeMediaClient>(server); };
    std::vector<std::string> journal_asked;
    std::mutex m;
    lookup.journal = [&](const std::string& sid, const std::string& room) {
        std::lock_guard lock(m);
        journal_asked.push_back(sid + "/" + room);
        media::ServerRoom r;
        r.name = room;
        r.type = "peer-to-peer";
        return std::optional(r);
    };
    auto found = find_previous_rooms(audit, twilio_sources(), {}, false, lookup);
    EXPECT_EQ(found.at("class-7").room->type, "go");
    EXPECT_EQ(found.at("class-7").origin, SettingOrigin::previous_room);
    EXPECT_EQ(found.at("class-8").room->type, "peer-to-peer");
    EXPECT_EQ(found.at("class-8").origin, SettingOrigin::journal);
    EXPECT_FALSE(found.contains("never"));  // no SID was ever recorded: no old room
    EXPECT_EQ(journal_asked, (std::vector<std::string>{"RMgone/class-8"}));
    EXPECT_EQ(server.count(Call::previous_room), 2u);
}

TEST(PreviousRooms, NothingIsAskedWhenConfigAndColumnsGiveEverySetting) {
    FakeMediaServer server;
    AuditResult audit;
    audit.findings = {missing("class-7", "RM1")};
    auto sources = twilio_sources();
    sources.fixed = {{"type", "go"}, {"max_participants", "2"}, {"departure_timeout", "0"}};
    PreviousRoomLookup lookup;
    lookup.make_server = [&] { return std::make_unique<FakeMediaClient>(server); };
    auto found = find_previous_rooms(audit, sources,
                                     {"status_callback", "status_callback_method", "media_region"},
                                     false, lookup);
    EXPECT_TRUE(found.empty());
    EXPECT_EQ(server.count(Call::previous_room), 0u);
}

TEST(PreviousRooms, AFailedRequestIsKeptAsTheRowsError) {
    FakeMediaServer server;
    server.fail(Call::previous_room, Failure::refused);
    AuditResult audit;
    audit.findings = {missing("class-7", "RM1")};
    PreviousRoomLookup lookup;
    lookup.make_server = [&] { return std::make_unique<FakeMediaClient>(server); };
    auto found = find_previous_rooms(audit, twilio_sources(), {}, false, lookup);
    EXPECT_FALSE(found.at("class-7").room);
    EXPECT_FALSE(found.at("class-7").error.empty());
}

TEST(ExecutorRoomSettings, TheCreateSendsThePlannedSettings) {
    ExecutorFixture f;
    f.store.rows["class-7"] = {std::nullopt, true};
    auto a = create_action("class-7");
    PreviousRoom previous{old_go_room(), SettingOrigin::previous_room, ""};
    a.settings = resolve_room_settings(twilio_sources(), {}, &previous);
    Plan plan{{a}};
    execute(plan, f.ports(), one_worker());
    ASSERT_EQ(f.server.created_with.size(), 1u);
    const auto& sent = f.server.created_with[0];
    EXPECT_EQ(sent.name, "class-7");
    EXPECT_EQ(sent.type, "go");
    EXPECT_EQ(sent.max_participants, 2u);
    EXPECT_EQ(sent.status_callback, old_go_room().status_callback);
    EXPECT_EQ(plan.actions[0].status, ActionStatus::done);
    EXPECT_TRUE(plan.actions[0].settings_mismatch.empty());
}

TEST(ExecutorRoomSettings, AnExistingRoomWithOtherSettingsIsSaidSo) {
    ExecutorFixture f;
    f.store.rows["class-7"] = {std::nullopt, true};
    f.server.add_room("class-7").max_participants = 50;  // made meanwhile, by someone else
    auto a = create_action("class-7");
    a.settings = RoomSettings{};
    a.settings->options.max_participants = 2;
    Plan plan{{a}};
    execute(plan, f.ports(), one_worker());
    const auto& done = plan.actions[0];
    EXPECT_EQ(done.status, ActionStatus::done);
    EXPECT_EQ(done.settings_mismatch, (std::vector<std::string>{"max_participants 50 (asked 2)"}));
    EXPECT_NE(done.reason.find("other settings"), std::string::npos) << done.reason;
}

}  // namespace
}  // namespace roomctl::reconcile
