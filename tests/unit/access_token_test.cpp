#include "roomctl/livekit/access_token.hpp"

#include <gtest/gtest.h>

#include "roomctl/token/jwt.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::livekit {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// 2026-01-01T00:00:00Z
const auto k_now = std::chrono::system_clock::time_point{seconds{1767225600}};

AccessTokenSpec spec_with(VideoGrant video, std::string identity = {}) {
    AccessTokenSpec spec;
    spec.api_key = "APIabc123";
    spec.identity = std::move(identity);
    spec.ttl = seconds{600};
    spec.video = std::move(video);
    return spec;
}

template <typename F>
void expect_usage_error(F&& f, std::string_view needle) {
    try {
        f();
        ADD_FAILURE() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string_view{e.what()}.find(needle), std::string_view::npos) << e.what();
    }
}

// ---- build_claims: the expected objects are written from livekit/protocol auth/accesstoken.go
// -----------

TEST(BuildClaims, JoinGrantWithRoomIdentityAndName) {
    VideoGrant g;
    g.room_join = true;
    g.room = "standup";
    AccessTokenSpec spec = spec_with(g, "alice");
    spec.name = "Alice";
    EXPECT_EQ(build_claims(spec, k_now), (json{
                                             {"iss", "APIabc123"},
                                             {"sub", "alice"},
                                             {"name", "Alice"},
                                             {"nbf", 1767225600},
                                             {"exp", 1767226200},
                                             {"video", {{"roomJoin", true}, {"room", "standup"}}},
                                         }));
}

TEST(BuildClaims, ListOnlyGrantHasNoSubject) {
    VideoGrant g;
    g.room_list = true;
    EXPECT_EQ(build_claims(spec_with(g), k_now), (json{
                                                     {"iss", "APIabc123"},
                                                     {"nbf", 1767225600},
                                                     {"exp", 1767226200},
                                                     {"video", {{"roomList", true}}},
                                                 }));
}

TEST(BuildClaims, AdminForOneRoom) {
    VideoGrant g;
    g.room_admin = true;
    g.room = "standup";
    EXPECT_EQ(build_claims(spec_with(g), k_now),
              (json{{"iss", "APIabc123"},
                    {"nbf", 1767225600},
                    {"exp", 1767226200},
                    {"video", {{"roomAdmin", true}, {"room", "standup"}}}}));
}

TEST(BuildClaims, ExplicitFalseIsWritten) {
    VideoGrant g;
    g.room_join = true;
    g.room = "r";
    g.can_publish = false;
    g.can_subscribe = true;
    const json claims = build_claims(spec_with(g, "bob"), k_now);
    EXPECT_EQ(
        claims.at("video"),
        (json{{"roomJoin", true}, {"room", "r"}, {"canPublish", false}, {"canSubscribe", true}}));
}

TEST(BuildClaims, CanPublishSources) {
    VideoGrant g;
    g.room_join = true;
    g.room = "r";
    g.can_publish_sources = {"camera", "screen_share"};
    EXPECT_EQ(build_claims(spec_with(g, "bob"), k_now).at("video"),
              (json{{"roomJoin", true},
                    {"room", "r"},
                    {"canPublishSources", json::array({"camera", "screen_share"})}}));
}

TEST(BuildClaims, AttributesAndMetadata) {
    VideoGrant g;
    g.room_join = true;
    g.room = "r";
    AccessTokenSpec spec = spec_with(g, "bob");
    spec.metadata = R"({"role":"host"})";
    spec.attributes = {{"team", "blue"}, {"desk", "4"}};
    EXPECT_EQ(build_claims(spec, k_now), (json{{"iss", "APIabc123"},
                                               {"sub", "bob"},
                                               {"nbf", 1767225600},
                                               {"exp", 1767226200},
                                               {"metadata", R"({"role":"host"})"},
                                               {"attributes", {{"desk", "4"}, {"team", "blue"}}},
                                               {"video", {{"roomJoin", true}, {"room", "r"}}}}));
}

TEST(BuildClaims, NoGrantMeansNoVideoClaimAndSubSecondsAreDropped) {
    AccessTokenSpec spec = spec_with({});
    spec.ttl = seconds{1};
    EXPECT_EQ(build_claims(spec, k_now + std::chrono::milliseconds{999}),
              (json{{"iss", "APIabc123"}, {"nbf", 1767225600}, {"exp", 1767225601}}));
}

TEST(BuildClaims, RejectsBadSpecs) {
    AccessTokenSpec spec = spec_with({});
    spec.ttl = seconds{0};
    expect_usage_error([&] { build_claims(spec, k_now); }, "ttl");
    spec.ttl = seconds{-5};
    expect_usage_error([&] { build_claims(spec, k_now); }, "ttl");
    spec.ttl = seconds{std::numeric_limits<seconds::rep>::max()};
    expect_usage_error([&] { build_claims(spec, k_now); }, "ttl");

    spec = spec_with({});
    spec.api_key.clear();
    expect_usage_error([&] { build_claims(spec, k_now); }, "API key");

    VideoGrant join;
    join.room_join = true;
    join.room = "r";
    expect_usage_error([&] { build_claims(spec_with(join), k_now); }, "identity");
    // roomJoin explicitly false does not need an identity.
    join.room_join = false;
    EXPECT_NO_THROW(build_claims(spec_with(join), k_now));
}

// ---- mint: compared with an independently computed token ----------------------------------

TEST(Mint, MatchesIndependentVector) {
    // Produced with python3's standard library:
    //   b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    //   enc = lambda o: json.dumps(o, sort_keys=True, separators=(",",":"),
    //                              ensure_ascii=False).encode("utf-8")
    //   claims = {"iss":"APIabc123","sub":"alice","name":"Zoë","metadata":'{"role":"host"}',
    //             "attributes":{"team":"blue"},"nbf":1767225600,"exp":1767226200,
    //             "video":{"roomJoin":True,"room":"standup","canPublish":False,
    //                      "canPublishSources":["camera","microphone"]}}
    //   si = b64(enc({"alg":"HS256","typ":"JWT"})) + "." + b64(enc(claims))
    //   si + "." + b64(hmac.new(b"secret-0123456789abcdef0123456789abcdef", si.encode(),
    //                           hashlib.sha256).digest())
    constexpr std::string_view expected =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJhdHRyaWJ1dGVzIjp7InRlYW0iOiJibHVlIn0sImV4cCI6MTc2NzIyNjIwMCwiaXNzIjoiQVBJYWJjMTIzIiwi"
        "bWV0YWRhdGEiOiJ7XCJyb2xlXCI6XCJob3N0XCJ9IiwibmFtZSI6Ilpvw6siLCJuYmYiOjE3NjcyMjU2MDAsInN1"
        "YiI6ImFsaWNlIiwidmlkZW8iOnsiY2FuUHVibGlzaCI6ZmFsc2UsImNhblB1Ymxpc2hTb3VyY2VzIjpbImNhbWVy"
        "YSIsIm1pY3JvcGhvbmUiXSwicm9vbSI6InN0YW5kdXAiLCJyb29tSm9pbiI6dHJ1ZX19."
        "TBSYN6wj2Ntg54ialUzewP8sb9aXPwf0LE-gTgG9hGc";
    VideoGrant g;
    g.room_join = true;
    g.room = "standup";
    g.can_publish = false;
    g.can_publish_sources = {"camera", "microphone"};
    AccessTokenSpec spec = spec_with(g, "alice");
    spec.name = "Zo\u00eb";
    spec.metadata = R"({"role":"host"})";
    spec.attributes = {{"team", "blue"}};
    const std::string secret = "secret-0123456789abcdef0123456789abcdef";

    const std::string minted = mint(spec, secret, k_now);
    EXPECT_EQ(minted, expected);
    EXPECT_TRUE(token::verify_hs256(token::decode(minted), secret));
}

TEST(Mint, RejectsEmptySecret) {
    VideoGrant g;
    g.room_list = true;
    expect_usage_error([&] { mint(spec_with(g), "", k_now); }, "secret");
}

// ---- VideoGrant -----------------------------------------------------------------------------

TEST(VideoGrant, EmptyMeansNothingSet) {
    VideoGrant g;
    EXPECT_TRUE(g.empty());
    EXPECT_EQ(g.to_json(), json::object());
    g.hidden = false;  // an explicit false is still a grant that is set
    EXPECT_FALSE(g.empty());
    g = {};
    g.room = "r";
    EXPECT_FALSE(g.empty());
    g = {};
    g.can_publish_sources = {"camera"};
    EXPECT_FALSE(g.empty());
}

TEST(VideoGrant, FromJsonRoundTripsEveryField) {
    VideoGrant g;
    g.room_create = true;
    g.room_list = false;
    g.room_record = true;
    g.room_admin = false;
    g.room_join = true;
    g.room = "standup";
    g.can_publish = false;
    g.can_subscribe = true;
    g.can_publish_data = false;
    g.can_publish_sources = {"microphone", "screen_share_audio"};
    g.can_update_own_metadata = true;
    g.ingress_admin = false;
    g.hidden = true;
    g.recorder = false;
    g.agent = true;

    const json j = g.to_json();
    EXPECT_EQ(j.size(), 15U);
    const VideoGrant back = VideoGrant::from_json(j);
    EXPECT_EQ(back.room_create, g.room_create);
    EXPECT_EQ(back.room_list, g.room_list);
    EXPECT_EQ(back.room_record, g.room_record);
    EXPECT_EQ(back.room_admin, g.room_admin);
    EXPECT_EQ(back.room_join, g.room_join);
    EXPECT_EQ(back.room, g.room);
    EXPECT_EQ(back.can_publish, g.can_publish);
    EXPECT_EQ(back.can_subscribe, g.can_subscribe);
    EXPECT_EQ(back.can_publish_data, g.can_publish_data);
    EXPECT_EQ(back.can_publish_sources, g.can_publish_sources);
    EXPECT_EQ(back.can_update_own_metadata, g.can_update_own_metadata);
    EXPECT_EQ(back.ingress_admin, g.ingress_admin);
    EXPECT_EQ(back.hidden, g.hidden);
    EXPECT_EQ(back.recorder, g.recorder);
    EXPECT_EQ(back.agent, g.agent);

    // An unset grant stays unset.
    EXPECT_TRUE(VideoGrant::from_json(VideoGrant{}.to_json()).empty());
}

TEST(VideoGrant, FromJsonReadsCamelCaseAndIgnoresUnknownKeys) {
    const VideoGrant g = VideoGrant::from_json(
        json{{"roomJoin", true}, {"room", "r"}, {"destinationRoom", "x"}, {"roomName", "y"}});
    EXPECT_EQ(g.room_join, true);
    EXPECT_EQ(g.room, "r");
    EXPECT_FALSE(g.room_admin.has_value());
    EXPECT_FALSE(g.can_publish.has_value());
    EXPECT_TRUE(VideoGrant::from_json(json{}).empty());
}

TEST(VideoGrant, FromJsonRejectsWrongTypes) {
    expect_usage_error([] { VideoGrant::from_json(json{{"roomJoin", "yes"}}); }, "roomJoin");
    expect_usage_error([] { VideoGrant::from_json(json{{"room", 5}}); }, "room");
    expect_usage_error(
        [] {
            VideoGrant::from_json(json{{"canPublishSources", "camera"}});
        },
        "canPublishSources");
    expect_usage_error(
        [] {
            VideoGrant::from_json(json{{"canPublishSources", {1}}});
        },
        "canPublishSources");
    expect_usage_error([] { VideoGrant::from_json(json::array()); }, "video grant");
}

}  // namespace
}  // namespace roomctl::livekit
