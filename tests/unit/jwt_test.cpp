#include "roomctl/token/jwt.hpp"

#include <gtest/gtest.h>

#include <string>

#include "roomctl/util/error.hpp"

namespace roomctl::token {
namespace {

using nlohmann::json;

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

// Runs `f`, which must throw roomctl::Error of kind usage; returns its message.
template <typename F>
std::string usage_message(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw a non-roomctl exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "did not throw";
    return {};
}

// Independent vector, produced once with Python's standard library:
//   python3 -c 'import hmac,hashlib,base64,json
//   b64=lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
//   enc=lambda o: json.dumps(o,sort_keys=True,separators=(",",":"),ensure_ascii=False).encode()
//   si=b64(enc({"alg":"HS256","typ":"JWT"}))+"."+b64(enc(
//       {"sub":"1234567890","name":"John Doe","iat":1516239022}))
//   print(si+"."+b64(hmac.new(b"your-256-bit-secret",si.encode(),hashlib.sha256).digest()))'
constexpr std::string_view k_secret = "your-256-bit-secret";
constexpr std::string_view k_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpYXQiOjE1MTYyMzkwMjIsIm5hbWUiOiJKb2huIERvZSIsInN1YiI6IjEyMzQ1Njc4OTAifQ."
    "fdOPQ05ZfRhkST2-rIWgUpbqUsVhkkNVNcuG7Ki0s-8";
const json k_claims = {{"sub", "1234567890"}, {"name", "John Doe"}, {"iat", 1516239022}};

// ---- base64url ----------------------------------------------------------------------------

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
    EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");

    EXPECT_EQ(base64url_decode(""), "");
    EXPECT_EQ(base64url_decode("Zg"), "f");
    EXPECT_EQ(base64url_decode("Zm8"), "fo");
    EXPECT_EQ(base64url_decode("Zm9v"), "foo");
    EXPECT_EQ(base64url_decode("Zm9vYg"), "foob");
    EXPECT_EQ(base64url_decode("Zm9vYmE"), "fooba");
    EXPECT_EQ(base64url_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Url, UsesUrlAlphabet) {
    // 0xfb 0xff encodes to "+/8" in standard base64.
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
}

TEST(Base64Url, RoundTripsAllByteValues) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t len = 0; len <= all.size(); ++len) {
        const std::string bytes = all.substr(all.size() - len);
        const std::string text = base64url_encode(bytes);
        EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
        EXPECT_EQ(base64url_decode(text), bytes) << "length " << len;
    }
}

TEST(Base64Url, AcceptsPaddedInput) {
    EXPECT_EQ(base64url_decode("Zg=="), "f");
    EXPECT_EQ(base64url_decode("Zm8="), "fo");
    EXPECT_EQ(base64url_decode("Zm9vYg=="), "foob");
}

TEST(Base64Url, RejectsBadInput) {
    EXPECT_EQ(base64url_decode("+_8"), std::nullopt);
    EXPECT_EQ(base64url_decode("-/8"), std::nullopt);
    EXPECT_EQ(base64url_decode("Z"), std::nullopt);      // length % 4 == 1
    EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);  // length % 4 == 1
    EXPECT_EQ(base64url_decode("Zg="), std::nullopt);    // padding not completing a group
    EXPECT_EQ(base64url_decode("Zm8=="), std::nullopt);
    EXPECT_EQ(base64url_decode("Zg=A"), std::nullopt);  // '=' inside
    EXPECT_EQ(base64url_decode("Zm9v===="), std::nullopt);
    EXPECT_EQ(base64url_decode("Zm 9v"), std::nullopt);
    EXPECT_EQ(base64url_decode(std::string_view{"Zm\09v", 5}), std::nullopt);
}

// ---- HMAC-SHA256 (RFC 4231) ---------------------------------------------------------------

TEST(HmacSha256, Rfc4231Case1) {
    EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231Case2) {
    EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, Rfc4231Case6KeyLongerThanBlock) {
    EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'),
                              "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_FALSE(constant_time_equal("", "a"));
}

// ---- sign / decode / verify ---------------------------------------------------------------

TEST(Jwt, SignMatchesIndependentVector) { EXPECT_EQ(sign_hs256(k_claims, k_secret), k_token); }

TEST(Jwt, DecodeAndVerifyIndependentVector) {
    const DecodedJwt jwt = decode(k_token);
    EXPECT_EQ(jwt.header, (json{{"alg", "HS256"}, {"typ", "JWT"}}));
    EXPECT_EQ(jwt.claims, k_claims);
    EXPECT_EQ(jwt.signing_input, k_token.substr(0, k_token.rfind('.')));
    EXPECT_EQ(jwt.signature.size(), 32U);
    EXPECT_TRUE(verify_hs256(jwt, k_secret));
}

TEST(Jwt, ExtraHeaderIsKeptButAlgIsForced) {
    const json extra = {{"cty", "twilio-fpa;v=1"}, {"alg", "none"}};
    const DecodedJwt jwt = decode(sign_hs256(k_claims, k_secret, extra));
    EXPECT_EQ(jwt.header, (json{{"alg", "HS256"}, {"cty", "twilio-fpa;v=1"}, {"typ", "JWT"}}));
    EXPECT_TRUE(verify_hs256(jwt, k_secret));
}

TEST(Jwt, VerifyRejectsWrongSecret) {
    EXPECT_FALSE(verify_hs256(decode(k_token), "your-256-bit-secreT"));
    EXPECT_FALSE(verify_hs256(decode(k_token), ""));
}

TEST(Jwt, VerifyRejectsAlgNone) {
    // {"alg":"none","typ":"JWT"} . payload . (empty signature): not even a well-formed JWT here.
    const std::string none_header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
    const std::string payload = base64url_encode(k_claims.dump());
    usage_message([&] { decode(none_header + "." + payload + "."); });

    // Handed over already split, it still must not verify, with or without a valid HMAC.
    DecodedJwt jwt{json{{"alg", "none"}, {"typ", "JWT"}}, k_claims, none_header + "." + payload,
                   ""};
    EXPECT_FALSE(verify_hs256(jwt, k_secret));
    jwt.signature = hmac_sha256(k_secret, jwt.signing_input);
    EXPECT_FALSE(verify_hs256(jwt, k_secret));
    jwt.header = json{{"alg", "hs256"}};
    EXPECT_FALSE(verify_hs256(jwt, k_secret));
    jwt.header = json{{"typ", "JWT"}};
    EXPECT_FALSE(verify_hs256(jwt, k_secret));
}

TEST(Jwt, VerifyRejectsHs512HeaderWithHs256Signature) {
    // Header {"alg":"HS512","typ":"JWT"}, claims {"sub":"x"}, signed with HMAC-SHA256 under
    // "s3cret" over the signing input (same python3 recipe as k_token).
    constexpr std::string_view token =
        "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0."
        "dvwseadbRUGGZpm8V7y-dZyGVGFxKCrSx_fYe0PbYRA";
    const DecodedJwt jwt = decode(token);
    ASSERT_EQ(jwt.header.at("alg"), "HS512");
    // The signature itself is a correct HS256 one; only the alg check refuses it.
    ASSERT_EQ(jwt.signature, hmac_sha256("s3cret", jwt.signing_input));
    EXPECT_FALSE(verify_hs256(jwt, "s3cret"));
}

TEST(Jwt, VerifyRejectsTamperedPayload) {
    const std::string_view header = k_token.substr(0, k_token.find('.'));
    const std::string_view signature = k_token.substr(k_token.rfind('.') + 1);
    json claims = k_claims;
    claims["sub"] = "admin";
    const std::string tampered =
        std::string{header} + "." + base64url_encode(claims.dump()) + "." + std::string{signature};
    const DecodedJwt jwt = decode(tampered);
    EXPECT_EQ(jwt.claims.at("sub"), "admin");
    EXPECT_FALSE(verify_hs256(jwt, k_secret));
}

// ---- malformed and hostile input ----------------------------------------------------------

TEST(JwtDecode, RejectsMalformedForms) {
    const std::string h = base64url_encode(R"({"alg":"HS256"})");
    const std::string p = base64url_encode(R"({"sub":"a"})");
    const std::string s = base64url_encode("sig");
    const struct {
        std::string token;
        std::string reason;
    } cases[] = {
        {"", "1 dot-separated part(s), expected 3"},
        {h, "1 dot-separated part(s), expected 3"},
        {h + "." + p, "2 dot-separated part(s), expected 3"},
        {h + "." + p + "." + s + "." + s, "more than 3 dot-separated parts"},
        {"." + p + "." + s, "empty header"},
        {h + ".." + s, "empty payload"},
        {h + "." + p + ".", "empty signature"},
        {"..", "empty header"},
        {h + "+." + p + "." + s, "header is not base64url"},
        {h + "." + p + "/." + s, "payload is not base64url"},
        {h + "." + p + ".A", "signature is not base64url"},
        {base64url_encode("not json") + "." + p + "." + s, "header is not valid JSON"},
        {h + "." + base64url_encode(R"({"sub":)") + "." + s, "payload is not valid JSON"},
        {h + "." + base64url_encode("[]") + "." + s, "payload is not a JSON object"},
        {base64url_encode("null") + "." + p + "." + s, "header is not a JSON object"},
        {h + "." + base64url_encode(R"("text")") + "." + s, "payload is not a JSON object"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(usage_message([&] { decode(c.token); }), "token is not a JWT: " + c.reason)
            << "token: " << c.token;
    }
}

TEST(JwtDecode, HostileInputThrowsErrorInsteadOfCrashing) {
    const std::string h = base64url_encode(R"({"alg":"HS256"})");
    const std::string s = base64url_encode("sig");

    usage_message([&] { decode(std::string(10 * 1024, '.')); });
    usage_message([&] { decode(std::string(4096, '\0')); });
    usage_message([&] { decode(std::string("a\0b.c\0d.e\0f", 11)); });
    // NUL bytes inside the decoded JSON.
    usage_message(
        [&] { decode(h + "." + base64url_encode(std::string("{\"a\":\"\0\"}", 9)) + "." + s); });
    usage_message([&] { decode(h + "." + base64url_encode(std::string(64, '\0')) + "." + s); });
    // Invalid UTF-8 in a JSON string.
    usage_message([&] { decode(h + "." + base64url_encode("{\"a\":\"\xff\xfe\"}") + "." + s); });

    const std::string nested = std::string(100000, '[') + std::string(100000, ']');
    const std::string msg =
        usage_message([&] { decode(h + "." + base64url_encode(nested) + "." + s); });
    EXPECT_NE(msg.find("nested deeper"), std::string::npos) << msg;
    const std::string nested_in_object = R"({"a":)" + nested + "}";
    usage_message([&] { decode(h + "." + base64url_encode(nested_in_object) + "." + s); });
    usage_message([&] { decode(base64url_encode(nested_in_object) + "." + h + "." + s); });

    // Over the size cap, even though every part is valid.
    const std::string big = base64url_encode(R"({"pad":")" + std::string(1 << 20, 'x') + "\"}");
    usage_message([&] { decode(h + "." + big + "." + s); });
}

TEST(JwtDecode, ModestNestingIsAccepted) {
    const std::string h = base64url_encode(R"({"alg":"HS256"})");
    const std::string nested = R"({"a":)" + std::string(20, '[') + std::string(20, ']') + "}";
    EXPECT_NO_THROW(decode(h + "." + base64url_encode(nested) + "." + base64url_encode("s")));
}

TEST(JwtSign, InvalidUtf8InClaimsIsUsageError) {
    usage_message([&] { sign_hs256(json{{"name", "\xff"}}, k_secret); });
}

}  // namespace
}  // namespace roomctl::token
