// One room and one participant over the scripted transport (tests/support/scripted_transport.hpp):
// what LiveKit's GetParticipant, RemoveParticipant, UpdateParticipant, MutePublishedTrack and
// UpdateRoomMetadata send and how their answers and errors are read; Twilio's fetch by SID,
// participant disconnect, and its one-line refusals, which send nothing. Stubs match by method
// and path; a request no stub answers, or a stub never used, fails the test.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "roomctl/livekit/room_service.hpp"
#include "roomctl/twilio/video_client.hpp"
#include "support/gtest_failure.hpp"
#include "support/scripted_transport.hpp"
#include "support/twilio_scripted_client.hpp"

namespace roomctl {
namespace {

using nlohmann::json;
using support::json_answer;
using support::ScriptedTransport;

const livekit::ApiEndpoint k_livekit{"http://127.0.0.1:7880", "APIkey123",
                                     "s3cret-value-0123456789", std::chrono::milliseconds{1000}};
const std::string k_service = "/twirp/livekit.RoomService/";

http::RetryPolicy quick() {
    http::RetryPolicy p;
    p.base_delay = std::chrono::milliseconds{1};
    p.max_delay = std::chrono::milliseconds{2};
    return p;
}

json not_found(const std::string& msg) {
    return {{"code", "not_found"}, {"msg", "twirp error unknown: " + msg}};
}

// ParticipantInfo as livekit-server emits it: snake_case, int64 as strings, enums by name.
json server_participant() {
    return {{"sid", "PA_abc"},
            {"identity", "alice"},
            {"state", "ACTIVE"},
            {"name", "Alice"},
            {"metadata", "m0"},
            {"joined_at", "1767225600"},
            {"kind", "STANDARD"},
            {"attributes", {{"team", "blue"}}},
            {"permission",
             {{"can_subscribe", true},
              {"can_publish", false},
              {"can_publish_data", true},
              {"can_publish_sources", {"MICROPHONE"}},
              {"hidden", false},
              {"can_update_metadata", true}}},
            {"tracks",
             {{{"sid", "TR_mic"},
               {"type", "AUDIO"},
               {"name", "mic"},
               {"muted", true},
               {"source", "MICROPHONE"},
               {"mime_type", "audio/opus"}}}}};
}

TEST(ParticipantAdminLiveKit, ReadsTracksPermissionAttributesByNameAndByNumber) {
    const auto p = livekit::participant_from_json(server_participant());
    EXPECT_EQ(p.kind, "STANDARD");
    EXPECT_EQ(p.metadata, "m0");
    EXPECT_EQ(p.attributes.at("team"), "blue");
    ASSERT_TRUE(p.permission);
    EXPECT_FALSE(p.permission->can_publish);
    EXPECT_TRUE(p.permission->can_update_metadata);
    EXPECT_EQ(p.permission->can_publish_sources, std::vector<std::string>{"MICROPHONE"});
    ASSERT_EQ(p.tracks.size(), 1u);
    EXPECT_EQ(p.tracks[0].sid, "TR_mic");
    EXPECT_EQ(p.tracks[0].type, "AUDIO");
    EXPECT_TRUE(p.tracks[0].muted);

    // SDKs write camelCase and enums as numbers: the same participant.
    const json sdk = {{"identity", "bob"},
                      {"state", 2},
                      {"kind", 4},
                      {"permission", {{"canPublish", true}, {"canPublishSources", {1, 2}}}},
                      {"tracks", {{{"sid", "TR_cam"}, {"type", 1}, {"source", 1}}}}};
    const auto b = livekit::participant_from_json(sdk);
    EXPECT_EQ(b.state, "ACTIVE");
    EXPECT_EQ(b.kind, "AGENT");
    EXPECT_EQ(b.permission->can_publish_sources,
              (std::vector<std::string>{"CAMERA", "MICROPHONE"}));
    EXPECT_EQ(b.tracks[0].type, "VIDEO");
    EXPECT_EQ(b.tracks[0].source, "CAMERA");

    // No permission key: unknown, not "may do nothing".
    EXPECT_FALSE(livekit::participant_from_json(json{{"identity", "c"}}).permission);
    EXPECT_THROW(livekit::participant_from_json(json{{"attributes", {{"k", 1}}}}), Error);
    EXPECT_THROW(livekit::participant_from_json(json{{"tracks", {{{"muted", "yes"}}}}}), Error);
}

TEST(ParticipantAdminLiveKit, UpdateParticipantSendsOnlyWhatIsSet) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "UpdateParticipant", json_answer(200, server_participant()));
    livekit::RoomServiceClient client{t, k_livekit, quick()};
    media::ParticipantUpdate u;
    u.metadata = "m1";
    u.attributes = {{"seat", "3"}, {"team", ""}};
    media::ParticipantPermission perm;
    perm.can_subscribe = true;
    perm.can_publish_sources = {"CAMERA"};
    u.permission = perm;
    const auto p = client.update_participant("session-42", "alice", u);
    EXPECT_EQ(p.identity, "alice");
    const auto sent = json::parse(t.requests().at(0).body);
    EXPECT_EQ(sent, (json{{"room", "session-42"},
                          {"identity", "alice"},
                          {"metadata", "m1"},
                          {"attributes", {{"seat", "3"}, {"team", ""}}},
                          {"permission",
                           {{"can_subscribe", true},
                            {"can_publish", false},
                            {"can_publish_data", false},
                            {"can_publish_sources", {"CAMERA"}},
                            {"hidden", false},
                            {"can_update_metadata", false}}}}));
}

TEST(ParticipantAdminLiveKit, NotFoundBecomesOneLineNamingRoomAndIdentity) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "UpdateParticipant",
         json_answer(404, not_found("participant does not exist")))
        .on("POST", k_service + "RemoveParticipant",
            json_answer(404, not_found("participant does not exist")))
        .on("POST", k_service + "GetParticipant",
            json_answer(404, not_found("participant does not exist")))
        .on("POST", k_service + "UpdateRoomMetadata",
            json_answer(404, not_found("requested room does not exist")));
    livekit::RoomServiceClient client{t, k_livekit, quick()};
    media::ParticipantUpdate u;
    u.name = "x";
    try {
        client.update_participant("session-42", "zed", u);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
        EXPECT_NE(std::string(e.what()).find("participant zed is not in room session-42"),
                  std::string::npos);
    }
    EXPECT_THROW(client.remove_participant("session-42", "zed"), Error);
    EXPECT_FALSE(client.get_participant("session-42", "zed"));
    try {
        client.update_room_metadata("gone", "x");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("room gone does not exist"), std::string::npos);
    }
}

TEST(ParticipantAdminLiveKit, MuteTrackSendsTheTrackAndExplainsARefusedUnmute) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "MutePublishedTrack",
         json_answer(200, {{"track", {{"sid", "TR_mic"}, {"muted", true}, {"type", "AUDIO"}}}}))
        .on("POST", k_service + "MutePublishedTrack",
            json_answer(412, {{"code", "failed_precondition"},
                              {"msg", "twirp error unknown: remote unmute not enabled"}}));
    livekit::RoomServiceClient client{t, k_livekit, quick()};
    const auto track = client.mute_track("session-42", "alice", "TR_mic", true);
    EXPECT_TRUE(track.muted);
    EXPECT_EQ(json::parse(t.requests().at(0).body), (json{{"room", "session-42"},
                                                          {"identity", "alice"},
                                                          {"track_sid", "TR_mic"},
                                                          {"muted", true}}));
    try {
        client.mute_track("session-42", "alice", "TR_mic", false);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("enable_remote_unmute"), std::string::npos);
    }
}

TEST(ParticipantAdminLiveKit, GetRoomBySidListsAllRooms) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "ListRooms", json_answer(200, {{"rooms", json::array()}}))
        .on("POST", k_service + "ListRooms",
            json_answer(
                200, {{"rooms",
                       {{{"name", "a"}, {"sid", "RM_one"}}, {{"name", "b"}, {"sid", "RM_two"}}}}}));
    livekit::RoomServiceClient client{t, k_livekit, quick()};
    const auto room = client.get_room("RM_two");
    ASSERT_TRUE(room);
    EXPECT_EQ(room->name, "b");
    EXPECT_EQ(json::parse(t.requests().at(0).body), (json{{"names", {"RM_two"}}}));
    EXPECT_EQ(json::parse(t.requests().at(1).body), json::object());
}

TEST(ParticipantAdminLiveKit, GetRoomOfAnUnknownNameAsksOnce) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "ListRooms", json_answer(200, {{"rooms", json::array()}}));
    livekit::RoomServiceClient client{t, k_livekit, quick()};
    EXPECT_FALSE(client.get_room("session-42"));  // not a SID: no full list
}

// ---- Twilio ----

const std::string k_sid = "RM0123456789abcdef0123456789abcdef";

twilio::VideoClient twilio_client(ScriptedTransport& transport) {
    return support::scripted_twilio_client(transport);
}

json twilio_error(int status, int code, const std::string& message) {
    return {{"code", code}, {"message", message}, {"status", status}};
}

TEST(ParticipantAdminTwilio, GetRoomFetchesBySidAndOnlyAnInProgressRoomCounts) {
    ScriptedTransport t{support::fail_test};
    t.on("GET", "/v1/Rooms/" + k_sid,
         json_answer(200,
                     {{"sid", k_sid}, {"unique_name", "session-42"}, {"status", "in-progress"}}))
        .on("GET", "/v1/Rooms/" + k_sid,
            json_answer(200,
                        {{"sid", k_sid}, {"unique_name", "session-42"}, {"status", "completed"}}))
        .on("GET", "/v1/Rooms/nope", json_answer(404, twilio_error(404, 20404, "not found")));
    auto client = twilio_client(t);
    auto room = client.get_room(k_sid);
    ASSERT_TRUE(room);
    EXPECT_EQ(room->name, "session-42");
    EXPECT_FALSE(client.get_room(k_sid));
    EXPECT_FALSE(client.get_room("nope"));
}

TEST(ParticipantAdminTwilio, RemoveParticipantPostsStatusDisconnected) {
    ScriptedTransport t{support::fail_test};
    const std::string path = "/v1/Rooms/session-42/Participants/alice";
    t.on("POST", path,
         json_answer(202, {{"sid", "PA0123"}, {"identity", "alice"}, {"status", "disconnected"}}))
        .on("POST", path, json_answer(400, twilio_error(400, 20001, "Status is invalid")));
    auto client = twilio_client(t);
    client.remove_participant("session-42", "alice");
    EXPECT_EQ(t.requests().at(0).body, "Status=disconnected");
    try {
        client.remove_participant("session-42", "alice");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
        EXPECT_NE(std::string(e.what()).find("participant alice is not in room session-42"),
                  std::string::npos);
    }
}

TEST(ParticipantAdminTwilio, WhatTwilioLacksIsRefusedWithoutARequest) {
    ScriptedTransport t{support::fail_test};  // no stubs: any request fails the test
    auto client = twilio_client(t);
    const auto refused = [](auto&& call, const std::string& words) {
        try {
            call();
            ADD_FAILURE() << "not refused";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
        }
    };
    refused([&] { client.update_room_metadata("session-42", "x"); },
            "Twilio rooms have no metadata");
    refused([&] { client.update_participant("session-42", "alice", {}); }, "Twilio");
    refused([&] { client.mute_track("session-42", "alice", "MT1", true); }, "Twilio");
    EXPECT_EQ(t.attempts(), 0u);
}

}  // namespace
}  // namespace roomctl
