// How LiveKit answers are turned into results and errors (Twirp errors: livekit/protocol
// livekit/livekit_room.twirp.go).

#include "roomctl/livekit/twirp.hpp"

#include <gtest/gtest.h>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/livekit/room_service.hpp"

namespace roomctl::livekit {
namespace {

const ApiEndpoint k_endpoint{"http://127.0.0.1:7880", "APIkey123", "s3cret-value", {}};

http::Response reply(long status, std::string type, std::string body) {
    http::Response r;
    r.status = status;
    if (!type.empty()) r.headers["content-type"] = std::move(type);
    r.body = std::move(body);
    return r;
}

template <class F>
Error catch_error(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error thrown";
    return runtime_error("none");
}

TEST(Twirp, ParsesJsonOnSuccess) {
    auto j = interpret_twirp_response(
        "ListRooms", reply(200, "application/json", R"({"rooms":[]})"), k_endpoint);
    EXPECT_TRUE(j["rooms"].is_array());
}

TEST(Twirp, NotFoundKeepsTheCodeAndStripsThePrefix) {
    try {
        interpret_twirp_response(
            "DeleteRoom",
            reply(
                404, "application/json",
                R"({"code":"not_found","msg":"twirp error unknown: requested room does not exist"})"),
            k_endpoint);
        FAIL();
    } catch (const TwirpError& e) {
        EXPECT_EQ(e.code(), "not_found");
        EXPECT_EQ(e.msg(), "requested room does not exist");
        EXPECT_EQ(e.status(), 404);
        EXPECT_EQ(e.kind(), ErrorKind::runtime);
    }
}

TEST(Twirp, PermissionsDeniedIsAnAuthError) {
    auto e = catch_error([] {
        interpret_twirp_response("ListRooms",
                                 reply(401, "application/json",
                                       R"({"code":"unauthenticated","msg":"permissions denied"})"),
                                 k_endpoint);
    });
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_NE(std::string(e.what()).find("lacks the grant"), std::string::npos);
}

TEST(Twirp, PlainText401IsExplained) {
    auto e = catch_error([] {
        interpret_twirp_response(
            "ListRooms",
            reply(401, "text/plain; charset=utf-8",
                  "invalid authorization token: token signature is invalid: signature is invalid"),
            k_endpoint);
    });
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    EXPECT_EQ(std::string(e.what()),
              "LiveKit refused ListRooms: API secret does not match key APIkey123: signature "
              "rejected; server said: \"invalid authorization token: token signature is invalid: "
              "signature is invalid\"");
}

TEST(Twirp, HtmlFromAProxyIsARuntimeErrorNamingIt) {
    auto e = catch_error([] {
        interpret_twirp_response("ListRooms",
                                 reply(502, "text/html", "<html><body>Bad Gateway</body></html>"),
                                 k_endpoint);
    });
    EXPECT_EQ(e.kind(), ErrorKind::runtime);
    std::string what = e.what();
    EXPECT_NE(what.find("HTTP 502"), std::string::npos);
    EXPECT_NE(what.find("text/html"), std::string::npos);
    EXPECT_EQ(what.find('\n'), std::string::npos);
}

TEST(Twirp, GarbageJsonOn200IsARuntimeError) {
    auto e = catch_error([] {
        interpret_twirp_response("ListRooms", reply(200, "application/json", "{\"rooms\": [tru"),
                                 k_endpoint);
    });
    EXPECT_EQ(e.kind(), ErrorKind::runtime);
    EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos);
}

TEST(Twirp, HtmlOn200IsNotMistakenForSuccess) {
    auto e = catch_error([] {
        interpret_twirp_response("ListRooms", reply(200, "text/html", "<html>login</html>"),
                                 k_endpoint);
    });
    EXPECT_NE(std::string(e.what()).find("not JSON"), std::string::npos);
}

TEST(Twirp, PageNotFoundPointsAtTheUrl) {
    auto e = catch_error([] {
        interpret_twirp_response("ListRooms", reply(404, "text/plain", "404 page not found"),
                                 k_endpoint);
    });
    EXPECT_NE(std::string(e.what()).find("no LiveKit RoomService at http://127.0.0.1:7880"),
              std::string::npos);
}

TEST(Diagnose, ExplainsEachMiddlewareBody) {
    // The server's own words follow roomctl's reading (issue 16 item 3).
    EXPECT_EQ(explain_auth_failure("invalid API key: APIkey123", "APIkey123"),
              "API key APIkey123 is not known to the server: check LIVEKIT_API_KEY against the "
              "server's keys; server said: \"invalid API key: APIkey123\"");
    EXPECT_NE(explain_auth_failure(
                  "invalid token: eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln, error: go-jose/go-jose: "
                  "error in cryptographic primitive",
                  "K")
                  .find("does not match key K"),
              std::string::npos);
    EXPECT_NE(explain_auth_failure(
                  "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)", "K")
                  .find("not valid yet"),
              std::string::npos);
    EXPECT_NE(explain_auth_failure("invalid authorization token: token has invalid claims: token "
                                   "is expired",
                                   "K")
                  .find("expired"),
              std::string::npos);
}

TEST(Diagnose, OldServersEchoTheTokenAndItIsRemoved) {
    std::string body = "invalid token: eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJLIn0.abc_DEF-123, error: x";
    EXPECT_EQ(scrub_tokens(body), "invalid token: <token>, error: x");
}

TEST(RoomJson, ReadsServerAndSdkSpellings) {
    auto server = nlohmann::json::parse(
        R"({"sid":"RM_abc","name":"r","empty_timeout":300,"creation_time":"1700000000",
            "num_participants":2,"turn_password":"hidden","metadata":""})");
    auto r = room_from_json(server);
    EXPECT_EQ(r.sid, "RM_abc");
    EXPECT_EQ(r.creation_time, 1700000000);
    EXPECT_EQ(r.num_participants, 2u);
    EXPECT_EQ(r.empty_timeout, 300u);
    auto sdk =
        nlohmann::json::parse(R"({"sid":"RM_x","name":"r","emptyTimeout":60,"creationTime":5})");
    auto s = room_from_json(sdk);
    EXPECT_EQ(s.empty_timeout, 60u);
    EXPECT_EQ(s.creation_time, 5);
}

TEST(RoomJson, RejectsImpossibleTypes) {
    EXPECT_THROW(room_from_json(nlohmann::json::parse(R"({"creation_time":"soon"})")), Error);
    EXPECT_THROW(room_from_json(nlohmann::json::parse(R"({"num_participants":-1})")), Error);
    EXPECT_THROW(room_from_json(nlohmann::json::parse(R"([1,2])")), Error);
}

}  // namespace
}  // namespace roomctl::livekit
