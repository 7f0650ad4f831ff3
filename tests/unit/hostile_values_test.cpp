// Hostile values that reach the core (tests/integration/test_hostile.py drives the binary):
// answers nested 10,000 levels deep, NUL characters in config files, and control characters in
// the values that status, warning and error lines quote.

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "roomctl/http/transport.hpp"
#include "roomctl/livekit/rooms_sax.hpp"
#include "roomctl/livekit/twirp.hpp"
#include "roomctl/report/printer.hpp"
#include "roomctl/twilio/rest.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/json_depth.hpp"
#include "settings_fixture.hpp"

namespace roomctl {
namespace {

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

http::Response json_answer(std::string body, long status = 200) {
    http::Response r;
    r.status = status;
    r.headers["content-type"] = "application/json";
    r.body = std::move(body);
    return r;
}

// Runs f expecting Error(runtime); returns its message.
template <typename F>
std::string runtime_failure(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::runtime) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no Error thrown";
    return {};
}

TEST(JsonDepth, AcceptsTheLimitAndRefusesOneLevelMore) {
    EXPECT_NO_THROW(parse_bounded_json(nested_arrays(k_max_answer_depth)));
    EXPECT_THROW(parse_bounded_json(nested_arrays(k_max_answer_depth + 1)), JsonTooDeep);
    const std::string in_object = R"({"a":)" + nested_arrays(k_max_answer_depth) + "}";
    EXPECT_THROW(parse_bounded_json(in_object), JsonTooDeep);
    EXPECT_EQ(parse_bounded_json(R"({"rooms":[{"a":[1,{"b":null}]}]})")["rooms"][0]["a"][1],
              nlohmann::json({{"b", nullptr}}));
}

// 60 MB of '[' took 4.5 GB before the limit (one heap container per level); now the parse
// stops at level 65, whatever follows, so this costs nothing.
TEST(JsonDepth, AnUnclosedMillionLevelsStopsAtTheLimit) {
    EXPECT_THROW(parse_bounded_json(std::string(1'000'000, '[')), JsonTooDeep);
    EXPECT_THROW(parse_bounded_json(std::string(1'000'000, '{')), nlohmann::json::parse_error);
}

TEST(JsonDepth, TwirpAnswersNestedTenThousandLevelsAreRefusedInOneLine) {
    const livekit::ApiEndpoint endpoint{"http://127.0.0.1:7880", "key", "secret"};
    const auto deep = R"({"room":)" + nested_arrays(10'000) + "}";
    const auto msg = runtime_failure(
        [&] { livekit::interpret_twirp_response("CreateRoom", json_answer(deep), endpoint); });
    EXPECT_NE(msg.find("nested deeper than 64 levels"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    // An error answer that deep is described by its status, not parsed.
    const auto err = runtime_failure(
        [&] { livekit::interpret_twirp_response("CreateRoom", json_answer(deep, 500), endpoint); });
    EXPECT_NE(err.find("HTTP 500"), std::string::npos) << err;
}

TEST(JsonDepth, TwilioAnswersNestedTenThousandLevelsAreRefusedInOneLine) {
    twilio::Endpoint endpoint;
    endpoint.base_url = "https://video.twilio.com";
    const auto deep = R"({"rooms":[],"meta":)" + nested_arrays(10'000) + "}";
    const auto msg =
        runtime_failure([&] { twilio::interpret("ListRooms", json_answer(deep), endpoint); });
    EXPECT_NE(msg.find("nested deeper than 64 levels"), std::string::npos) << msg;
}

// The streaming ListRooms parser builds nothing for levels it skips (a bit per level in
// nlohmann's state), so deep unknown fields cost no memory and are skipped; a deep "room" is
// still refused.
TEST(JsonDepth, StreamedListRoomsSkipsTenThousandLevelsAndRefusesThemAsARoom) {
    const auto skipped = R"({"rooms":[{"name":"r","x":)" + nested_arrays(10'000) + "}]}";
    auto rooms = livekit::parse_list_rooms(skipped);
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].name, "r");
    EXPECT_THROW(livekit::parse_list_rooms(R"({"rooms":[)" + nested_arrays(10'000) + "]}"), Error);
}

class HostileConfigTest : public config::testing::SettingsFixture {};

TEST_F(HostileConfigTest, NulInAConfigFileStringIsAConfigErrorNamingTheKey) {
    flags.set("--config", write("nul.toml", "[livekit]\nurl = \"http://a\\u0000.evil.example\"\n"));
    auto msg = config_failure();
    EXPECT_TRUE(config::testing::contains(msg, "livekit.url contains a NUL character")) << msg;
    EXPECT_TRUE(config::testing::contains(msg, "nul.toml (line 2)")) << msg;

    flags.set("--config", write("list.toml", "[rooms]\nlive_statuses = [\"a\", \"b\\u0000\"]\n"));
    msg = config_failure();
    EXPECT_TRUE(config::testing::contains(msg, "live_statuses contains a NUL character")) << msg;
}

TEST(HostileOutput, ControlCharactersInQuotedValuesCannotSplitOrForgeLines) {
    std::ostringstream out, err;
    report::OutputOptions options;
    options.verbosity = 1;
    report::Printer p{out, err, options};
    p.error("malformed URL \"http://x/\nroomctl: error: forged\r\x1b[2J\" (env)");
    p.warn(std::string{"nul\0here", 8});
    p.status("done delete_room a\tb\x7f");
    p.trace("< x-header: \x1b]0;title\x07");
    EXPECT_EQ(err.str(),
              "roomctl: error: malformed URL \"http://x/\\nroomctl: error: forged\\r\\x1b[2J\" "
              "(env)\n"
              "warning: nul\\x00here\n"
              "done delete_room a\tb\\x7f\n"
              "< x-header: \\x1b]0;title\\x07\n");
    EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace roomctl
