#pragma once
// A client-side request-rate limit shared by every worker of a run, that slows down when the
// server answers 429.
//
// Pacing is a token bucket in its "virtual scheduling" form (GCRA, ITU-T I.371): each request
// reserves the next free slot, slots are 1/rate apart, and up to `burst` slots may be taken at
// once after an idle spell. A reservation never fails: it says when the caller may send, so
// requests queue in the order they asked and the caller decides how to wait (bounded,
// cancellable: http/retry.cpp).
//
// Adaptive slowing is AIMD, as TCP's congestion control: every 429 for a request sent after
// the last slowdown cuts the effective rate (multiplicative decrease, `decrease` factor, never
// below `min_rate`); every accepted request adds `increase / rate` to it, about `increase`
// requests/s per second of work (additive increase), never above the configured rate. 429s for
// requests that were already on their way when the rate was cut are the same congestion and
// cut nothing more. A Retry-After stops every worker until it has passed: it speaks of the
// account, not of one request.
//
// Pure: the clock is a parameter of every call (no sleeps here, so tests inject time), and
// every method is thread-safe (one mutex).

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace roomctl::http {

// "20/s", "20", "1200/m", "0.5/s": requests per second (> 0); "0", "unlimited" or "off": no
// limit (0). nullopt for anything else (the caller names the flag or key in its message).
std::optional<double> parse_rate(std::string_view text);

// A rate for people: "20/s", "2.5/s", "unlimited" (0).
std::string format_rate(double per_second);

struct RateLimiterOptions {
    double rate = 0;        // requests per second; 0 = unlimited (still slows down on 429)
    double burst = 1;       // slots that may be taken at once after an idle spell (>= 1)
    double decrease = 0.5;  // multiplicative decrease on a 429 (0 < decrease < 1)
    double min_rate = 1;    // the decrease stops here (requests per second)
    // Additive increase in requests/s per second of accepted requests; 0 = a tenth of the
    // configured rate, at least 1. Unlimited: a tenth of the rate before the last slowdown
    // while below 90 % of it, a hundredth beyond (probing gently where the 429s came from).
    double increase = 0;
};

struct RateStats {
    double limit = 0;                     // the configured rate (0 = unlimited)
    double effective = 0;                 // the rate now (0 = unlimited: never slowed)
    std::uint64_t requests = 0;           // reservations (attempts sent through the limiter)
    std::uint64_t refused = 0;            // answers with HTTP 429
    std::uint64_t slowdowns = 0;          // multiplicative decreases
    std::chrono::milliseconds paused{0};  // total Retry-After pauses imposed on everyone
};

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    using time_point = Clock::time_point;

    explicit RateLimiter(RateLimiterOptions options = {});

    // Reserves the next slot at or after `now` and returns it: the caller sends at that time,
    // not before. Also never before a Retry-After pause ends. `counted` false for a caller
    // that reserves again because a pause swallowed its slot (stats count requests once).
    time_point reserve(time_point now, bool counted = true);
    // The end of the Retry-After pause in force (a past time when none): a caller that reserved
    // before a pause began waits for it too, then reserves again (paced, not all at once).
    time_point paused_until() const;
    // An answer that was not a 429, for a request sent through the limiter.
    void on_accepted(time_point now);
    // A 429 for a request whose slot was reserved at `reserved` (a request scheduled before
    // the last cut was paced at the old rate: its 429 cuts nothing more); `retry_after` is the
    // server's wait (already capped by the caller's retry budget), if it sent one.
    void on_refused(time_point reserved, time_point now,
                    std::optional<std::chrono::milliseconds> retry_after);

    double effective_rate() const;  // requests per second; 0 = unlimited
    RateStats stats() const;

private:
    double increase_step() const;  // requests/s per second of accepted requests

    mutable std::mutex m_mutex;
    RateLimiterOptions m_options;
    double m_rate;                  // effective; 0 = unlimited
    double m_rate_at_slowdown = 0;  // effective rate before the last decrease
    time_point m_tat{};             // theoretical arrival time of the next request
    time_point m_paused_until{};
    time_point m_slowed_at{};  // when the rate was last cut
    bool m_slowed = false;
    std::deque<time_point> m_accepted;  // accepted answers of the last second
    RateStats m_stats;
};

// The limiters of one run: writes are what changes something; reads are lists and fetches.
// Both may be the same limiter (LiveKit counts every API call against one limit).
struct RateLimits {
    std::shared_ptr<RateLimiter> writes;
    std::shared_ptr<RateLimiter> reads;
};

}  // namespace roomctl::http
