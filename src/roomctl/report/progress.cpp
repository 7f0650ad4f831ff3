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

namespace {

std::string rate_text(double per_second) {
    if (per_second <= 0) return "unlimited";
    return per_second < 10 ? fmt::format("{:.1f}/s", per_second)
                           : fmt::format("{:.0f}/s", per_second);
}

}  // namespace

std::string render_progress(std::string_view label, std::size_t done, std::size_t total,
                            double elapsed_seconds, std::size_t bar_width, std::size_t failed,
                            double limit_per_second) {
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
    if (limit_per_second > 0)
        rate += "/s (limit " + rate_text(limit_per_second) + ")";
    else
        rate += "/s";
    const std::string count = fmt::format("{}/{}", done, total);
    return fmt::format("{}  {:>{}} [{}{}] {:>3}%  {}  {}", label, count,
                       2 * fmt::formatted_size("{}", total) + 1, std::string(filled, '#'),
                       std::string(bar_width - filled, '-'), percent, rate, tail);
}

std::string render_rate_summary(const RateSummary& r) {
    const double share =
        r.requests == 0 ? 0.0
                        : 100.0 * static_cast<double>(r.refused) / static_cast<double>(r.requests);
    std::string line =
        fmt::format("slowed by HTTP 429 {} time{}: {} of {} {} refused ({:.1f} %)", r.slowdowns,
                    r.slowdowns == 1 ? "" : "s", r.refused, r.requests, r.counts, share);
    if (r.paused_ms > 0)
        line += fmt::format(", paused {} for Retry-After",
                            format_eta(static_cast<double>(r.paused_ms) / 1000.0));
    line +=
        fmt::format("; rate {} at the end (limit {})", rate_text(r.effective), rate_text(r.limit));
    return line;
}

nlohmann::json rate_json(const RateSummary& r) {
    const double share =
        r.requests == 0 ? 0.0 : static_cast<double>(r.refused) / static_cast<double>(r.requests);
    nlohmann::json limit = nullptr, effective = nullptr;
    if (r.limit > 0) limit = r.limit;
    if (r.effective > 0) effective = std::round(r.effective * 10.0) / 10.0;
    return {{"counts", r.counts},
            {"limit_per_second", limit},
            {"effective_per_second", effective},
            {"requests", r.requests},
            {"refused", r.refused},
            {"refused_share", share},
            {"slowdowns", r.slowdowns},
            {"paused_ms", r.paused_ms}};
}

bool RedrawThrottle::due(Clock::time_point now, bool final) {
    if (!final && m_drawn && now - m_last < m_interval) return false;
    m_last = now;
    m_drawn = true;
    return true;
}

}  // namespace roomctl::report
