// The run's shared rate limit (http/rate_limiter.hpp) on an injected clock: pacing, bursts,
// AIMD on 429, Retry-After in both forms, and one budget shared by many threads.

#include "roomctl/http/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "roomctl/http/retry.hpp"
#include "support/gtest_failure.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using T = RateLimiter::time_point;

const T t0 = T{} + std::chrono::hours{1};

double ms_between(T a, T b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

RateLimiter limiter(double rate, double burst = 1) {
    RateLimiterOptions o;
    o.rate = rate;
    o.burst = burst;
    return RateLimiter{o};
}

TEST(RateLimiter, ParsesRatesAsTyped) {
    EXPECT_EQ(parse_rate("20/s"), 20.0);
    EXPECT_EQ(parse_rate("20"), 20.0);
    EXPECT_EQ(parse_rate("1200/m"), 20.0);
    EXPECT_EQ(parse_rate("0.5/s"), 0.5);
    EXPECT_EQ(parse_rate("0"), 0.0);
    EXPECT_EQ(parse_rate("unlimited"), 0.0);
    for (const char* bad : {"", "/s", "20/h", "-1/s", "fast", "20 /s", "1e9/s", "nan"})
        EXPECT_FALSE(parse_rate(bad).has_value()) << bad;
    EXPECT_EQ(format_rate(20), "20/s");
    EXPECT_EQ(format_rate(2.5), "2.5/s");
    EXPECT_EQ(format_rate(0), "unlimited");
}

TEST(RateLimiter, SlotsAreOneIntervalApartAtTheConfiguredRate) {
    auto l = limiter(20);
    // 40 requests asked for at once get slots 50 ms apart: 2 s for 40 at 20/s.
    std::vector<T> slots;
    for (int i = 0; i < 40; ++i) slots.push_back(l.reserve(t0));
    EXPECT_EQ(slots.front(), t0);
    for (int i = 1; i < 40; ++i) EXPECT_NEAR(ms_between(slots[i - 1], slots[i]), 50.0, 0.01);
    EXPECT_NEAR(ms_between(t0, slots.back()), 39 * 50.0, 0.1);
    EXPECT_EQ(l.stats().requests, 40u);
}

TEST(RateLimiter, AnIdleSpellAllowsABurstButNoMore) {
    auto l = limiter(10, 5);
    // After idling, 5 go at once; the 6th waits one interval.
    const T later = t0 + seconds{10};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(l.reserve(later), later) << i;
    EXPECT_NEAR(ms_between(later, l.reserve(later)), 100.0, 0.01);
    // Idle time never banks more than the burst.
    const T much_later = later + seconds{100};
    int at_once = 0;
    for (int i = 0; i < 20; ++i) at_once += l.reserve(much_later) == much_later;
    EXPECT_EQ(at_once, 5);
}

TEST(RateLimiter, UnlimitedGrantsEverySlotAtOnce) {
    auto l = limiter(0);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(l.reserve(t0), t0);
    EXPECT_EQ(l.effective_rate(), 0.0);
}

TEST(RateLimiter, A429HalvesTheRateAndAcceptedAnswersAddItBackSlowly) {
    auto l = limiter(20);
    l.on_refused(t0, t0, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 10.0);
    EXPECT_EQ(l.stats().slowdowns, 1u);
    // Additive: about 2/s more per second of accepted answers (a tenth of 20/s). One second at
    // ~10/s lifts the rate by about 2, not back to 20.
    T now = t0;
    for (int i = 0; i < 10; ++i) l.on_accepted(now += milliseconds{100});
    EXPECT_GT(l.effective_rate(), 11.5);
    EXPECT_LT(l.effective_rate(), 12.5);
    // ... and never above the configured rate.
    for (int i = 0; i < 1000; ++i) l.on_accepted(now += milliseconds{50});
    EXPECT_DOUBLE_EQ(l.effective_rate(), 20.0);
}

TEST(RateLimiter, RefusalsOfRequestsScheduledBeforeTheCutCutNothingMore) {
    auto l = limiter(20);
    // Three workers' requests were scheduled at the old rate; all three come back 429.
    l.on_refused(t0, t0 + milliseconds{10}, std::nullopt);
    l.on_refused(t0 + milliseconds{5}, t0 + milliseconds{12}, std::nullopt);
    l.on_refused(t0 + milliseconds{8}, t0 + milliseconds{15}, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 10.0);
    // A request scheduled after the cut that is refused again cuts again.
    l.on_refused(t0 + milliseconds{20}, t0 + milliseconds{30}, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 5.0);
    const auto s = l.stats();
    EXPECT_EQ(s.refused, 4u);
    EXPECT_EQ(s.slowdowns, 2u);
    // Never below min_rate.
    for (int i = 1; i < 20; ++i) l.on_refused(t0 + seconds{i}, t0 + seconds{i}, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 1.0);
}

TEST(RateLimiter, UnlimitedStartsFromWhatTheServerAcceptedInTheLastSecond) {
    auto l = limiter(0);
    T now = t0;
    for (int i = 0; i < 30; ++i) l.on_accepted(now += milliseconds{30});  // 30 in 0.9 s
    l.on_refused(now, now, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 15.0);
    // From then on it paces.
    const T a = l.reserve(now), b = l.reserve(now);
    EXPECT_NEAR(ms_between(a, b), 1000.0 / 15, 0.01);
}

TEST(RateLimiter, UnlimitedProbesGentlyNearWhereThe429sCameFrom) {
    auto l = limiter(0);
    T now = t0;
    for (int i = 0; i < 20; ++i) l.on_accepted(now += milliseconds{50});  // 20/s accepted
    l.on_refused(now, now, std::nullopt);
    EXPECT_DOUBLE_EQ(l.effective_rate(), 10.0);
    // Quickly back to 90 % of the 20/s the server refused beyond: 2/s per second ...
    for (int i = 0; i < 200 && l.effective_rate() < 18.0; ++i)
        l.on_accepted(now += milliseconds{60});
    ASSERT_GE(l.effective_rate(), 18.0);
    // ... then a tenth of that: one more second of work adds about 0.2/s.
    const double before = l.effective_rate();
    for (int i = 0; i < 18; ++i) l.on_accepted(now += milliseconds{55});
    EXPECT_NEAR(l.effective_rate() - before, 0.2, 0.03);
}

TEST(RateLimiter, RetryAfterPausesEveryWorkerThenPacingResumes) {
    auto l = limiter(20);
    l.on_refused(t0, t0, milliseconds{1000});
    EXPECT_EQ(l.paused_until(), t0 + seconds{1});
    EXPECT_EQ(l.reserve(t0 + milliseconds{10}), t0 + seconds{1});
    EXPECT_NEAR(ms_between(t0 + seconds{1}, l.reserve(t0 + milliseconds{10})), 100.0, 0.01);
    // A shorter Retry-After does not shorten the pause; the paused time is counted once.
    l.on_refused(t0, t0 + milliseconds{500}, milliseconds{200});
    EXPECT_EQ(l.paused_until(), t0 + seconds{1});
    EXPECT_EQ(l.stats().paused, milliseconds{1000});
}

TEST(RateLimiter, RetryAfterIsReadAsSecondsOrAsAnHttpDate) {
    const auto now = std::chrono::system_clock::from_time_t(1445412478);  // 07:27:58 GMT
    EXPECT_EQ(parse_retry_after("2", now), milliseconds{2000});
    EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds{0});
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds{2000});
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds{0});  // past
    EXPECT_EQ(parse_retry_after("99999999", now), milliseconds{3'600'000});  // capped at 1 h
    for (const char* bad : {"", "-1", "1.5", "soon", "Wed, 21 Foo 2015 07:28:00 GMT",
                            "Wed, 21 Oct 2015 07:28:00 UTC", "Wednesday, 21-Oct-15 07:28:00 GMT"})
        EXPECT_FALSE(parse_retry_after(bad, now).has_value()) << bad;
}

TEST(RateLimiter, ThreadsShareOneBudget) {
    auto l = limiter(100);
    std::vector<T> slots(8 * 50);
    std::vector<std::thread> threads;
    for (int w = 0; w < 8; ++w)
        threads.emplace_back([&, w] {
            for (int i = 0; i < 50; ++i) slots[w * 50 + i] = l.reserve(t0);
        });
    for (auto& t : threads) t.join();
    // 400 distinct slots 10 ms apart: the last one 3.99 s after the first, whoever asked.
    std::set<T> distinct(slots.begin(), slots.end());
    ASSERT_EQ(distinct.size(), 400u);
    EXPECT_NEAR(ms_between(*distinct.begin(), *distinct.rbegin()), 3990.0, 0.5);
    EXPECT_EQ(l.stats().requests, 400u);
}

// send_with_retry tells the limiter about each answer: one slowdown and one pause for a 429
// with Retry-After, then the repeat is accepted.
TEST(RateLimiter, SendWithRetryReportsAnswersToTheLimiter) {
    Response limited;
    limited.status = 429;
    limited.headers["retry-after"] = "1";
    Response ok;
    ok.status = 200;
    support::ScriptedTransport t(support::fail_test, {limited, ok});
    RetryPolicy p;
    p.base_delay = milliseconds{1};
    p.max_delay = milliseconds{30};  // caps the Retry-After: the test waits 30 ms, not 1 s
    RateLimiterOptions o;
    o.rate = 1000;
    p.limiter = std::make_shared<RateLimiter>(o);
    EXPECT_EQ(send_with_retry(t, {}, Idempotency::idempotent, p, "CreateRoom").status, 200);
    const auto s = p.limiter->stats();
    EXPECT_EQ(s.requests, 2u);
    EXPECT_EQ(s.refused, 1u);
    EXPECT_EQ(s.slowdowns, 1u);
    EXPECT_EQ(s.paused, milliseconds{30});
}

}  // namespace
}  // namespace roomctl::http
