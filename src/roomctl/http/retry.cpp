#include "roomctl/http/retry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>

namespace roomctl::http {

namespace {

using clock = std::chrono::steady_clock;

std::chrono::milliseconds retry_after(const Response& answer) {
    auto value = answer.header("retry-after");
    if (!value) return std::chrono::milliseconds{0};
    return parse_retry_after(*value, std::chrono::system_clock::now())
        .value_or(std::chrono::milliseconds{0});
}

// "Wed, 21 Oct 2015 07:28:00 GMT" as unix seconds; nullopt unless exactly that shape.
std::optional<std::time_t> parse_imf_fixdate(std::string_view v) {
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
        v[16] != ' ' || v[19] != ':' || v[22] != ':' || v[25] != ' ' || v.substr(26) != "GMT")
        return std::nullopt;
    auto number = [&](std::size_t at, std::size_t len) -> int {
        int n = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (v[i] < '0' || v[i] > '9') return -1;
            n = n * 10 + (v[i] - '0');
        }
        return n;
    };
    const auto month = months.find(v.substr(8, 3));
    std::tm tm{};
    tm.tm_mday = number(5, 2);
    tm.tm_year = number(12, 4) - 1900;
    tm.tm_hour = number(17, 2);
    tm.tm_min = number(20, 2);
    tm.tm_sec = number(23, 2);
    if (month == std::string_view::npos || month % 3 != 0 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_year < 70 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
        tm.tm_sec < 0 || tm.tm_sec > 60)
        return std::nullopt;
    tm.tm_mon = static_cast<int>(month / 3);
    return timegm(&tm);
}

bool cancelled(const RetryPolicy& policy) { return policy.cancel && policy.cancel->load(); }

// Waits out a back-off, but returns false as soon as the cancel flag is set: a SIGTERM must
// not wait behind a 2 s Retry-After. Slices of 10 ms keep the flag a plain atomic (the
// signal path cannot notify a condition variable in another module's copy of the code).
bool wait_unless_cancelled(std::chrono::milliseconds delay, const RetryPolicy& policy) {
    if (!policy.cancel) {
        std::this_thread::sleep_for(delay);
        return true;
    }
    const auto until = clock::now() + delay;
    for (;;) {
        if (cancelled(policy)) return false;
        auto left = until - clock::now();
        if (left <= clock::duration::zero()) return true;
        std::this_thread::sleep_for(std::min<clock::duration>(left, std::chrono::milliseconds{10}));
    }
}

// Waits for the limiter's slot and any Retry-After pause in force; false once cancelled.
// `reserved` is when the slot was (last) reserved: the limiter's key for "scheduled before a
// cut". A slot a pause swallowed is reserved again after the pause, so the queue resumes at the
// new pace instead of all at once.
bool wait_for_slot(RateLimiter& limiter, const RetryPolicy& policy, clock::time_point& reserved) {
    reserved = clock::now();
    auto slot = limiter.reserve(reserved);
    for (;;) {
        auto now = clock::now();
        if (slot > now) {
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
            if (!wait_unless_cancelled(wait, policy)) return false;
            continue;
        }
        auto paused = limiter.paused_until();
        if (paused <= now) return true;
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(paused - now);
        if (!wait_unless_cancelled(wait, policy)) return false;
        reserved = clock::now();
        slot = limiter.reserve(reserved, false);
    }
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
    constexpr long long cap_seconds = 3600;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!value.empty() && value.size() <= 10 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        long long seconds = 0;
        for (char c : value) seconds = seconds * 10 + (c - '0');
        return std::chrono::milliseconds{std::min(seconds, cap_seconds) * 1000};
    }
    const auto when = parse_imf_fixdate(value);
    if (!when) return std::nullopt;
    const auto at = std::chrono::system_clock::from_time_t(*when);
    if (at <= now) return std::chrono::milliseconds{0};
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(at - now);
    return std::min(wait, std::chrono::milliseconds{cap_seconds * 1000});
}

bool retryable_status(long status, Idempotency idempotency) {
    if (status == 429) return true;
    if (idempotency != Idempotency::idempotent) return false;
    return status == 500 || status == 502 || status == 503 || status == 504;
}

bool retryable_failure(FailureCause cause, Idempotency idempotency) {
    switch (cause) {
        case FailureCause::refused:
            return true;  // nothing was sent
        case FailureCause::timeout:
        case FailureCause::other:
            return idempotency == Idempotency::idempotent;
        case FailureCause::dns:
        case FailureCause::tls:
        case FailureCause::too_large:
        case FailureCause::cancelled:
            return false;
    }
    return false;
}

std::chrono::milliseconds retry_delay(int attempt, const RetryPolicy& policy,
                                      const Response* answer) {
    const long long ceiling = std::min<long long>(
        policy.max_delay.count(), policy.base_delay.count() << std::clamp(attempt, 0, 20));
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::chrono::milliseconds delay{
        std::uniform_int_distribution<long long>(0, std::max(0LL, ceiling))(rng)};
    if (answer) delay = std::max(delay, retry_after(*answer));
    return std::min(delay, policy.max_delay);
}

namespace {

Response retry_loop(Transport& transport, const Request& request, BodyConsumer* consumer,
                    Idempotency idempotency, const RetryPolicy& policy, const std::string& what,
                    const std::function<void()>& before_attempt) {
    const auto started = clock::now();
    int failures = 0, rate_limited = 0;  // attempts so far, by kind
    for (int attempt = 0;; ++attempt) {
        std::string failure;
        std::chrono::milliseconds delay{0};
        if (cancelled(policy)) {
            throw TransportError(FailureCause::cancelled, "interrupted before " + what);
        }
        clock::time_point reserved{};
        if (policy.limiter && !wait_for_slot(*policy.limiter, policy, reserved)) {
            throw TransportError(FailureCause::cancelled,
                                 "interrupted while waiting to send " + what);
        }
        if (before_attempt) before_attempt();
        try {
            Response answer =
                consumer ? transport.send_streaming(request, *consumer) : transport.send(request);
            if (policy.limiter) {
                if (answer.status == 429) {
                    auto wait = std::min(retry_after(answer), policy.max_delay);
                    policy.limiter->on_refused(reserved, clock::now(), wait);
                } else {
                    policy.limiter->on_accepted(clock::now());
                }
            }
            if (!retryable_status(answer.status, idempotency)) return answer;
            const bool last = answer.status == 429
                                  ? ++rate_limited >= policy.max_rate_limited_attempts
                                  : ++failures >= policy.max_attempts;
            if (last) return answer;
            delay = retry_delay(attempt, policy, &answer);
            if (clock::now() + delay - started > policy.max_total) return answer;
            failure = fmt::format("HTTP {}", answer.status);
        } catch (const TransportError& e) {
            if (!retryable_failure(e.cause(), idempotency) || ++failures >= policy.max_attempts)
                throw;
            delay = retry_delay(attempt, policy, nullptr);
            if (clock::now() + delay - started > policy.max_total) throw;
            failure = e.what();
        }
        if (policy.trace) {
            policy.trace(fmt::format("retrying {} after {} in {} ms (attempt {})", what, failure,
                                     delay.count(), attempt + 2));
        }
        if (!wait_unless_cancelled(delay, policy)) {
            throw TransportError(
                FailureCause::cancelled,
                fmt::format("interrupted while waiting to retry {} (after {})", what, failure));
        }
    }
}

}  // namespace

Response send_with_retry(Transport& transport, const Request& request, Idempotency idempotency,
                         const RetryPolicy& policy, const std::string& what,
                         const std::function<void()>& before_attempt) {
    return retry_loop(transport, request, nullptr, idempotency, policy, what, before_attempt);
}

Response send_with_retry(Transport& transport, const Request& request, BodyConsumer& consumer,
                         Idempotency idempotency, const RetryPolicy& policy,
                         const std::string& what) {
    return retry_loop(transport, request, &consumer, idempotency, policy, what, {});
}

}  // namespace roomctl::http
