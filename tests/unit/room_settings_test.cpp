// Room settings each provider accepts at creation (media::CreateRoomOptions): what Twilio's
// validation refuses and with which one-line message (twilio/room_settings.hpp), the form it
// sends, and LiveKit's refusal of the Twilio-only settings. No request is made.

#include "roomctl/twilio/room_settings.hpp"

#include <gtest/gtest.h>

#include "roomctl/livekit/room_service.hpp"
#include "roomctl/util/error.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

media::CreateRoomOptions named(const std::string& name = "session-42") {
    media::CreateRoomOptions o;
    o.name = name;
    return o;
}

// The Error(usage) message validate_create_options throws for `o`; "" when it accepts it.
std::string twilio_refusal(const media::CreateRoomOptions& o) {
    try {
        twilio::validate_create_options(o);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
        EXPECT_EQ(std::string{e.what()}.find('\n'), std::string::npos) << e.what();
        return e.what();
    }
    return {};
}

TEST(TwilioRoomSettings, AcceptsEveryDocumentedTypeAndRefusesOthers) {
    for (const char* type : {"group", "group-small", "peer-to-peer", "go"}) {
        auto o = named();
        o.type = type;
        EXPECT_EQ(twilio_refusal(o), "") << type;
    }
    auto o = named();
    o.type = "Group";  // the API's enum is lower-case
    EXPECT_EQ(twilio_refusal(o),
              "room type \"Group\" is not a Twilio Video room type: use group, group-small, "
              "peer-to-peer, go");
    o.type = "large\n\x1b[31m";
    EXPECT_EQ(twilio_refusal(o),
              "room type \"large\\n\\x1b[31m\" is not a Twilio Video room type: use group, "
              "group-small, peer-to-peer, go");
}

TEST(TwilioRoomSettings, MaxParticipantsUpToFiftyForEveryType) {
    for (const char* type : {"", "group", "go", "peer-to-peer", "group-small"}) {
        auto o = named();
        o.type = type;
        o.max_participants = 50;
        EXPECT_EQ(twilio_refusal(o), "") << type;
        o.max_participants = 51;
        EXPECT_EQ(twilio_refusal(o),
                  "max participants is 51, but Twilio Video rooms take at most 50: use 1 to 50")
            << type;
    }
}

TEST(TwilioRoomSettings, StatusCallbackMustBeAnAbsoluteHttpUrl) {
    for (const char* url : {"https://app.example.com/twilio/rooms", "http://10.0.0.5:8080/cb?x=1",
                            "HTTPS://hooks.example.com", "https://user:pw@app.example.com/cb"}) {
        auto o = named();
        o.status_callback = url;
        EXPECT_EQ(twilio_refusal(o), "") << url;
    }
    for (const char* url :
         {"/twilio/rooms", "app.example.com/cb", "ftp://app.example.com/cb", "https://",
          "https://:443/cb", "https://app.example.com/a b", "wss://app.example.com/cb"}) {
        auto o = named();
        o.status_callback = url;
        const auto why = twilio_refusal(o);
        EXPECT_TRUE(why.starts_with("status callback \"")) << url << ": " << why;
        EXPECT_TRUE(
            why.ends_with("is not an absolute http(s) URL: give the app's webhook, e.g. "
                          "https://app.example.com/twilio/rooms"))
            << why;
    }
    // A password in a callback URL is not echoed.
    auto o = named();
    o.status_callback = "htps://user:s3cret@app.example.com/cb";
    const auto why = twilio_refusal(o);
    EXPECT_EQ(why.find("s3cret"), std::string::npos) << why;
}

TEST(TwilioRoomSettings, StatusCallbackMethodIsGetOrPost) {
    auto o = named();
    for (const char* method : {"GET", "POST"}) {
        o.status_callback_method = method;
        EXPECT_EQ(twilio_refusal(o), "") << method;
    }
    o.status_callback_method = "PUT";
    EXPECT_EQ(twilio_refusal(o),
              "status callback method \"PUT\" is not one Twilio accepts: use GET or POST");
    o.status_callback_method = "post";
    EXPECT_NE(twilio_refusal(o), "");
}

TEST(TwilioRoomSettings, MediaRegionFromTwilioVideoRegions) {
    for (const char* region :
         {"gll", "au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2"}) {
        auto o = named();
        o.media_region = region;
        EXPECT_EQ(twilio_refusal(o), "") << region;
    }
    auto o = named();
    o.media_region = "eu-west-1";
    EXPECT_EQ(twilio_refusal(o),
              "media region \"eu-west-1\" is not a Twilio Video region: use gll, au1, br1, de1, "
              "ie1, in1, jp1, sg1, us1, us2");
}

TEST(TwilioRoomSettings, MetadataIsRefusedNotDropped) {
    auto o = named();
    o.metadata = R"({"topic":"x"})";
    EXPECT_EQ(twilio_refusal(o),
              "Twilio Video rooms have no metadata: leave metadata unset with provider twilio");
}

TEST(TwilioRoomSettings, TimeoutsAndNamesAsBefore) {
    auto o = named(std::string(129, 'x'));
    EXPECT_EQ(twilio_refusal(o), "room name is 129 characters; Twilio accepts at most 128");
    o = named();
    o.empty_timeout = 90;
    EXPECT_EQ(twilio_refusal(o),
              "--empty-timeout is 90 s, but Twilio takes whole minutes from 1 to 60 (e.g. 5m, "
              "60m)");
}

TEST(TwilioRoomSettings, FormIsGroupWithNothingElseByDefault) {
    EXPECT_EQ(twilio::create_form(named()),
              (Form{{"UniqueName", "session-42"}, {"Type", "group"}}));
}

TEST(TwilioRoomSettings, FormNamesEverySettingAsTwilioDoes) {
    auto o = named();
    o.type = "peer-to-peer";
    o.empty_timeout = 600;
    o.departure_timeout = 120;
    o.max_participants = 2;
    o.status_callback = "https://app.example.com/twilio/rooms";
    o.status_callback_method = "GET";
    o.media_region = "de1";
    EXPECT_EQ(twilio::create_form(o),
              (Form{{"UniqueName", "session-42"},
                    {"Type", "peer-to-peer"},
                    {"UnusedRoomTimeout", "10"},
                    {"EmptyRoomTimeout", "2"},
                    {"MaxParticipants", "2"},
                    {"StatusCallback", "https://app.example.com/twilio/rooms"},
                    {"StatusCallbackMethod", "GET"},
                    {"MediaRegion", "de1"}}));
}

// The Error(usage) message RoomServiceClient::validate throws for `o`; "" when it accepts it.
std::string livekit_refusal(const media::CreateRoomOptions& o) {
    support::ScriptedTransport t{};  // validate never sends a request
    livekit::RoomServiceClient client{t, livekit::ApiEndpoint{"http://127.0.0.1:7880", "k", "s",
                                                              std::chrono::milliseconds{1000}}};
    try {
        client.validate(o);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
        return e.what();
    }
    EXPECT_EQ(t.attempts(), 0u);
    return {};
}

TEST(LiveKitRoomSettings, AcceptsItsOwnSettings) {
    auto o = named();
    o.max_participants = 500;  // no limit of LiveKit's own
    o.metadata = std::string(1024, 'm');
    o.empty_timeout = 7;
    o.departure_timeout = 1;
    EXPECT_EQ(livekit_refusal(o), "");
}

TEST(LiveKitRoomSettings, RefusesTwilioOnlySettings) {
    const std::string tail =
        " is a Twilio Video setting; LiveKit rooms have none: leave it unset with provider "
        "livekit";
    auto o = named();
    o.type = "group";
    EXPECT_EQ(livekit_refusal(o), "room type" + tail);
    o = named();
    o.status_callback = "https://app.example.com/cb";
    EXPECT_EQ(livekit_refusal(o), "status callback" + tail);
    o = named();
    o.status_callback_method = "POST";
    EXPECT_EQ(livekit_refusal(o), "status callback method" + tail);
    o = named();
    o.media_region = "us1";
    EXPECT_EQ(livekit_refusal(o), "media region" + tail);
}

}  // namespace
}  // namespace roomctl
