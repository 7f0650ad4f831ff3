#pragma once
// Repeating a request after a transient failure, and only when repeating is safe.
//
// A request is repeated when the failure says the server did not act (HTTP 429, a refused
// connection), or, for idempotent requests only, when it may have acted but acting twice
// changes nothing (HTTP 500/502/503/504, a timeout, a reset or truncated answer). Delays grow
// exponentially with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
// never below a Retry-After the server sent, and the whole sequence is bounded in attempts
// and in time. DNS, TLS and oversized-answer failures are never repeated: they do not heal.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "roomctl/http/rate_limiter.hpp"
#include "roomctl/http/transport.hpp"

namespace roomctl::http {

enum class Idempotency {
    // Sending twice has the effect of sending once: reads, deletes by name or SID, and creates
    // keyed by a unique name that answer with the existing room.
    idempotent,
    // Sending twice could act twice: repeated only when the server cannot have acted.
    unsafe,
};

struct RetryPolicy {
    int max_attempts = 4;  // including the first; 1 = never repeat
    // A 429 costs the server nothing and says when to come back, so rate-limited attempts
    // have their own, larger allowance (still within max_total).
    int max_rate_limited_attempts = 8;
    std::chrono::milliseconds base_delay{100};   // first delay's upper bound
    std::chrono::milliseconds max_delay{2'000};  // cap of one delay (and of a Retry-After)
    // No attempt starts after this much time since the first one started; one attempt still
    // takes up to its Request::timeout, so the worst case is max_total + timeout.
    std::chrono::milliseconds max_total{15'000};
    // One line per repeat ("retrying ListRooms after HTTP 503 in 180 ms (attempt 2 of 4)").
    TraceSink trace;
    // When set and true, no further attempt starts and a back-off wait ends within ~10 ms:
    // send_with_retry throws TransportError(cancelled) (kind interrupted). Usually the same
    // flag as TransportOptions::cancel. May be null.
    const std::atomic<bool>* cancel = nullptr;
    // The run's shared request-rate limit (http/rate_limiter.hpp), or null for none: every
    // attempt waits for its slot (and for a Retry-After pause in force, capped at max_delay);
    // each answer tells the limiter whether it was a 429.
    std::shared_ptr<RateLimiter> limiter;
};

// A Retry-After value as a wait from `now`: delta seconds ("2") or an HTTP-date (IMF-fixdate,
// "Wed, 21 Oct 2015 07:28:00 GMT", RFC 9110 10.2.3); a date in the past is 0. nullopt when
// the value is neither. Capped at one hour.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// True for the HTTP statuses worth repeating: 429 always; 500, 502, 503, 504 when idempotent.
bool retryable_status(long status, Idempotency idempotency);

// True for the transport failures worth repeating: a refused connection always; a timeout
// and any other failure without an answer (reset, truncated body) when idempotent; never a
// cancelled one.
bool retryable_failure(FailureCause cause, Idempotency idempotency);

// Delay before attempt `attempt + 1` (attempt counts from 0): uniform in
// [0, min(max_delay, base_delay * 2^attempt)], raised to Retry-After (parse_retry_after) when
// the answer carried one, and capped at max_delay.
std::chrono::milliseconds retry_delay(int attempt, const RetryPolicy& policy,
                                      const Response* answer);

// Sends `request` until it gets an answer that is not worth repeating, or the policy runs out.
// Returns the last answer (possibly a 429 or 5xx, which the caller interprets); rethrows the
// last TransportError when no attempt got an answer. `what` names the call in trace lines.
// Throws TransportError(cancelled) once policy.cancel is set (before an attempt, or while
// waiting between attempts).
// `before_attempt`, when set, runs before every attempt (after the limiter's slot). The wait
// for a slot is not counted against max_total (a queue of workers is not a failing server);
// it is bounded by the queue (workers / rate, the rate never below the limiter's min_rate,
// each Retry-After pause capped at max_delay) and ends at once on `cancel`.
Response send_with_retry(Transport& transport, const Request& request, Idempotency idempotency,
                         const RetryPolicy& policy, const std::string& what,
                         const std::function<void()>& before_attempt = {});

// send_with_retry, with each attempt's body streamed to `consumer` (Transport::send_streaming).
// Every attempt starts with consumer.begin(), so a consumer that restarts there never mixes an
// attempt cut off mid-body (which end(false) announced) into the next one; an accepted answer
// (begin() returned true) is never repeated, since a repeatable status is one the consumer
// should leave to the caller in Response::body.
Response send_with_retry(Transport& transport, const Request& request, BodyConsumer& consumer,
                         Idempotency idempotency, const RetryPolicy& policy,
                         const std::string& what);

}  // namespace roomctl::http
