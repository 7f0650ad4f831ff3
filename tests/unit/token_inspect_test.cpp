// token inspect: one row per diagnosis, each with a token built to fail in exactly that way.

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "roomctl/inspect/inspect.hpp"
#include "roomctl/livekit/access_token.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/twilio/access_token.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::inspect {
namespace {

using namespace roomctl::token;

using nlohmann::json;
using std::chrono::seconds;
using clock = std::chrono::system_clock;

const clock::time_point k_now{seconds{1767225600}};  // 2026-01-01T00:00:00Z
constexpr const char* k_lk_key = "APIinspectKey";
constexpr const char* k_lk_secret = "inspect-livekit-secret-0123456789abcdef";
constexpr const char* k_account = "AC0123456789abcdef0123456789abcdef";
constexpr const char* k_tw_key = "SK89abcdef0123456789abcdef01234567";
constexpr const char* k_tw_secret = "inspect-twilio-secret-0123456789abcdef";

// ---- token builders -----------------------------------------------------------------------

livekit::VideoGrant join_grant(const std::string& room = "session-42") {
    livekit::VideoGrant g;
    g.room_join = true;
    g.room = room;
    return g;
}

json lk_claims(const livekit::VideoGrant& g, std::string identity = "alice",
               seconds ttl = seconds{3600}, clock::time_point issued = k_now) {
    livekit::AccessTokenSpec spec;
    spec.api_key = k_lk_key;
    spec.identity = std::move(identity);
    spec.ttl = ttl;
    spec.video = g;
    return livekit::build_claims(spec, issued);
}

std::string lk_token(const json& claims, std::string_view secret = k_lk_secret) {
    return sign_hs256(claims, secret);
}

json tw_claims(const std::string& room = "session-42", seconds ttl = seconds{3600},
               clock::time_point issued = k_now) {
    twilio::AccessTokenSpec spec;
    spec.account_sid = k_account;
    spec.api_key = k_tw_key;
    spec.identity = "alice";
    spec.room = room;
    spec.ttl = ttl;
    return twilio::build_claims(spec, issued);
}

std::string tw_token(const json& claims, const json& header = {{"cty", "twilio-fpa;v=1"}}) {
    return sign_hs256(claims, k_tw_secret, header);
}

// A token whose header says `alg`; the signature part is an HS256 MAC that no HS512 or
// "none" verifier would produce, which is fine: the alg alone must refuse it.
std::string token_with_alg(const std::string& alg, const json& claims, bool empty_signature) {
    const std::string input = base64url_encode(json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." +
                              base64url_encode(claims.dump());
    if (empty_signature) return input + ".";
    return input + "." + base64url_encode(hmac_sha256(k_lk_secret, input));
}

InspectOptions base_options() {
    InspectOptions o;
    o.livekit = {k_lk_key, k_lk_secret};
    o.twilio = {k_tw_key, k_tw_secret};
    o.twilio_account_sid = k_account;
    o.now = k_now;
    return o;
}

// ---- the table ----------------------------------------------------------------------------

struct Row {
    std::string name;
    std::function<std::string()> token;
    std::function<void(InspectOptions&)> options;  // purpose, room, credentials
    std::set<std::string> codes;                   // exactly these diagnoses
    bool valid;
    std::string message_has = {};  // the (first) diagnosis message contains this
    TokenProvider provider = TokenProvider::livekit;
};

void for_join(InspectOptions& o) { o.purpose = Purpose::join; }
void for_join_in_42(InspectOptions& o) {
    o.purpose = Purpose::join;
    o.room = "session-42";
}
void no_options(InspectOptions&) {}

std::vector<Row> rows() {
    using P = TokenProvider;
    return {
        // -- fully valid tokens --
        {"LiveKitJoinValid",
         [] { return lk_token(lk_claims(join_grant())); },
         for_join_in_42,
         {},
         true},
        {"TwilioJoinValid",
         [] { return tw_token(tw_claims()); },
         for_join_in_42,
         {},
         true,
         "",
         P::twilio},
        {"LiveKitNoPurposeValid",
         [] { return lk_token(lk_claims(join_grant())); },
         no_options,
         {},
         true},

        // -- time --
        {"Expired",
         [] {
             return lk_token(
                 lk_claims(join_grant(), "alice", seconds{3600}, k_now - seconds{3 * 3600}));
         },
         no_options,
         {"expired"},
         false,
         "expired 2h ago"},
        {"ExpiredWithinLeeway",
         [] {
             return lk_token(lk_claims(join_grant(), "alice", seconds{600}, k_now - seconds{630}));
         },
         no_options,
         {"expired_in_leeway"},
         true,
         "60 s leeway"},
        {"NotYetValid",
         [] {
             return lk_token(lk_claims(join_grant(), "alice", seconds{3600}, k_now + seconds{300}));
         },
         no_options,
         {"not_yet_valid"},
         false,
         "nbf is 5m ahead of this machine's clock, beyond LiveKit's 60 s leeway"},
        {"NotYetValidWithinLeeway",
         [] {
             return lk_token(lk_claims(join_grant(), "alice", seconds{3600}, k_now + seconds{30}));
         },
         no_options,
         {"not_yet_valid_in_leeway"},
         true,
         "60 s leeway"},
        {"NoExp",
         [] {
             json c = lk_claims(join_grant());
             c.erase("exp");
             return lk_token(c);
         },
         no_options,
         {"no_exp"},
         false,
         "accept it forever"},
        {"ExpNotANumber",
         [] {
             json c = lk_claims(join_grant());
             c["exp"] = "tomorrow";
             return lk_token(c);
         },
         no_options,
         {"bad_claim"},
         false,
         "\"exp\""},
        {"TwilioExpiredHasNoLeeway",
         [] { return tw_token(tw_claims("session-42", seconds{600}, k_now - seconds{630})); },
         no_options,
         {"expired"},
         false,
         "expired 30s ago",
         P::twilio},

        // -- signature and key --
        {"WrongSecret",
         [] { return lk_token(lk_claims(join_grant()), "another-secret"); },
         no_options,
         {"bad_signature"},
         false,
         "signature does not match the configured secret for key APIinspectKey"},
        {"UnknownKey",
         [] {
             json c = lk_claims(join_grant());
             c["iss"] = "APIotherKey";
             return lk_token(c, "the-other-keys-secret");
         },
         no_options,
         {"unknown_key"},
         false,
         "APIotherKey"},
        {"NoIss",
         [] {
             json c = lk_claims(join_grant());
             c.erase("iss");
             return lk_token(c);
         },
         no_options,
         {"unknown_key"},
         false,
         "no iss"},
        {"AlgHS512Refused",
         [] { return token_with_alg("HS512", lk_claims(join_grant()), false); },
         no_options,
         {"alg_not_hs256"},
         false,
         "HS512"},
        {"AlgNoneRefused",
         [] { return token_with_alg("none", lk_claims(join_grant()), true); },
         no_options,
         {"alg_not_hs256"},
         false,
         "\"none\""},
        {"NoSecretConfigured",
         [] { return lk_token(lk_claims(join_grant())); },
         [](InspectOptions& o) { o.livekit.api_secret.clear(); },
         {"not_verified"},
         true,
         "LIVEKIT_API_SECRET"},

        // -- purposes (LiveKit) --
        {"JoinMissingGrant",
         [] {
             livekit::VideoGrant g;
             g.room_list = true;
             return lk_token(lk_claims(g));
         },
         for_join,
         {"missing_grant"},
         false,
         "roomJoin"},
        {"AdminMissingGrant",
         [] { return lk_token(lk_claims(join_grant())); },
         [](InspectOptions& o) { o.purpose = Purpose::admin; },
         {"missing_grant"},
         false,
         "roomAdmin"},
        {"ListMissingGrant",
         [] { return lk_token(lk_claims(join_grant())); },
         [](InspectOptions& o) { o.purpose = Purpose::list; },
         {"missing_grant"},
         false,
         "roomList"},
        {"CreateMissingGrant",
         [] { return lk_token(lk_claims(join_grant())); },
         [](InspectOptions& o) { o.purpose = Purpose::create; },
         {"missing_grant"},
         false,
         "roomCreate"},
        {"NoVideoGrantAtAll",
         [] { return lk_token(lk_claims({})); },
         for_join,
         {"missing_grant"},
         false,
         "no video grant"},
        {"JoinRoomMismatch",
         [] { return lk_token(lk_claims(join_grant("session-7"))); },
         for_join_in_42,
         {"room_mismatch"},
         false,
         "\"session-7\", not \"session-42\""},
        {"AdminRoomMismatch",
         [] {
             livekit::VideoGrant g;
             g.room_admin = true;
             g.room = "session-7";
             return lk_token(lk_claims(g));
         },
         [](InspectOptions& o) {
             o.purpose = Purpose::admin;
             o.room = "session-42";
         },
         {"room_mismatch"},
         false},
        {"JoinWithoutRoom",
         [] { return lk_token(lk_claims(join_grant(""))); },
         for_join,
         {"grant_without_room"},
         false,
         "no room name"},
        {"JoinWithoutIdentity",
         [] {
             json c = lk_claims(join_grant());
             c.erase("sub");  // build_claims refuses to mint it; others do not
             return lk_token(c);
         },
         for_join,
         {"join_without_identity"},
         false,
         "identity cannot be empty"},
        {"JoinWithRoomCreate",
         [] {
             livekit::VideoGrant g = join_grant();
             g.room_create = true;
             return lk_token(lk_claims(g));
         },
         for_join_in_42,
         {"join_with_room_create"},
         true,
         "valid for joining"},

        // -- Twilio --
        {"TwilioWrongCty",
         [] {
             return tw_token(tw_claims(), {{"cty", "twilio-fpa;v=2"}});
         },
         no_options,
         {"twilio_bad_cty"},
         false,
         "twilio-fpa;v=1",
         P::twilio},
        {"TwilioSubNotAccount",
         [] {
             json c = tw_claims();
             c["sub"] = "alice@example.com";
             return tw_token(c);
         },
         no_options,
         {"twilio_sub_not_account"},
         false,
         "Account SID",
         P::twilio},
        {"TwilioOtherAccount",
         [] {
             json c = tw_claims();
             c["sub"] = "ACffffffffffffffffffffffffffffffff";
             return tw_token(c);
         },
         no_options,
         {"twilio_account_mismatch"},
         false,
         "TWILIO_ACCOUNT_SID",
         P::twilio},
        {"TwilioIssNotKey",
         [] {
             json c = tw_claims();
             c["iss"] = k_account;  // signed with the Auth Token, as error 20003 describes
             return tw_token(c);
         },
         no_options,
         {"twilio_iss_not_key"},
         false,
         "API key SID",
         P::twilio},
        {"TwilioTtlOver24h",
         [] {
             json c = tw_claims();
             c["exp"] = c["nbf"].get<std::int64_t>() + 25 * 3600;
             return tw_token(c);
         },
         no_options,
         {"twilio_ttl_over_24h"},
         false,
         "1d1h",
         P::twilio},
        {"TwilioMissingIdentity",
         [] {
             json c = tw_claims();
             c["grants"].erase("identity");
             return tw_token(c);
         },
         no_options,
         {"twilio_missing_identity"},
         false,
         "identity",
         P::twilio},
        {"TwilioJoinWithoutVideoGrant",
         [] {
             json c = tw_claims();
             c["grants"].erase("video");
             return tw_token(c);
         },
         for_join,
         {"missing_grant"},
         false,
         "Video grant",
         P::twilio},
        {"TwilioRoomMismatch",
         [] { return tw_token(tw_claims("session-7")); },
         for_join_in_42,
         {"room_mismatch"},
         false,
         "\"session-7\", not \"session-42\"",
         P::twilio},
        {"TwilioGrantForAnyRoom",
         [] { return tw_token(tw_claims("")); },
         for_join_in_42,
         {},
         true,
         "",
         P::twilio},
        {"TwilioWrongSecret",
         [] {
             return sign_hs256(tw_claims(), "another-secret", {{"cty", "twilio-fpa;v=1"}});
         },
         no_options,
         {"bad_signature"},
         false,
         "TWILIO_API_SECRET",
         P::twilio},
    };
}

// Failure messages name the row, not its bytes.
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class InspectTable : public ::testing::TestWithParam<Row> {};

TEST_P(InspectTable, DiagnosesExactlyThisProblem) {
    const Row& row = GetParam();
    InspectOptions o = base_options();
    row.options(o);
    const std::string jwt = row.token();
    const Inspection r = inspect_token(jwt, o);

    std::set<std::string> codes;
    for (const auto& d : r.diagnoses) codes.insert(d.code);
    EXPECT_EQ(codes, row.codes);
    EXPECT_EQ(r.valid(), row.valid);
    EXPECT_EQ(r.provider, row.provider);
    if (!row.message_has.empty() && !r.diagnoses.empty()) {
        EXPECT_NE(r.diagnoses.front().message.find(row.message_has), std::string::npos)
            << r.diagnoses.front().message;
    }
    const std::string signature = jwt.substr(jwt.rfind('.') + 1);
    for (const auto& d : r.diagnoses) {
        EXPECT_EQ(d.message.find('\n'), std::string::npos) << "one line: " << d.message;
        if (row.valid) {
            EXPECT_EQ(d.severity, Severity::warning) << d.code;
        }
        // Messages are printed: no secret, no token.
        for (const std::string_view secret : {k_lk_secret, k_tw_secret}) {
            EXPECT_EQ(d.message.find(secret), std::string::npos) << d.message;
        }
        if (!signature.empty()) {
            EXPECT_EQ(d.message.find(signature), std::string::npos);
        }
        EXPECT_EQ(d.message.find(jwt.substr(0, 20)), std::string::npos) << d.message;
    }
}

INSTANTIATE_TEST_SUITE_P(Diagnoses, InspectTable, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<Row>& p) { return p.param.name; });

// ---- the rest of the contract -------------------------------------------------------------

TEST(InspectToken, ReadsTheGrantsAndTimes) {
    livekit::VideoGrant g = join_grant();
    g.can_publish = false;
    g.can_publish_sources = {"camera"};
    const auto r = inspect_token(lk_token(lk_claims(g)), base_options());
    EXPECT_EQ(r.grants, g.to_json());
    EXPECT_EQ(r.identity, "alice");
    EXPECT_EQ(r.key, k_lk_key);
    EXPECT_EQ(r.signature_valid, std::optional<bool>{true});
    EXPECT_EQ(r.not_before, std::optional<std::int64_t>{1767225600});
    EXPECT_EQ(r.expires_at, std::optional<std::int64_t>{1767229200});
}

// Valid but dangerous (issue 16): warnings, never errors, whatever --for asked.
TEST(InspectToken, AJoinTokenWithServerGrantsIsWarnedAbout) {
    livekit::VideoGrant g = join_grant();
    g.room_admin = true;
    g.room_record = true;
    const auto r = inspect_token(lk_token(lk_claims(g)), base_options());
    EXPECT_TRUE(r.valid());
    std::vector<std::string> warned;
    for (const auto& d : r.diagnoses) {
        if (d.code == "client_with_server_grant") warned.push_back(d.message);
    }
    ASSERT_EQ(warned.size(), 2u);
    EXPECT_NE(warned[0].find("roomAdmin"), std::string::npos) << warned[0];
    EXPECT_NE(warned[1].find("roomRecord"), std::string::npos) << warned[1];
    // A plain join token carries no such warning.
    const auto plain = inspect_token(lk_token(lk_claims(join_grant())), base_options());
    EXPECT_FALSE(plain.has("client_with_server_grant"));
    EXPECT_FALSE(plain.has("long_lifetime"));
}

TEST(InspectToken, AThirtyDayTokenIsWarnedAbout) {
    auto claims = lk_claims(join_grant());
    claims["exp"] = claims["nbf"].get<std::int64_t>() + 30 * 24 * 3600;
    const auto r = inspect_token(lk_token(claims), base_options());
    EXPECT_TRUE(r.valid());
    ASSERT_TRUE(r.has("long_lifetime"));
    for (const auto& d : r.diagnoses) {
        if (d.code == "long_lifetime") {
            EXPECT_EQ(d.severity, Severity::warning);
            EXPECT_NE(d.message.find("30d"), std::string::npos) << d.message;
        }
    }
}

TEST(InspectToken, TwilioGrantsAndIdentity) {
    const auto r = inspect_token(tw_token(tw_claims()), base_options());
    EXPECT_EQ(r.provider, TokenProvider::twilio);
    EXPECT_EQ(r.grants, (json{{"identity", "alice"}, {"video", {{"room", "session-42"}}}}));
    EXPECT_EQ(r.identity, "alice");
    EXPECT_EQ(r.signature_valid, std::optional<bool>{true});
}

TEST(InspectToken, NotAJwtIsAUsageError) {
    for (const std::string bad : {"", "hello", "a.b", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"}) {
        try {
            (void)inspect_token(bad, base_options());
            ADD_FAILURE() << "accepted " << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
        }
    }
}

// An un-awaited toJwt() (livekit-server-sdk v2) reaches the client as "[object Promise]" or
// "{}": the error says so instead of counting dots.
TEST(InspectToken, APromiseInsteadOfATokenIsNamed) {
    for (const std::string text : {"[object Promise]", "{}"}) {
        try {
            (void)inspect_token(text, base_options());
            ADD_FAILURE() << "accepted " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            EXPECT_NE(std::string(e.what()).find("await at.toJwt()"), std::string::npos)
                << e.what();
        }
    }
    try {
        (void)inspect_token("undefined", base_options());
        ADD_FAILURE() << "accepted undefined";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("the app sent no token"), std::string::npos)
            << e.what();
    }
}

TEST(InspectToken, LiveKitOnlyPurposesAreUsageErrorsForTwilio) {
    for (const Purpose p : {Purpose::admin, Purpose::list, Purpose::create}) {
        InspectOptions o = base_options();
        o.purpose = p;
        try {
            (void)inspect_token(tw_token(tw_claims()), o);
            ADD_FAILURE() << "accepted --for " << to_string(p);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
        }
    }
}

TEST(InspectToken, UnknownProviderIsStillDecodedAndTimeChecked) {
    const json claims = {{"sub", "x"}, {"exp", 1767225600 - 7200}};
    const auto r = inspect_token(sign_hs256(claims, k_lk_secret), base_options());
    EXPECT_EQ(r.provider, TokenProvider::unknown);
    EXPECT_TRUE(r.has("expired"));
    EXPECT_EQ(r.signature_valid, std::optional<bool>{true});  // the configured provider's secret
}

TEST(InspectToken, ParsePurpose) {
    EXPECT_EQ(parse_purpose("join"), Purpose::join);
    EXPECT_EQ(parse_purpose("create"), Purpose::create);
    EXPECT_THROW((void)parse_purpose("publish"), Error);
}

// ---- --check-server -----------------------------------------------------------------------

TEST(RtcValidate, InterpretsTheDocumentedAnswers) {
    const auto ok = interpret_rtc_validate(200, "success", k_lk_key, "r");
    EXPECT_TRUE(ok.authenticated && ok.joinable);

    const auto missing =
        interpret_rtc_validate(404, "requested room does not exist\n", k_lk_key, "r");
    EXPECT_TRUE(missing.authenticated);
    EXPECT_FALSE(missing.joinable);
    EXPECT_NE(missing.message.find("roomctl recreate r:"), std::string::npos);
    // rooms create would leave the row's SID stale: the hint never suggests it as the fix.
    EXPECT_EQ(missing.message.find("roomctl rooms create"), std::string::npos);

    const auto bad = interpret_rtc_validate(
        401, "invalid authorization token: token signature is invalid: signature is invalid",
        k_lk_key, "r");
    EXPECT_FALSE(bad.authenticated);
    EXPECT_NE(bad.message.find("API secret does not match key APIinspectKey"), std::string::npos);

    const auto denied = interpret_rtc_validate(401, "permissions denied", k_lk_key, "r");
    EXPECT_TRUE(denied.authenticated);
    EXPECT_FALSE(denied.joinable);

    EXPECT_THROW(
        (void)interpret_rtc_validate(503, "node has exceeded its configured limit", k_lk_key, "r"),
        Error);
    EXPECT_THROW((void)interpret_rtc_validate(404, "404 page not found", k_lk_key, "r"), Error);
}

TEST(RtcValidate, EchoedTokensAreScrubbed) {
    const std::string jwt = lk_token(lk_claims(join_grant()));
    const auto c = interpret_rtc_validate(
        401, "go-jose/go-jose: error in cryptographic primitive " + jwt, k_lk_key, "r");
    EXPECT_EQ(c.body.find(jwt), std::string::npos);
    EXPECT_EQ(c.message.find(jwt), std::string::npos);
}

TEST(RtcValidate, RefusalCountsForJoiningOnly) {
    InspectOptions o = base_options();
    const auto join = inspect_token(lk_token(lk_claims(join_grant())), o);
    livekit::VideoGrant list;
    list.room_list = true;
    const auto lister = inspect_token(lk_token(lk_claims(list)), o);

    const auto denied = interpret_rtc_validate(401, "permissions denied", k_lk_key, "");
    const auto unauth = interpret_rtc_validate(401, "invalid API key: APIx", k_lk_key, "");
    EXPECT_TRUE(server_refuses(denied, join, std::nullopt));  // it carries roomJoin
    EXPECT_FALSE(server_refuses(denied, lister, std::nullopt));
    EXPECT_FALSE(server_refuses(denied, lister, Purpose::list));
    EXPECT_TRUE(server_refuses(denied, lister, Purpose::join));
    EXPECT_TRUE(server_refuses(unauth, lister, Purpose::list));  // authentication always counts
}

}  // namespace
}  // namespace roomctl::inspect
