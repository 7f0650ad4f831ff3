// Which failures are repeated, how often, and how long roomctl waits (http/retry.hpp).

#include "roomctl/http/retry.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <variant>

namespace roomctl::http {
namespace {

using std::chrono::milliseconds;

// Plays back a script of answers and failures, counting the attempts.
class ScriptedTransport final : public Transport {
public:
    using Step = std::variant<Response, TransportError>;
    explicit ScriptedTransport(std::deque<Step> steps) : m_steps(std::move(steps)) {}
    Response send(const Request&) override {
        ++attempts;
        if (m_steps.empty()) throw std::logic_error("more attempts than scripted");
        Step step = m_steps.front();
        m_steps.pop_front();
        if (auto* e = std::get_if<TransportError>(&step)) throw *e;
        return std::get<Response>(step);
    }
    int attempts = 0;

private:
    std::deque<Step> m_steps;
};

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
    ScriptedTransport t({status(503), status(502), status(200)});
    auto answer = send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(t.attempts, 3);
}

TEST(Retry, UnsafeCallIsNotRepeatedAfterA5xxOrALostAnswer) {
    ScriptedTransport t({status(500)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::unsafe, quick(), "CreateRoom").status, 500);
    EXPECT_EQ(t.attempts, 1);

    ScriptedTransport reset({failure(FailureCause::other)});
    EXPECT_THROW(send_with_retry(reset, {}, Idempotency::unsafe, quick(), "CreateRoom"),
                 TransportError);
    EXPECT_EQ(reset.attempts, 1);

    ScriptedTransport timeout({failure(FailureCause::timeout)});
    EXPECT_THROW(send_with_retry(timeout, {}, Idempotency::unsafe, quick(), "CreateRoom"),
                 TransportError);
    EXPECT_EQ(timeout.attempts, 1);
}

TEST(Retry, UnsafeCallIsRepeatedWhenTheServerCannotHaveActed) {
    ScriptedTransport t({status(429), failure(FailureCause::refused), status(201)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::unsafe, quick(), "CreateRoom").status, 201);
    EXPECT_EQ(t.attempts, 3);
}

TEST(Retry, FailuresThatDoNotHealAreNotRepeated) {
    for (auto cause : {FailureCause::dns, FailureCause::tls, FailureCause::too_large}) {
        ScriptedTransport t({failure(cause)});
        EXPECT_THROW(send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms"),
                     TransportError);
        EXPECT_EQ(t.attempts, 1);
    }
    for (long code : {400L, 401L, 404L, 501L}) {
        ScriptedTransport t({status(code)});
        EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, quick(), "ListRooms").status,
                  code);
        EXPECT_EQ(t.attempts, 1);
    }
}

TEST(Retry, GivesUpAfterMaxAttemptsWithTheLastAnswerOrFailure) {
    RetryPolicy p = quick();
    p.max_attempts = 3;
    ScriptedTransport answers({status(503), status(503), status(504)});
    EXPECT_EQ(send_with_retry(answers, {}, Idempotency::idempotent, p, "ListRooms").status, 504);
    EXPECT_EQ(answers.attempts, 3);

    ScriptedTransport failures({failure(FailureCause::timeout), failure(FailureCause::timeout),
                                failure(FailureCause::refused)});
    try {
        send_with_retry(failures, {}, Idempotency::idempotent, p, "ListRooms");
        ADD_FAILURE() << "no failure thrown";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::refused);
    }
    EXPECT_EQ(failures.attempts, 3);
}

TEST(Retry, RateLimitedAttemptsHaveTheirOwnAllowance) {
    RetryPolicy p = quick();
    p.max_attempts = 2;
    p.max_rate_limited_attempts = 5;
    ScriptedTransport t({status(429), status(429), status(429), status(503), status(429),
                         status(200)});
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "CreateRoom").status, 200);
    EXPECT_EQ(t.attempts, 6);

    ScriptedTransport limited({status(429), status(429), status(429)});
    p.max_rate_limited_attempts = 3;
    EXPECT_EQ(send_with_retry(limited, {}, Idempotency::idempotent, p, "CreateRoom").status, 429);
    EXPECT_EQ(limited.attempts, 3);

    // A failure after a 503 uses up the other allowance.
    ScriptedTransport failing({status(503), failure(FailureCause::refused)});
    EXPECT_THROW(send_with_retry(failing, {}, Idempotency::idempotent, p, "ListRooms"),
                 TransportError);
    EXPECT_EQ(failing.attempts, 2);
}

TEST(Retry, StopsWhenTheNextDelayWouldPassTheTotalBudget) {
    RetryPolicy p;
    p.max_attempts = 10;
    p.max_delay = milliseconds{5'000};
    p.max_total = milliseconds{1'000};
    // Retry-After: 3 s is beyond the 1 s budget, so the 429 is handed back at once.
    ScriptedTransport t({status(429, "3"), status(200)});
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms").status, 429);
    EXPECT_EQ(t.attempts, 1);
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
    ScriptedTransport t({status(503), status(200)});
    send_with_retry(t, {}, Idempotency::idempotent, p, "ListRooms", [&] { ++paced; });
    EXPECT_EQ(paced, 2);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("retrying ListRooms after HTTP 503"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("(attempt 2)"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace roomctl::http
