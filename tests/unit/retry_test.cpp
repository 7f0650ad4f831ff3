// Which failures are repeated, how often, and how long roomctl waits (http/retry.hpp).

#include "roomctl/http/retry.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "roomctl/http/curl_transport.hpp"
#include "support/gtest_failure.hpp"
#include "support/loopback_listener.hpp"

namespace roomctl::http {
namespace {

using std::chrono::milliseconds;

// Each test plays a script of answers and failures (tests/support/scripted_transport.hpp),
// one step per attempt: an attempt beyond the script, or a step never used, fails the test.
using support::fail_test;
using support::ScriptedTransport;

Response status(long code, std::string retry_after = {}) {
    Response r;
    r.status = code;
    if (!retry_after.empty()) r.headers["retry-after"] = retry_after;
    return r;
}

TransportError failure(FailureCause cause) { return TransportError(cause, "scripted failure"); }

RetryPolicy quick() {
    RetryPolicy p;
    p.base_delay = milliseconds{1};
    p.max_delay = milliseconds{2};
    return p;
}

TEST(Retry, IdempotentCallOutlastsA503Burst) {
    ScriptedTransport t(fail_test, {status(503), status(502), status(200)});
    auto answer = send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(t.attempts(), 3);
}

TEST(Retry, UnsafeCallIsNotRepeatedAfterA5xxOrALostAnswer) {
    ScriptedTransport t(fail_test, {status(500)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::unsafe, quick(), "CreateRoom").status, 500);
    EXPECT_EQ(t.attempts(), 1);

    ScriptedTransport reset(fail_test, {failure(FailureCause::other)});
    EXPECT_THROW(send_with_retry(reset, {}, Idempotency::unsafe, quick(), "CreateRoom"),
                 TransportError);
    EXPECT_EQ(reset.attempts(), 1);

    ScriptedTransport timeout(fail_test, {failure(FailureCause::timeout)});
    EXPECT_THROW(send_with_retry(timeout, {}, Idempotency::unsafe, quick(), "CreateRoom"),
                 TransportError);
    EXPECT_EQ(timeout.attempts(), 1);
}

TEST(Retry, UnsafeCallIsRepeatedWhenTheServerCannotHaveActed) {
    ScriptedTransport t(fail_test, {status(429), failure(FailureCause::refused), status(201)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::unsafe, quick(), "CreateRoom").status, 201);
    EXPECT_EQ(t.attempts(), 3);
}

TEST(Retry, FailuresThatDoNotHealAreNotRepeated) {
    for (auto cause : {FailureCause::dns, FailureCause::tls, FailureCause::too_large}) {
        ScriptedTransport t(fail_test, {failure(cause)});
        EXPECT_THROW(send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms"),
                     TransportError);
        EXPECT_EQ(t.attempts(), 1);
    }
    for (long code : {400L, 401L, 404L, 501L}) {
        ScriptedTransport t(fail_test, {status(code)});
        EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms").status,
                  code);
        EXPECT_EQ(t.attempts(), 1);
    }
}

TEST(Retry, GivesUpAfterMaxAttemptsWithTheLastAnswerOrFailure) {
    RetryPolicy p = quick();
    p.max_attempts = 3;
    ScriptedTransport answers(fail_test, {status(503), status(503), status(504)});
    EXPECT_EQ(send_with_retry(answers, {}, Idempotency::idempotent, p, "ListRooms").status, 504);
    EXPECT_EQ(answers.attempts(), 3);

    ScriptedTransport failures(fail_test,
                               {failure(FailureCause::timeout), failure(FailureCause::timeout),
                                failure(FailureCause::refused)});
    try {
        send_with_retry(failures, {}, Idempotency::idempotent, p, "ListRooms");
        ADD_FAILURE() << "no failure thrown";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::refused);
    }
    EXPECT_EQ(failures.attempts(), 3);
}

TEST(Retry, RateLimitedAttemptsHaveTheirOwnAllowance) {
    RetryPolicy p = quick();
    p.max_attempts = 2;
    p.max_rate_limited_attempts = 5;
    ScriptedTransport t(
        fail_test, {status(429), status(429), status(429), status(503), status(429), status(200)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "CreateRoom").status, 200);
    EXPECT_EQ(t.attempts(), 6);

    ScriptedTransport limited(fail_test, {status(429), status(429), status(429)});
    p.max_rate_limited_attempts = 3;
    EXPECT_EQ(send_with_retry(limited, {}, Idempotency::idempotent, p, "CreateRoom").status, 429);
    EXPECT_EQ(limited.attempts(), 3);

    // A failure after a 503 uses up the other allowance.
    ScriptedTransport failing(fail_test, {status(503), failure(FailureCause::refused)});
    EXPECT_THROW(send_with_retry(failing, {}, Idempotency::idempotent, p, "ListRooms"),
                 TransportError);
    EXPECT_EQ(failing.attempts(), 2);
}

TEST(Retry, StopsWhenTheNextDelayWouldPassTheTotalBudget) {
    RetryPolicy p;
    p.max_attempts = 10;
    p.max_delay = milliseconds{5'000};
    p.max_total = milliseconds{1'000};
    // Retry-After: 3 s is beyond the 1 s budget, so the 429 is handed back at once.
    ScriptedTransport t(fail_test, {status(429, "3"), status(200)});
    t.allow_unused();  // the 200 is the answer a repeat would get; it must stay unasked
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms").status, 429);
    EXPECT_EQ(t.attempts(), 1);
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds{900});
}

TEST(Retry, DelayGrowsExponentiallyWithinItsCap) {
    RetryPolicy p;
    p.base_delay = milliseconds{100};
    p.max_delay = milliseconds{1'000};
    for (int i = 0; i < 200; ++i) {
        EXPECT_LE(retry_delay(0, p, nullptr), milliseconds{100});
        EXPECT_LE(retry_delay(2, p, nullptr), milliseconds{400});
        EXPECT_LE(retry_delay(30, p, nullptr), milliseconds{1'000});
        EXPECT_GE(retry_delay(30, p, nullptr), milliseconds{0});
    }
}

TEST(Retry, DelayIsJittered) {
    RetryPolicy p;
    p.base_delay = milliseconds{1'000};
    p.max_delay = milliseconds{1'000};
    std::set<long long> seen;
    for (int i = 0; i < 50; ++i) seen.insert(retry_delay(3, p, nullptr).count());
    EXPECT_GT(seen.size(), 10u);
}

TEST(Retry, RetryAfterRaisesTheDelayUpToTheCap) {
    RetryPolicy p;
    p.base_delay = milliseconds{1};
    p.max_delay = milliseconds{3'000};
    auto two = status(429, "2");
    EXPECT_EQ(retry_delay(0, p, &two), milliseconds{2'000});
    auto ten = status(429, "10");
    EXPECT_EQ(retry_delay(0, p, &ten), milliseconds{3'000});
    auto date = status(429, "Wed, 21 Oct 2015 07:28:00 GMT");  // HTTP-date: jitter stands
    EXPECT_LE(retry_delay(0, p, &date), milliseconds{1});
}

TEST(Retry, EachRepeatIsTracedAndPacingRunsBeforeEveryAttempt) {
    RetryPolicy p = quick();
    std::vector<std::string> lines;
    p.trace = [&](const std::string& line) { lines.push_back(line); };
    int paced = 0;
    ScriptedTransport t(fail_test, {status(503), status(200)});
    send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms", [&] { ++paced; });
    EXPECT_EQ(paced, 2);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("retrying ListRooms after HTTP 503"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("(attempt 2)"), std::string::npos) << lines[0];
}

TEST(Retry, ACancelEndsABackOffWithinMilliseconds) {
    RetryPolicy p;
    p.max_delay = milliseconds{3'000};
    std::atomic<bool> cancel{false};
    p.cancel = &cancel;
    // Retry-After: 3 s would hold a SIGTERM for three seconds if the wait were a plain sleep.
    ScriptedTransport t(fail_test, {status(429, "3"), status(200)});
    t.allow_unused();  // the 200 is the answer a repeat would get; it must stay unasked
    std::thread interrupter([&] {
        std::this_thread::sleep_for(milliseconds{100});
        cancel.store(true);
    });
    auto started = std::chrono::steady_clock::now();
    try {
        send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms");
        ADD_FAILURE() << "a cancelled retry must throw";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::cancelled);
        EXPECT_EQ(e.kind(), ErrorKind::interrupted);
        EXPECT_NE(std::string{e.what()}.find("interrupted while waiting to retry ListRooms"),
                  std::string::npos)
            << e.what();
    }
    interrupter.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds{500});
    EXPECT_EQ(t.attempts(), 1);  // the 200 was never asked for
}

TEST(Retry, NoAttemptStartsOnceCancelled) {
    RetryPolicy p = quick();
    std::atomic<bool> cancel{true};
    p.cancel = &cancel;
    ScriptedTransport t(fail_test, {status(200)});
    t.allow_unused();  // what an attempt would get; none may start
    EXPECT_THROW(send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms"), TransportError);
    EXPECT_EQ(t.attempts(), 0);
}

TEST(Retry, ACancelledTransferIsNeverRepeatedAndIsAnInterrupt) {
    EXPECT_FALSE(retryable_failure(FailureCause::cancelled, Idempotency::idempotent));
    ScriptedTransport t(fail_test, {failure(FailureCause::cancelled), status(200)});
    t.allow_unused();  // the 200 is the answer a repeat would get; it must stay unasked
    EXPECT_THROW(send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms"),
                 TransportError);
    EXPECT_EQ(t.attempts(), 1);
    EXPECT_EQ(failure(FailureCause::cancelled).kind(), ErrorKind::interrupted);
    EXPECT_EQ(failure(FailureCause::timeout).kind(), ErrorKind::runtime);
}

TEST(Retry, AnUnsetCancelFlagChangesNothing) {
    RetryPolicy p = quick();
    std::atomic<bool> cancel{false};
    p.cancel = &cancel;
    ScriptedTransport t(fail_test, {status(503), status(200)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms").status, 200);
    EXPECT_EQ(t.attempts(), 2);
}

// A port on 127.0.0.1 that accepts connections (the kernel completes the handshake from the
// backlog) and never answers: a server stuck behind a lock.
class SilentServer {
public:
    SilentServer() {
        const auto listener = roomctl::testing::listen_on_loopback();
        m_fd = listener.fd;
        port = listener.port;
    }
    ~SilentServer() { ::close(m_fd); }
    int port = 0;

private:
    int m_fd = -1;
};

TEST(CurlCancel, ATransferInFlightIsAbortedSoonAfterTheFlagIsSet) {
    SilentServer server;
    std::atomic<bool> cancel{false};
    TransportOptions options;
    options.cancel = &cancel;
    CurlTransport transport(options);
    Request request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(server.port) + "/twirp/x";
    request.timeout = milliseconds{20'000};
    std::thread interrupter([&] {
        std::this_thread::sleep_for(milliseconds{300});
        cancel.store(true);
    });
    auto started = std::chrono::steady_clock::now();
    try {
        transport.send(request);
        ADD_FAILURE() << "a silent server must not answer";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::cancelled) << e.what();
        EXPECT_EQ(e.kind(), ErrorKind::interrupted);
        EXPECT_EQ(std::string{e.what()}, "interrupted while waiting for an answer from 127.0.0.1:" +
                                             std::to_string(server.port));
    }
    interrupter.join();
    // libcurl's progress callback runs at least about once a second while it waits.
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds{1'600});
    // Once set, a send fails before connecting.
    EXPECT_THROW(transport.send(request), TransportError);
}

}  // namespace
}  // namespace roomctl::http
