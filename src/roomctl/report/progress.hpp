#pragma once
// The progress line of a long --apply run, drawn on stderr when it is a terminal. Pure: the
// command layer decides whether to draw and writes the string; nothing here reads a clock
// or a file descriptor.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace roomctl::report {

// "recreate  12/20 [############--------]  60%  4.0/s  ETA 2s" while running;
// "recreate  20/20 [####################] 100%  4.1/s  done in 5s" at the end. The rate is
// finished actions per second of `elapsed_seconds`; ETA is what is left at that rate ("?"
// until the first action finished). `bar_width` is the number of cells between the brackets.
// With `failed` > 0, ", N failed" ends the line (the failed rows are listed in the result).
// With `limit_per_second` > 0 (the rate limiter's effective rate, which 429s lower), the rate
// reads "4.0/s (limit 20/s)".
std::string render_progress(std::string_view label, std::size_t done, std::size_t total,
                            double elapsed_seconds, std::size_t bar_width = 20,
                            std::size_t failed = 0, double limit_per_second = 0);

// What the run's rate limiter did (http::RateStats, restated here: report/ does not see http/).
struct RateSummary {
    std::string counts;    // what the limit counts: "writes" (Twilio) or "requests" (LiveKit)
    double limit = 0;      // configured, per second; 0 = unlimited
    double effective = 0;  // at the end, per second; 0 = unlimited (never slowed)
    std::uint64_t requests = 0;
    std::uint64_t refused = 0;    // answered HTTP 429
    std::uint64_t slowdowns = 0;  // times the rate was cut
    std::int64_t paused_ms = 0;   // Retry-After pauses imposed on every worker
};

// One line for the summary, only worth printing when refused > 0: "slowed by HTTP 429 2 times:
// 5 of 2000 writes refused (0.3 %), paused 2s for Retry-After; rate 14/s at the end (limit
// 20/s)".
std::string render_rate_summary(const RateSummary& r);
// {"counts", "limit_per_second" (null = unlimited), "effective_per_second", "requests",
//  "refused", "refused_share", "slowdowns", "paused_ms"}
nlohmann::json rate_json(const RateSummary& r);

// Seconds as "4s", "1m05s", "2h03m" (rounded up, so an ETA never reads 0s too early).
std::string format_eta(double seconds);

// Limits redraws to one per `interval` (~10 a second by default); `final` is always due.
class RedrawThrottle {
public:
    using Clock = std::chrono::steady_clock;
    explicit RedrawThrottle(std::chrono::milliseconds interval = std::chrono::milliseconds{100})
        : m_interval(interval) {}
    // Whether to redraw at `now`; records the redraw when it says yes.
    bool due(Clock::time_point now, bool final = false);

private:
    std::chrono::milliseconds m_interval;
    Clock::time_point m_last{};
    bool m_drawn = false;
};

}  // namespace roomctl::report
