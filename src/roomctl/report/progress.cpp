#include "roomctl/report/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace roomctl::report {

std::string format_eta(double seconds) {
    if (!(seconds > 0)) return "0s";                    // also NaN
    const double capped = std::min(seconds, 359999.0);  // 99h59m59s
    const auto s = static_cast<long long>(std::ceil(capped));
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string render_progress(std::string_view label, std::size_t done, std::size_t total,
                            double elapsed_seconds, std::size_t bar_width, std::size_t failed) {
    done = std::min(done, total);
    const double fraction =
        total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar_width));
    const auto percent = static_cast<int>(fraction * 100.0);

    std::string rate = "-";
    double per_second = 0;
    if (done > 0 && elapsed_seconds > 0) {
        per_second = static_cast<double>(done) / elapsed_seconds;
        rate =
            per_second < 10 ? fmt::format("{:.1f}", per_second) : fmt::format("{:.0f}", per_second);
    }
    std::string tail;
    if (done == total)
        tail = "done in " + format_eta(elapsed_seconds);
    else if (per_second > 0)
        tail = "ETA " + format_eta(static_cast<double>(total - done) / per_second);
    else
        tail = "ETA ?";

    if (failed > 0) tail += fmt::format(", {} failed", failed);
    const std::string count = fmt::format("{}/{}", done, total);
    return fmt::format("{}  {:>{}} [{}{}] {:>3}%  {}/s  {}", label, count,
                       2 * fmt::formatted_size("{}", total) + 1, std::string(filled, '#'),
                       std::string(bar_width - filled, '-'), percent, rate, tail);
}

bool RedrawThrottle::due(Clock::time_point now, bool final) {
    if (!final && m_drawn && now - m_last < m_interval) return false;
    m_last = now;
    m_drawn = true;
    return true;
}

}  // namespace roomctl::report
