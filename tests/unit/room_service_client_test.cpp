// RoomServiceClient (livekit/room_service.hpp) over the scripted transport
// (tests/support/scripted_transport.hpp): which Twirp route each call takes, what it sends, and
// how it reads the answers. Stubs match by method and path; one left unused fails the test.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "roomctl/livekit/room_service.hpp"
#include "support/gtest_failure.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl::livekit {
namespace {

using nlohmann::json;
using support::json_answer;
using support::ScriptedTransport;

const ApiEndpoint k_endpoint{"http://127.0.0.1:7880", "APIkey123", "s3cret-value-0123456789",
                             std::chrono::milliseconds{1000}};
const std::string k_service = "/twirp/livekit.RoomService/";

http::RetryPolicy quick() {
    http::RetryPolicy p;
    p.base_delay = std::chrono::milliseconds{1};
    p.max_delay = std::chrono::milliseconds{2};
    return p;
}

std::string header(const http::Request& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

TEST(RoomServiceClient, DeleteRoomPostsTheNameAndReadsNotFoundAsAlreadyGone) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "DeleteRoom",
         json_answer(404, {{"code", "not_found"}, {"msg", "requested room does not exist"}}));
    RoomServiceClient client{t, k_endpoint, quick()};
    EXPECT_EQ(client.delete_room("session-42", "RM_ignored"), media::DeleteOutcome::already_gone);
    const auto sent = t.requests();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(json::parse(sent[0].body), (json{{"room", "session-42"}}));
    EXPECT_TRUE(header(sent[0], "Authorization").starts_with("Bearer ey")) << sent[0].url;
    EXPECT_EQ(sent[0].body.find("s3cret"), std::string::npos);  // the secret signs, never travels
}

TEST(RoomServiceClient, ListRoomsOutlastsA503AndParsesTheRooms) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "ListRooms", support::answer(503, "upstream busy"))
        .on("POST", k_service + "ListRooms",
            json_answer(200, {{"rooms",
                               {{{"name", "session-42"},
                                 {"sid", "RM_abc"},
                                 {"creation_time", "1767225600"},
                                 {"num_participants", 2}}}}}));
    RoomServiceClient client{t, k_endpoint, quick()};
    const auto rooms = client.list_rooms({"session-42"});
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].sid, "RM_abc");
    EXPECT_EQ(rooms[0].creation_time, 1767225600);
    EXPECT_EQ(rooms[0].num_participants, 2u);
    EXPECT_EQ(t.attempts(), 2u);
    EXPECT_EQ(json::parse(t.requests()[1].body)["names"], (json{"session-42"}));
}

// CreateRoom is idempotent on LiveKit (an existing room comes back unchanged), so an answer
// lost to a timeout is asked for again.
TEST(RoomServiceClient, CreateRoomWhoseAnswerWasLostIsAskedAgain) {
    ScriptedTransport t{support::fail_test};
    t.on("POST", k_service + "CreateRoom",
         support::transport_failure(http::FailureCause::timeout, "no answer within 1 s"))
        .on("POST", k_service + "CreateRoom",
            json_answer(200, {{"name", "session-42"}, {"sid", "RM_abc"}, {"empty_timeout", 300}}));
    RoomServiceClient client{t, k_endpoint, quick()};
    media::CreateRoomOptions o;
    o.name = "session-42";
    o.empty_timeout = 300;
    const auto room = client.create_room(o);
    EXPECT_EQ(room.sid, "RM_abc");
    EXPECT_EQ(room.empty_timeout, 300u);
    ASSERT_EQ(t.attempts(), 2u);
    const auto body = json::parse(t.requests()[1].body);
    EXPECT_EQ(body["name"], "session-42");
    EXPECT_EQ(body["empty_timeout"], 300);
}

}  // namespace
}  // namespace roomctl::livekit
