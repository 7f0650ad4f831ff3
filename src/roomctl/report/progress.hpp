#pragma once
// The progress line of a long --apply run, drawn on stderr when it is a terminal. Pure: the
// command layer decides whether to draw and writes the string; nothing here reads a clock
// or a file descriptor.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace roomctl::report {

// "recreate  12/20 [############--------]  60%  4.0/s  ETA 2s" while running;
// "recreate  20/20 [####################] 100%  4.1/s  done in 5s" at the end. The rate is
// finished actions per second of `elapsed_seconds`; ETA is what is left at that rate ("?"
// until the first action finished). `bar_width` is the number of cells between the brackets.
// With `failed` > 0, ", N failed" ends the line (the failed rows are listed in the result).
std::string render_progress(std::string_view label, std::size_t done, std::size_t total,
                            double elapsed_seconds, std::size_t bar_width = 20,
                            std::size_t failed = 0);

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
