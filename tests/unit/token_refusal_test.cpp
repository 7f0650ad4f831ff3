// Who is to blame when the server refuses a token (livekit/diagnose.hpp): the token's own
// claims against this machine's clock and the server's (its Date header), with the server's
// words shown beside roomctl's reading. Wordings: go-jose (servers <= v1.12) and jwt/v5
// (>= v1.13), as /work/shared/reference/livekit-protocol.md §2 lists them.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/twilio/rest.hpp"

namespace roomctl::livekit {
namespace {

constexpr std::int64_t k_now = 1'800'000'000;  // 2027-01-15T08:00:00Z

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A token minted elsewhere for an hour, `age` seconds ago by this machine's clock.
TokenClock minted_ago(std::int64_t age) { return {k_now - age, k_now - age + 3600, k_now}; }

const char* k_jwt_expired =
    "invalid authorization token: token has invalid claims: token is expired";
const char* k_jose_expired = "go-jose/go-jose/jwt: validation failed, token is expired (exp)";
const char* k_jwt_nbf =
    "invalid authorization token: token has invalid claims: token is not valid yet";
const char* k_jose_nbf = "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)";

TEST(TokenRefusal, ExpiredHereAndThereIsExpiredNotTheClock) {
    // Expired 2 h ago by the local clock; the server's clock is also off by 10 min: the token
    // is still simply expired.
    for (const char* body : {k_jwt_expired, k_jose_expired, "invalid authorization token"}) {
        for (const std::optional<std::int64_t> offset :
             {std::optional<std::int64_t>{}, std::optional<std::int64_t>{600},
              std::optional<std::int64_t>{-600}}) {
            const auto r = describe_auth_failure(body, "APIk", offset, minted_ago(3 * 3600));
            EXPECT_TRUE(contains(r.cause, "token expired 2h ago (exp 2027-01-15T06:00:00Z)"))
                << r.cause;
            EXPECT_FALSE(contains(r.cause, "clock is")) << r.cause;
            EXPECT_FALSE(contains(r.cause, "NTP")) << r.cause;
            EXPECT_EQ(r.server_message, body);
        }
    }
}

TEST(TokenRefusal, ValidHereButServerAheadIsTheClock) {
    // Minted 30 min ago for 1 h: valid here; the server (15 min ahead... of a 1 h token: say
    // 40 min) says expired.
    for (const char* body : {k_jwt_expired, k_jose_expired}) {
        const auto r = describe_auth_failure(body, "APIk", 2400, minted_ago(1800));
        EXPECT_TRUE(contains(r.cause, "valid by this machine's clock")) << r.cause;
        EXPECT_TRUE(contains(r.cause, "server's clock is ahead of this machine's")) << r.cause;
        EXPECT_TRUE(contains(r.cause, "2400 s ahead of this machine's")) << r.cause;
        EXPECT_TRUE(contains(r.line(), std::string("server said: \"") + body + "\"")) << r.line();
    }
    // Without a Date header, the server's word is enough when the token is valid here.
    const auto unmeasured =
        describe_auth_failure(k_jwt_expired, "APIk", std::nullopt, minted_ago(1800));
    EXPECT_TRUE(contains(unmeasured.cause, "server's clock is ahead")) << unmeasured.cause;
    // "invalid authorization token" alone, measured skew: the clocks too.
    const auto bare =
        describe_auth_failure("invalid authorization token", "APIk", 2400, minted_ago(1800));
    EXPECT_TRUE(contains(bare.cause, "server judged it expired")) << bare.cause;
}

TEST(TokenRefusal, NotYetValidHereIsTheMintersClock) {
    // nbf 10 min in the future by this machine's clock too.
    const TokenClock future{k_now + 600, k_now + 4200, k_now};
    for (const char* body : {k_jwt_nbf, k_jose_nbf}) {
        const auto r = describe_auth_failure(body, "APIk", std::nullopt, future);
        EXPECT_TRUE(contains(r.cause, "not valid for another 10m")) << r.cause;
        EXPECT_TRUE(contains(r.cause, "machine that minted it runs ahead")) << r.cause;
        EXPECT_FALSE(contains(r.cause, "this machine's clock is")) << r.cause;
    }
}

TEST(TokenRefusal, ValidHereButServerBehindIsTheClock) {
    // Minted just now here; the server is 15 min behind and says not valid yet.
    for (const char* body : {k_jwt_nbf, k_jose_nbf}) {
        const auto r = describe_auth_failure(body, "APIk", -900, minted_ago(0));
        EXPECT_TRUE(contains(r.cause, "judged it not valid yet")) << r.cause;
        EXPECT_TRUE(contains(r.cause, "900 s behind this machine's")) << r.cause;
        EXPECT_TRUE(contains(r.cause, "NTP")) << r.cause;
    }
}

TEST(TokenRefusal, BadSignatureAndUnknownKeyNeverBlameTheClock) {
    for (const char* body :
         {"invalid authorization token: token signature is invalid: signature is invalid",
          "invalid token: eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln, error: go-jose/go-jose: error in "
          "cryptographic primitive"}) {
        const auto r = describe_auth_failure(body, "APIk", 4000, minted_ago(3 * 3600));
        EXPECT_TRUE(contains(r.cause, "API secret does not match key APIk")) << r.cause;
        EXPECT_FALSE(contains(r.line(), "eyJ")) << r.line();  // the echoed token is scrubbed
        EXPECT_TRUE(contains(r.line(), "server said: \"")) << r.line();
    }
    const auto key =
        describe_auth_failure("invalid API key: APIother", "APIother", -900, minted_ago(0));
    EXPECT_TRUE(contains(key.cause, "API key APIother is not known")) << key.cause;
    EXPECT_EQ(key.line(), key.cause + "; server said: \"invalid API key: APIother\"");
}

TEST(TokenRefusal, FreshTokensOfUnknownTimesKeepTheMeasuredSkew) {
    // roomctl's own just-minted tokens (twirp, check): a time refusal is the clocks.
    const auto r = describe_auth_failure(k_jwt_expired, "APIk", 4000);
    EXPECT_TRUE(contains(r.cause, "this machine's clock is 4000 s behind the server")) << r.cause;
}

TEST(TokenRefusal, ServerWordsAreOneScrubbedLine) {
    EXPECT_EQ(server_words("token is expired\ntoken is not valid yet\n"),
              "token is expired; token is not valid yet");
    EXPECT_EQ(server_words("bad eyJa.eyJb.c\x1b[31m"), "bad <token> [31m");
    EXPECT_EQ(server_words(std::string(300, 'x')).size(), 203u);
    EXPECT_EQ(server_words(""), "");
    // The cause already quotes the whole message: not repeated.
    const Refusal r{"the server could not parse the token (invalid authorization token)",
                    "invalid authorization token"};
    EXPECT_EQ(r.line(), r.cause);
}

TEST(TokenRefusal, RtcValidateCarriesTheServersMessage) {
    const auto c =
        interpret_rtc_validate(401, k_jwt_expired, "APIk", "r", std::nullopt, minted_ago(3 * 3600));
    EXPECT_EQ(c.server_message, k_jwt_expired);
    EXPECT_TRUE(contains(c.message, "token expired 2h ago")) << c.message;
    EXPECT_TRUE(contains(c.message, "server said:")) << c.message;
    EXPECT_EQ(interpret_rtc_validate(200, "success", "APIk", "r").server_message, "");
}

TEST(TokenRefusal, TwilioRefusalQuotesTwilioBesideTheReading) {
    http::Response r;
    r.status = 401;
    r.headers["content-type"] = "application/json";
    r.body = R"({"code": 20003, "message": "Authenticate", "status": 401})";
    const twilio::Endpoint e{"https://video.twilio.com", "ACx", "SKx", "hidden-secret", true};
    try {
        (void)twilio::interpret("ListRooms", r, e);
        ADD_FAILURE() << "no error";
    } catch (const Error& err) {
        const std::string what = err.what();
        EXPECT_EQ(err.kind(), ErrorKind::auth);
        EXPECT_TRUE(contains(what, "Twilio refused API key SKx")) << what;
        EXPECT_TRUE(contains(what, "; Twilio said: \"Authenticate\" (20003)")) << what;
        EXPECT_FALSE(contains(what, "hidden-secret")) << what;
    }
}

}  // namespace
}  // namespace roomctl::livekit
