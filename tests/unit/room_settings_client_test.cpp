// Room settings on the wire, over the scripted transport (tests/support/scripted_transport.hpp):
// what Twilio's CreateRoom and LiveKit's CreateRoom send for media::CreateRoomOptions, what
// each reads back into media::ServerRoom, and Twilio's previous_room(). Stubs match by method
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

const std::string k_sid = "RM0123456789abcdef0123456789abcdef";
const std::string k_room_path = "/v1/Rooms/" + k_sid;

twilio::VideoClient twilio_client(ScriptedTransport& transport) {
    return support::scripted_twilio_client(transport);
}

// A room resource as Twilio's spec example gives it (FetchRoom 200), with `status`.
json twilio_room(const std::string& status) {
    return {{"sid", k_sid},
            {"status", status},
            {"date_created", "2026-01-01T00:00:00Z"},
            {"unique_name", "session-42"},
            {"type", "peer-to-peer"},
            {"max_participants", 10},
            {"status_callback", "https://app.example.com/twilio/rooms"},
            {"status_callback_method", "GET"},
            {"media_region", "de1"},
            {"empty_room_timeout", 5},
            {"unused_room_timeout", 15},
            {"end_time", status == "completed" ? json("2026-01-01T01:00:00Z") : json(nullptr)}};
}

TEST(TwilioCreateRoomSettings, SendsEachSettingUnderTwiliosName) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", "/v1/Rooms", json_answer(201, twilio_room("in-progress")));
    auto client = twilio_client(t);
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.type = "peer-to-peer";
    o.max_participants = 10;
    o.status_callback = "https://app.example.com/twilio/rooms?k=a&b=c";
    o.status_callback_method = "GET";
    o.media_region = "de1";
    const auto room = client.create_room(o);
    const auto sent = t.requests();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].body,
              "UniqueName=session-42&Type=peer-to-peer&MaxParticipants=10"
              "&StatusCallback=https%3A%2F%2Fapp.example.com%2Ftwilio%2Frooms%3Fk%3Da%26b%3Dc"
              "&StatusCallbackMethod=GET&MediaRegion=de1");
    EXPECT_EQ(room.type, "peer-to-peer");
    EXPECT_EQ(room.media_region, "de1");
}

TEST(TwilioCreateRoomSettings, NoTypeGivenIsStillGroup) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", "/v1/Rooms", json_answer(201, twilio_room("in-progress")));
    auto client = twilio_client(t);
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.empty_timeout = 300;
    client.create_room(o);
    EXPECT_EQ(t.requests().at(0).body, "UniqueName=session-42&Type=group&UnusedRoomTimeout=5");
}

TEST(TwilioCreateRoomSettings, RefusedSettingsSendNothing) {
    ScriptedTransport t{support::fail_test};
    auto client = twilio_client(t);
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.metadata = "m";
    EXPECT_THROW(client.create_room(o), Error);
    o.metadata.clear();
    o.media_region = "mars1";
    EXPECT_THROW(client.create_room(o), Error);
    EXPECT_EQ(t.attempts(), 0u);
}

TEST(TwilioRoomFromJson, ReadsTheSettingsTheRoomWasMadeWith) {
    const auto room = twilio::room_from_json(twilio_room("completed"));
    EXPECT_EQ(room.status, "completed");
    EXPECT_EQ(room.type, "peer-to-peer");
    EXPECT_EQ(room.max_participants, 10u);
    EXPECT_EQ(room.status_callback, "https://app.example.com/twilio/rooms");
    EXPECT_EQ(room.status_callback_method, "GET");
    EXPECT_EQ(room.media_region, "de1");
    EXPECT_EQ(room.empty_timeout, 900u);      // unused_room_timeout, minutes -> seconds
    EXPECT_EQ(room.departure_timeout, 300u);  // empty_room_timeout
    EXPECT_EQ(room.metadata, "");
    // Nullable fields read as "not known"; a wrong type is an error, not a guess.
    json sparse = {{"sid", k_sid}, {"status_callback", nullptr}, {"media_region", nullptr}};
    EXPECT_EQ(twilio::room_from_json(sparse).status_callback, "");
    sparse["type"] = 3;
    EXPECT_THROW(twilio::room_from_json(sparse), Error);
}

TEST(TwilioPreviousRoom, ReturnsACompletedRoomWithItsSettings) {
    ScriptedTransport t{support::fail_test};
    t.on("GET", k_room_path, json_answer(200, twilio_room("completed")));
    auto client = twilio_client(t);
    const auto room = client.previous_room(k_sid);
    ASSERT_TRUE(room.has_value());
    EXPECT_EQ(room->sid, k_sid);
    EXPECT_EQ(room->status, "completed");
    EXPECT_EQ(room->type, "peer-to-peer");
    EXPECT_EQ(room->status_callback, "https://app.example.com/twilio/rooms");
}

TEST(TwilioPreviousRoom, AskedTwiceBeforeItIsUnknown) {
    const json not_found = {{"code", 20404}, {"message", "not found"}, {"status", 404}};
    ScriptedTransport t{support::fail_test};
    t.on("GET", k_room_path, json_answer(404, not_found))
        .on("GET", k_room_path, json_answer(404, not_found));
    auto client = twilio_client(t);
    EXPECT_FALSE(client.previous_room(k_sid).has_value());
    EXPECT_EQ(t.attempts(), 2u);

    // A 404 right after a room ended can be followed by the room (twilio-node#593).
    ScriptedTransport late{support::fail_test};
    late.on("GET", k_room_path, json_answer(404, not_found))
        .on("GET", k_room_path, json_answer(200, twilio_room("completed")));
    auto client2 = twilio_client(late);
    EXPECT_TRUE(client2.previous_room(k_sid).has_value());
}

TEST(TwilioPreviousRoom, NoSidNoRequest) {
    ScriptedTransport t{support::fail_test};
    auto client = twilio_client(t);
    EXPECT_FALSE(client.previous_room("").has_value());
    EXPECT_EQ(t.attempts(), 0u);
}

TEST(TwilioPreviousRoom, RefusedCredentialsAreAnError) {
    ScriptedTransport t{support::fail_test};
    t.on("GET", k_room_path,
         json_answer(401, {{"code", 20003}, {"message", "Authenticate"}, {"status", 401}}));
    auto client = twilio_client(t);
    try {
        client.previous_room(k_sid);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth) << e.what();
    }
}

const livekit::ApiEndpoint k_livekit{"http://127.0.0.1:7880", "APIkey123",
                                     "s3cret-value-0123456789", std::chrono::milliseconds{1000}};

TEST(LiveKitCreateRoomSettings, SendsMaxParticipantsAndMetadata) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", "/twirp/livekit.RoomService/CreateRoom",
         json_answer(200, {{"name", "session-42"},
                           {"sid", "RM_abc"},
                           {"max_participants", 4},
                           {"metadata", R"({"topic":"x"})"},
                           {"departure_timeout", 30}}));
    livekit::RoomServiceClient client{t, k_livekit};
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.max_participants = 4;
    o.metadata = R"({"topic":"x"})";
    o.departure_timeout = 30;
    const auto room = client.create_room(o);
    EXPECT_EQ(json::parse(t.requests().at(0).body), (json{{"name", "session-42"},
                                                          {"max_participants", 4},
                                                          {"metadata", R"({"topic":"x"})"},
                                                          {"departure_timeout", 30}}));
    EXPECT_EQ(room.max_participants, 4u);
    EXPECT_EQ(room.metadata, R"({"topic":"x"})");
    EXPECT_EQ(room.departure_timeout, 30u);
    EXPECT_EQ(room.status, "");  // LiveKit reports none
}

TEST(LiveKitCreateRoomSettings, TwilioOnlySettingsSendNothing) {
    ScriptedTransport t{support::fail_test};
    livekit::RoomServiceClient client{t, k_livekit};
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.type = "go";
    EXPECT_THROW(client.create_room(o), Error);
    EXPECT_EQ(t.attempts(), 0u);
}

TEST(LiveKitPreviousRoom, ClosedRoomsAreGoneSoNoRequest) {
    ScriptedTransport t{support::fail_test};
    livekit::RoomServiceClient client{t, k_livekit};
    EXPECT_FALSE(client.previous_room("RM_abc").has_value());
    EXPECT_EQ(t.attempts(), 0u);
}

}  // namespace
}  // namespace roomctl
