// The server's clock from Date headers (media/server_clock.hpp), each provider's
// MediaServer::clock_offset, and LiveKit refusals explained as clock skew when they are.

#include "roomctl/media/server_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/livekit/room_service.hpp"
#include "roomctl/livekit/twirp.hpp"
#include "roomctl/twilio/video_client.hpp"
#include "support/gtest_failure.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using clock = std::chrono::system_clock;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// The IMF-fixdate of a unix time, as servers write it.
std::string http_date(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<seconds>(clock::now().time_since_epoch()).count();
}

TEST(ParseHttpDate, ReadsImfFixdate) {
    EXPECT_EQ(media::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(media::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    EXPECT_EQ(media::parse_http_date("Mon, 30 Nov 2026 00:08:45 GMT"), 1795997325);
    EXPECT_EQ(media::parse_http_date("Sat, 29 Feb 2020 23:59:59 GMT"), 1583020799);
}

TEST(ParseHttpDate, RefusesAnythingElse) {
    for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
                            "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 1994 08:49:37 GMT",
                            "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
                            "Sun, 06 Nov 1994 08:4x:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
                            "Sun, 06 ovN 1994 08:49:37 GMT"})
        EXPECT_FALSE(media::parse_http_date(bad).has_value()) << bad;
}

http::Response dated(std::int64_t server_time) {
    http::Response r;
    r.status = 200;
    r.headers["date"] = http_date(server_time);
    return r;
}

TEST(ClockOffset, IsServerMinusLocalAtTheMiddleOfTheExchange) {
    const clock::time_point sent{seconds{1'000'000}};
    const clock::time_point received = sent + seconds{1};
    // The exchange's middle is 1'000'000.5; the Date's second is taken at its middle too.
    EXPECT_EQ(media::clock_offset_of(dated(1'000'900), sent, received), 900);
    EXPECT_EQ(media::clock_offset_of(dated(1'000'000 - 900), sent, received), -900);
    EXPECT_EQ(media::clock_offset_of(dated(1'000'000), sent, received), 0);
    EXPECT_FALSE(media::clock_offset_of(http::Response{}, sent, received).has_value());
    EXPECT_EQ(media::describe_local_clock(-900),
              "this machine's clock is 900 s ahead of the server");
    EXPECT_EQ(media::describe_local_clock(42), "this machine's clock is 42 s behind the server");
}

// A JSON answer of the scripted transport (tests/support), with a Date header when `date` is set.
http::Response json_answer(const json& body, std::optional<std::int64_t> date) {
    std::map<std::string, std::string> headers;
    if (date) headers["date"] = http_date(*date);
    return support::json_answer(200, body, std::move(headers));
}

TEST(ClockWatch, RemembersTheMostRecentDate) {
    const auto now = now_seconds();
    support::ScriptedTransport inner{
        support::fail_test,
        {json_answer(json::object(), std::nullopt), json_answer(json::object(), now + 900),
         json_answer(json::object(), std::nullopt), json_answer(json::object(), now - 300)}};
    media::ClockWatch watch{inner};
    EXPECT_FALSE(watch.offset().has_value());
    watch.send({});
    EXPECT_FALSE(watch.offset().has_value());
    watch.send({});
    ASSERT_TRUE(watch.offset().has_value());
    EXPECT_NEAR(static_cast<double>(*watch.offset()), 900.0, 2.0);
    watch.send({});  // no Date: the last one seen still holds
    EXPECT_NEAR(static_cast<double>(*watch.offset()), 900.0, 2.0);
    watch.send({});
    EXPECT_NEAR(static_cast<double>(*watch.offset()), -300.0, 2.0);
}

TEST(ClockOffsetOfProviders, LiveKitMeasuresEveryAnswer) {
    const auto now = now_seconds();
    support::ScriptedTransport transport{support::fail_test,
                                         {json_answer({{"rooms", json::array()}}, now - 900)}};
    livekit::RoomServiceClient client{transport, {"http://lk:7880", "key", "secret"}};
    EXPECT_FALSE(client.clock_offset().has_value());
    client.list_rooms({});
    ASSERT_TRUE(client.clock_offset().has_value());
    EXPECT_NEAR(static_cast<double>(*client.clock_offset()), -900.0, 2.0);
}

TEST(ClockOffsetOfProviders, TwilioMeasuresEveryAnswer) {
    const auto now = now_seconds();
    support::ScriptedTransport transport{
        support::fail_test,
        {json_answer({{"rooms", json::array()}, {"meta", {{"next_page_url", nullptr}}}},
                     now + 120)}};
    twilio::Endpoint e{"https://video.twilio.com",
                       "AC0123456789abcdef0123456789abcdef",
                       "SK89abcdef0123456789abcdef01234567",
                       "secret",
                       true,
                       std::chrono::milliseconds{1000}};
    twilio::VideoClient client{transport, e};
    EXPECT_FALSE(client.clock_offset().has_value());
    client.list_rooms({});
    ASSERT_TRUE(client.clock_offset().has_value());
    EXPECT_NEAR(static_cast<double>(*client.clock_offset()), 120.0, 2.0);
}

// ---- LiveKit refusals caused by skew ---------------------------------------------------------

TEST(ExplainAuthFailure, NamesTheMeasuredSkewWhateverTheServerSaid) {
    for (const char* body : {"invalid authorization token",
                             "invalid authorization token: token has invalid claims: token is "
                             "not valid yet",
                             "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)"}) {
        const auto msg = livekit::explain_auth_failure(body, "APIkey", -900);
        EXPECT_TRUE(contains(msg, "this machine's clock is 900 s ahead of the server")) << msg;
        EXPECT_FALSE(contains(msg, "could not parse")) << msg;
        EXPECT_TRUE(contains(msg, "NTP")) << msg;
    }
    const auto behind = livekit::explain_auth_failure(
        "invalid authorization token: token has invalid claims: token is expired", "APIkey", 4000);
    EXPECT_TRUE(contains(behind, "this machine's clock is 4000 s behind the server")) << behind;
}

TEST(ExplainAuthFailure, SkewWithinTheLeewayOrUnknownKeepsTheServersCause) {
    EXPECT_EQ(livekit::explain_auth_failure("invalid authorization token", "k", -30),
              "the server could not parse the token (invalid authorization token)");
    EXPECT_EQ(livekit::explain_auth_failure("invalid authorization token", "k"),
              "the server could not parse the token (invalid authorization token)");
    // A wrong key or secret is not a clock problem, however skewed the clocks are.
    EXPECT_TRUE(contains(livekit::explain_auth_failure("invalid API key: k", "k", -900),
                         "not known to the server"));
    EXPECT_TRUE(contains(livekit::explain_auth_failure(
                             "invalid authorization token: token signature is invalid: signature "
                             "is invalid",
                             "k", -900),
                         "API secret does not match"));
    EXPECT_TRUE(contains(livekit::explain_auth_failure("permissions denied", "k", -900),
                         "lacks the grant"));
}

TEST(ExplainAuthFailure, TheRefusalsOwnDateIsUsed) {
    http::Response r;
    r.status = 401;
    r.headers["content-type"] = "text/plain";
    r.headers["date"] = http_date(now_seconds() - 900);  // this machine is 15 min ahead
    r.body = "invalid authorization token";
    const livekit::ApiEndpoint endpoint{"http://lk:7880", "APIkey", "secret"};
    try {
        livekit::interpret_twirp_response("ListRooms", r, endpoint);
        FAIL() << "a 401 must throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth);
        EXPECT_TRUE(contains(e.what(), "this machine's clock is 900 s ahead of the server") ||
                    contains(e.what(), "this machine's clock is 899 s ahead of the server") ||
                    contains(e.what(), "this machine's clock is 901 s ahead of the server"))
            << e.what();
    }
}

}  // namespace
}  // namespace roomctl
