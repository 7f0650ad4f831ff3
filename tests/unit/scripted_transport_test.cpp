// The scripted transport the unit tests and fuzz targets share
// (tests/support/scripted_transport.hpp): matching, recording, and the failures it reports.

#include "support/scripted_transport.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/gtest_failure.hpp"

namespace roomctl::support {
namespace {

struct Problems {
    std::vector<std::pair<std::string, int>> seen;  // message, line
    FailureHandler handler() {
        return [this](const std::string& problem, const Site& where) {
            seen.emplace_back(problem, where.line);
        };
    }
};

http::Request request(std::string method, std::string url) {
    http::Request r;
    r.method = std::move(method);
    r.url = std::move(url);
    return r;
}

TEST(ScriptedTransport, RoutesAnswerByMethodAndPathInAnyOrder) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler()};
        t.on("POST", "/twirp/livekit.RoomService/CreateRoom", answer(200, "created"))
            .on("GET", "/v1/Rooms", answer(200, "listed"));
        EXPECT_EQ(t.send(request("GET", "https://video.twilio.com/v1/Rooms?PageSize=1")).body,
                  "listed");
        EXPECT_EQ(
            t.send(request("POST", "http://127.0.0.1:7880/twirp/livekit.RoomService/CreateRoom"))
                .body,
            "created");
        const auto sent = t.requests();
        ASSERT_EQ(sent.size(), 2u);
        EXPECT_EQ(sent[0].url, "https://video.twilio.com/v1/Rooms?PageSize=1");
        EXPECT_EQ(sent[1].method, "POST");
        EXPECT_EQ(t.pending(), 0u);
    }
    EXPECT_TRUE(problems.seen.empty());
}

TEST(ScriptedTransport, ThenAnswersInSequenceAndThrowsScriptedFailures) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler(),
                            {answer(503), transport_failure(http::FailureCause::timeout, "slow"),
                             json_answer(200, {{"ok", true}})}};
        EXPECT_EQ(t.send(request("POST", "http://x/a")).status, 503);
        try {
            t.send(request("POST", "http://x/a"));
            ADD_FAILURE() << "the scripted failure was not thrown";
        } catch (const http::TransportError& e) {
            EXPECT_EQ(e.cause(), http::FailureCause::timeout);
            EXPECT_STREQ(e.what(), "slow");
        }
        const auto last = t.send(request("GET", "http://x/b"));
        EXPECT_EQ(last.header("content-type"), "application/json");
        EXPECT_EQ(last.body, R"({"ok":true})");
        EXPECT_EQ(t.attempts(), 3u);
    }
    EXPECT_TRUE(problems.seen.empty());
}

TEST(ScriptedTransport, AnUnexpectedRequestIsReportedAndThrows) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler()};
        t.on("GET", "/v1/Rooms", answer(200));
        EXPECT_THROW(t.send(request("DELETE", "http://x/v1/Rooms?x=1")), std::logic_error);
        t.send(request("GET", "http://x/v1/Rooms"));
    }
    ASSERT_EQ(problems.seen.size(), 1u);
    EXPECT_EQ(problems.seen[0].first,
              "unexpected request DELETE http://x/v1/Rooms?x=1 (no unused stub matches DELETE "
              "/v1/Rooms)");
}

TEST(ScriptedTransport, EachStubAnswersOnce) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler()};
        t.on("GET", "/a", answer(200));
        t.send(request("GET", "http://x/a"));
        EXPECT_THROW(t.send(request("GET", "http://x/a")), std::logic_error);
    }
    EXPECT_EQ(problems.seen.size(), 1u);
}

TEST(ScriptedTransport, AStubNeverUsedIsReportedAtDestructionWithTheLineThatAddedIt) {
    Problems problems;
    int line = 0;
    {
        ScriptedTransport t{problems.handler()};
        line = __LINE__ + 1;
        t.on("POST", "/twirp/livekit.RoomService/DeleteRoom", answer(200));
    }
    ASSERT_EQ(problems.seen.size(), 1u);
    EXPECT_EQ(problems.seen[0].first,
              "stub never used: POST /twirp/livekit.RoomService/DeleteRoom -> HTTP 200");
    EXPECT_EQ(problems.seen[0].second, line);
}

TEST(ScriptedTransport, VerifyReportsEachUnusedStubOnce) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler()};
        t.then(transport_failure(http::FailureCause::refused, "connection refused"));
        t.verify();
    }
    ASSERT_EQ(problems.seen.size(), 1u);
    EXPECT_EQ(problems.seen[0].first, "stub never used: any request -> connection refused");
}

TEST(ScriptedTransport, FuzzModeRunsOutWithATransportErrorAndAllowsLeftovers) {
    Problems problems;
    {
        ScriptedTransport t{problems.handler()};
        t.then(answer(200)).then(answer(404));
        t.allow_unused().when_exhausted(http::FailureCause::dns, "fuzz script: no answer left");
        EXPECT_EQ(t.send(request("GET", "http://x/")).status, 200);
    }
    EXPECT_TRUE(problems.seen.empty());

    ScriptedTransport bare;  // no handler at all, as in fuzz/
    bare.when_exhausted(http::FailureCause::dns, "fuzz script: no answer left");
    try {
        bare.send(request("GET", "http://x/"));
        ADD_FAILURE() << "an exhausted script must throw";
    } catch (const http::TransportError& e) {
        EXPECT_EQ(e.cause(), http::FailureCause::dns);
    }
}

TEST(ScriptedTransport, FailTestFailsTheRunningTest) {
    EXPECT_NONFATAL_FAILURE(
        {
            ScriptedTransport t{fail_test};
            t.on("GET", "/v1/Rooms", answer(200));
        },
        "stub never used: GET /v1/Rooms -> HTTP 200");
    EXPECT_NONFATAL_FAILURE(
        {
            ScriptedTransport t{fail_test};
            EXPECT_THROW(t.send(request("GET", "http://x/y")), std::logic_error);
        },
        "unexpected request GET http://x/y");
}

TEST(ScriptedTransport, PathOfDropsSchemeHostQueryAndFragment) {
    EXPECT_EQ(path_of("https://video.twilio.com/v1/Rooms/RM1?Status=completed"), "/v1/Rooms/RM1");
    EXPECT_EQ(path_of("http://127.0.0.1:7880"), "/");
    EXPECT_EQ(path_of("/v1/Rooms#top"), "/v1/Rooms");
}

}  // namespace
}  // namespace roomctl::support
