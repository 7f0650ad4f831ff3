// token create's core: the Minter (grant assembly, checks, batches) and the batch writer
// (report/token_lines). A batch must be byte for byte what minting each token alone makes.

#include "roomctl/mint/mint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "roomctl/report/token_lines.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::mint {
namespace {

using std::chrono::seconds;
const std::chrono::system_clock::time_point k_now{seconds{1767225600}};  // 2026-01-01T00:00Z

config::Settings livekit_settings() {
    config::Settings s;
    s.provider = config::Provider::livekit;
    s.livekit.api_key = "APImintKey";
    s.livekit.api_secret = "mint-livekit-secret-0123456789abcdef";
    return s;
}

config::Settings twilio_settings() {
    config::Settings s;
    s.provider = config::Provider::twilio;
    s.twilio.account_sid = "AC0123456789abcdef0123456789abcdef";
    s.twilio.api_key = "SK89abcdef0123456789abcdef01234567";
    s.twilio.api_secret = "mint-twilio-secret-0123456789abcdef";
    return s;
}

struct Line {
    Subject who;
    std::string token;
};

std::vector<Line> batch_of(const Minter& m) {
    std::vector<Line> out;
    m.mint_batch([&out](const Subject& who, std::string_view t) {
        out.push_back({who, std::string{t}});
    });
    return out;
}

TEST(Mint, LiveKitTokenCarriesOnlyTheGrantsAskedFor) {
    MintRequest r;
    r.join = true;
    r.room = "session-42";
    r.identity = "alice";
    r.can_publish = false;
    const Minter m(r, livekit_settings(), k_now);
    EXPECT_EQ(m.provider(), "livekit");
    const auto t = m.mint({r.identity, r.name, r.room});
    EXPECT_TRUE(t.header.is_null());
    EXPECT_TRUE(token::verify_hs256(token::decode(t.token), livekit_settings().livekit.api_secret));
    const auto& video = t.claims.at("video");
    EXPECT_EQ(video.at("roomJoin"), true);
    EXPECT_EQ(video.at("room"), "session-42");
    EXPECT_EQ(video.at("canPublish"), false);
    EXPECT_FALSE(video.contains("canSubscribe"));  // not asked for: the server's default
    EXPECT_EQ(t.claims.at("sub"), "alice");
    EXPECT_EQ(t.claims.at("exp"), 1767225600 + 3600);
}

TEST(Mint, TwilioTokenHasItsHeaderAndRefusesLiveKitFlags) {
    MintRequest r;
    r.identity = "alice";
    r.room = "breakout-2";
    const Minter m(r, twilio_settings(), k_now);
    EXPECT_EQ(m.provider(), "twilio");
    const auto t = m.mint({r.identity, r.name, r.room});
    EXPECT_EQ(t.header.at("cty"), "twilio-fpa;v=1");
    EXPECT_EQ(token::decode(t.token).header.at("cty"), "twilio-fpa;v=1");
    EXPECT_EQ(t.claims.at("grants").at("video").at("room"), "breakout-2");

    r.hidden = true;
    EXPECT_THROW(Minter(r, twilio_settings(), k_now), Error);
}

TEST(Mint, RefusesWhatCannotBecomeAToken) {
    MintRequest none;  // no grant
    EXPECT_THROW(Minter(none, livekit_settings(), k_now), Error);

    MintRequest join;
    join.join = true;
    join.room = "r";
    EXPECT_THROW(Minter(join, livekit_settings(), k_now), Error);  // join without identity

    join.identity = "same-for-all";
    join.count = 3;  // a batch of joins needs {i} in the identity
    EXPECT_THROW(Minter(join, livekit_settings(), k_now), Error);

    MintRequest list;
    list.list = true;
    auto no_secret = livekit_settings();
    no_secret.livekit.api_secret.clear();
    try {
        Minter(list, no_secret, k_now);
        FAIL() << "minted without a secret";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
    }
}

// lk's token flags: --grant merges VideoGrant keys, --agent/--job-metadata and --room-config
// become roomConfig as lk writes it (agents[] of {agentName, metadata}).
TEST(Mint, GrantJsonRoomConfigAndAgentsAsLkWritesThem) {
    MintRequest r;
    r.join = true;
    r.room = "support-7";
    r.identity = "caller";
    r.metadata = R"({"role":"host"})";
    r.attributes = {"team=blue"};
    r.grant = R"({"canSubscribeMetrics":true,"canPublish":false,"destinationRoom":"d"})";
    r.room_config = R"({"emptyTimeout":600,"max_participants":3})";
    r.agents = {"support-bot"};
    r.job_metadata = R"({"ticket":7})";
    const Minter m(r, livekit_settings(), k_now);
    const auto t = m.mint({r.identity, r.name, r.room});
    EXPECT_TRUE(token::verify_hs256(token::decode(t.token), livekit_settings().livekit.api_secret));
    EXPECT_EQ(t.claims.at("video"), nlohmann::json::parse(R"({"roomJoin":true,"room":"support-7",
        "canPublish":false,"canSubscribeMetrics":true,"destinationRoom":"d"})"));
    EXPECT_EQ(t.claims.at("roomConfig"), nlohmann::json::parse(R"({"emptyTimeout":600,
        "max_participants":3,"agents":[{"agentName":"support-bot","metadata":"{\"ticket\":7}"}]})"));
    EXPECT_EQ(t.claims.at("metadata"), R"({"role":"host"})");
    EXPECT_EQ(t.claims.at("attributes"), nlohmann::json::parse(R"({"team":"blue"})"));

    MintRequest plain;  // nothing asked for: no roomConfig claim at all
    plain.list = true;
    EXPECT_FALSE(Minter(plain, livekit_settings(), k_now).mint({}).claims.contains("roomConfig"));

    MintRequest only_grant;  // a grant given only as JSON still counts as a grant
    only_grant.grant = R"({"roomList":true})";
    EXPECT_EQ(Minter(only_grant, livekit_settings(), k_now).mint({}).claims.at("video"),
              nlohmann::json::parse(R"({"roomList":true})"));
}

TEST(Mint, RefusesGrantAndRoomConfigItCannotVouchFor) {
    auto refused = [](MintRequest r, const std::string& expected) {
        r.join = r.grant.find("roomJoin") == std::string::npos;
        r.room = "r";
        r.identity = "i";
        try {
            Minter(r, livekit_settings(), k_now);
            ADD_FAILURE() << "accepted; expected " << expected;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            EXPECT_NE(std::string{e.what()}.find(expected), std::string::npos) << e.what();
        }
    };
    MintRequest r;
    r.grant = R"({"roomName":"x"})";  // livekit/livekit#3566: not a grant key
    refused(r, "\"roomName\" is not a LiveKit video grant");
    r.grant = R"({"room":"x"})";
    refused(r, "--room");
    r.grant = R"({"canPublish":"yes"})";
    refused(r, "canPublish");
    r.grant = R"({"canPublishSources":["webcam"]})";
    refused(r, "webcam");
    r.grant = "[1]";
    refused(r, "--grant must be a JSON object");
    r.grant = R"({"canPublish":true})";
    r.can_publish = false;
    refused(r, "--grant sets \"canPublish\"");
    r = {};
    r.room_config = R"({"egress":{"room":{}}})";
    refused(r, "egress");
    r.room_config = R"({"emptyTimeout":-1})";
    refused(r, "emptyTimeout");
    r.room_config = R"({"agents":[{"name":"x"}]})";
    refused(r, "agents[] has no key \"name\"");
    r = {};
    r.job_metadata = "x";
    refused(r, "--job-metadata");
}

TEST(Mint, TwilioNamesTheLiveKitOnlyFlag) {
    MintRequest r;
    r.identity = "alice";
    r.agents = {"bot"};
    try {
        Minter(r, twilio_settings(), k_now);
        FAIL() << "Twilio token with --agent";
    } catch (const Error& e) {
        EXPECT_EQ(std::string{e.what()},
                  "--agent is LiveKit-only: Twilio Video tokens carry only --identity, --room and "
                  "--ttl");
    }
}

TEST(Mint, TtlNeedsAUnit) {
    MintRequest r;
    r.list = true;
    r.ttl = "600";
    try {
        Minter(r, livekit_settings(), k_now);
        FAIL() << "--ttl 600 accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string{e.what()}.find("--ttl: "), std::string::npos) << e.what();
        EXPECT_NE(std::string{e.what()}.find("did you mean 600m?"), std::string::npos);
    }
}

TEST(Mint, BatchIsByteForByteWhatEachTokenAloneIs) {
    for (const auto& settings : {livekit_settings(), twilio_settings()}) {
        MintRequest r;
        r.join = settings.provider == config::Provider::livekit;
        r.identity = "user-{i}";
        r.room = "load-{i}";
        r.count = 12;
        const Minter m(r, settings, k_now);
        const auto lines = batch_of(m);
        ASSERT_EQ(lines.size(), 12u);
        for (unsigned i = 1; i <= 12; ++i) {
            const auto& line = lines[i - 1];
            EXPECT_EQ(line.who.identity, "user-" + std::to_string(i));
            EXPECT_EQ(line.who.room, "load-" + std::to_string(i));
            EXPECT_EQ(line.token, m.mint(line.who).token) << m.provider() << " token " << i;
        }
    }
}

TEST(Mint, RefusesARoomNameTheServerWouldRefuse) {
    MintRequest r;
    r.list = true;
    r.room = std::string(300, 'x') + "{i}";
    r.count = 2;
    EXPECT_THROW(Minter(r, livekit_settings(), k_now), Error);

    // 256 bytes as given; token 1000's room is 257 once {i} is expanded.
    r.room = std::string(253, 'x') + "{i}";
    r.count = 1000;
    const Minter m(r, livekit_settings(), k_now);
    unsigned calls = 0;
    EXPECT_THROW(m.mint_batch([&calls](const Subject&, std::string_view) { ++calls; }), Error);
    EXPECT_EQ(calls, 999u);
}

TEST(Mint, ExpandReplacesEveryPlaceholder) {
    EXPECT_EQ(expand("u-{i}-{i}", 7), "u-7-7");
    EXPECT_EQ(expand("{i}{i}", 10), "1010");
    EXPECT_EQ(expand("plain", 3), "plain");
}

TEST(TokenLines, WritesOneCompactObjectPerLine) {
    report::TokenLines out(false);
    out.add("alice", "", "aaa.bbb.ccc");
    out.add("b\"ob\n", "room-1", "ddd.eee.fff");
    EXPECT_EQ(out.lines(),
              "{\"identity\":\"alice\",\"token\":\"aaa.bbb.ccc\"}\n"
              "{\"identity\":\"b\\\"ob\\n\",\"room\":\"room-1\",\"token\":\"ddd.eee.fff\"}\n");
    const auto doc = out.take_batch_json("livekit", 2);
    EXPECT_TRUE(doc.at("tokens").empty());
}

TEST(TokenLines, JsonDocumentCollectsTheSameTokens) {
    report::TokenLines out(true);
    out.add("alice", "", "aaa.bbb.ccc");
    out.add("bob", "room-1", "ddd.eee.fff");
    EXPECT_EQ(out.lines(), "");
    const auto doc = out.take_batch_json("twilio", 2);
    EXPECT_EQ(doc.at("command"), "token create");
    EXPECT_EQ(doc.at("provider"), "twilio");
    EXPECT_EQ(doc.at("count"), 2);
    EXPECT_EQ(doc.at("tokens").dump(),
              R"([{"identity":"alice","token":"aaa.bbb.ccc"},)"
              R"({"identity":"bob","room":"room-1","token":"ddd.eee.fff"}])");
}

TEST(TokenLines, SingleTokenDocumentShowsTwilioHeaderOnly) {
    const nlohmann::json claims = {{"exp", 1767229200}, {"sub", "alice"}};
    const auto lk = report::token_json("livekit", "t.o.k", claims, nullptr);
    EXPECT_FALSE(lk.contains("header"));
    EXPECT_EQ(lk.at("expires_at"), "2026-01-01T01:00:00Z");
    const auto tw = report::token_json("twilio", "t.o.k", claims, {{"cty", "twilio-fpa;v=1"}});
    EXPECT_EQ(tw.at("header").at("cty"), "twilio-fpa;v=1");
}

}  // namespace
}  // namespace roomctl::mint
