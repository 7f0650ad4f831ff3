// Valid but dangerous tokens that only the server can reveal (issue 16 item 2): the session's
// room missing on the server (mint/session_room.hpp) and the token's identity already in its
// room (inspect/server_check.hpp), against an in-memory media server.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/inspect/server_check.hpp"
#include "roomctl/mint/session_room.hpp"
#include "support/fake_media_server.hpp"

namespace roomctl {
namespace {

using support::Call;
using support::Failure;
using support::FakeMediaServer;

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

TEST(SessionRoomWarning, NoneWhenTheRoomIsThere) {
    FakeMediaServer server;
    server.add_room("session-42");
    EXPECT_FALSE(mint::session_room_warning(server, "session-42").has_value());
}

TEST(SessionRoomWarning, LiveKitNamesBothAutoCreateOutcomesAndRecreate) {
    FakeMediaServer server;
    server.add_room("session-41");
    const auto w = mint::session_room_warning(server, "session-42");
    ASSERT_TRUE(w.has_value());
    EXPECT_TRUE(contains(*w, "\"session-42\"")) << *w;
    EXPECT_TRUE(contains(*w, "requested room does not exist")) << *w;
    EXPECT_TRUE(contains(*w, "server's defaults, not the app's settings")) << *w;
    EXPECT_TRUE(contains(*w, "roomctl recreate session-42 --apply")) << *w;
}

TEST(SessionRoomWarning, TwilioNames53106) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    const auto w = mint::session_room_warning(server, "session-42");
    ASSERT_TRUE(w.has_value());
    EXPECT_TRUE(contains(*w, "53106")) << *w;
    EXPECT_TRUE(contains(*w, "roomctl recreate session-42 --apply")) << *w;
}

TEST(SessionRoomWarning, AnUnreachableServerIsOneLineAndAnInterruptIsNot) {
    FakeMediaServer server;
    server.fail(Call::list_rooms, Failure::unreachable);
    const auto w = mint::session_room_warning(server, "session-42");
    ASSERT_TRUE(w.has_value());
    EXPECT_TRUE(contains(*w, "could not ask the server")) << *w;
    EXPECT_TRUE(contains(*w, "--no-server-check")) << *w;
    EXPECT_EQ(w->find('\n'), std::string::npos);

    server.fail(Call::list_rooms, Failure::interrupted);
    EXPECT_THROW((void)mint::session_room_warning(server, "session-42"), Error);
}

inspect::Inspection join_inspection(const std::string& identity, const std::string& room) {
    inspect::Inspection r;
    r.provider = inspect::TokenProvider::livekit;
    r.identity = identity;
    livekit::VideoGrant v;
    v.room_join = true;
    v.room = room;
    r.video = v;
    return r;
}

TEST(IdentityOnServer, AConnectedIdentityIsAWarningNamingIt) {
    FakeMediaServer server;
    server.add_room("demo", 2);  // identities user0, user1
    auto r = join_inspection("user1", "demo");
    inspect::check_identity_on_server(server, r, "");
    ASSERT_TRUE(r.has("identity_connected"));
    EXPECT_TRUE(r.valid());  // a warning, not an error
    const auto& d = r.diagnoses.back();
    EXPECT_TRUE(contains(d.message, "\"user1\"")) << d.message;
    EXPECT_TRUE(contains(d.message, "disconnects that participant")) << d.message;
    EXPECT_TRUE(contains(d.message, "own identity")) << d.message;

    auto other = join_inspection("user7", "demo");
    inspect::check_identity_on_server(server, other, "");
    EXPECT_TRUE(other.diagnoses.empty());
}

TEST(IdentityOnServer, NoRoomNoCheckAndAFailureIsNamed) {
    FakeMediaServer server;
    auto r = join_inspection("user0", "nowhere");
    inspect::check_identity_on_server(server, r, "");
    EXPECT_TRUE(r.diagnoses.empty());

    server.add_room("demo", 1);
    server.fail(Call::list_participants, Failure::refused);
    auto failed = join_inspection("user0", "demo");
    inspect::check_identity_on_server(server, failed, "");
    EXPECT_TRUE(failed.has("identity_not_checked"));
    EXPECT_TRUE(failed.valid());
}

}  // namespace
}  // namespace roomctl
