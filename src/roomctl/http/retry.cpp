#include "roomctl/http/retry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <thread>

namespace roomctl::http {

namespace {

using clock = std::chrono::steady_clock;

std::chrono::milliseconds retry_after(const Response& answer) {
    auto value = answer.header("retry-after");
    if (!value) return std::chrono::milliseconds{0};
    try {
        std::size_t used = 0;
        long long seconds = std::stoll(*value, &used);
        if (used == value->size() && seconds > 0) {
            return std::chrono::milliseconds{std::min(seconds, 3600LL) * 1000};
        }
    } catch (const std::exception&) {
        // an HTTP-date or garbage: the jittered delay stands
    }
    return std::chrono::milliseconds{0};
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

}  // namespace

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

Response send_with_retry(Transport& transport, const Request& request, Idempotency idempotency,
                         const RetryPolicy& policy, const std::string& what,
                         const std::function<void()>& before_attempt) {
    const auto started = clock::now();
    int failures = 0, rate_limited = 0;  // attempts so far, by kind
    for (int attempt = 0;; ++attempt) {
        std::string failure;
        std::chrono::milliseconds delay{0};
        if (cancelled(policy)) {
            throw TransportError(FailureCause::cancelled, "interrupted before " + what);
        }
        if (before_attempt) before_attempt();
        try {
            Response answer = transport.send(request);
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

}  // namespace roomctl::http
