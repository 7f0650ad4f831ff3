#include "roomctl/http/rate_limiter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace roomctl::http {

namespace {

using std::chrono::duration;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

RateLimiter::Clock::duration seconds_of(double s) {
    return duration_cast<RateLimiter::Clock::duration>(duration<double>(s));
}

}  // namespace

std::optional<double> parse_rate(std::string_view text) {
    if (text == "0" || text == "unlimited" || text == "off") return 0.0;
    double per = 1;  // seconds the number counts over
    if (text.size() > 2 && text[text.size() - 2] == '/') {
        switch (text.back()) {
            case 's':
                per = 1;
                break;
            case 'm':
                per = 60;
                break;
            default:
                return std::nullopt;
        }
        text.remove_suffix(2);
    }
    double n = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(n) || n < 0 ||
        n > 1'000'000)
        return std::nullopt;
    return n / per;  // "0/s" is unlimited too
}

std::string format_rate(double per_second) {
    if (per_second <= 0) return "unlimited";
    if (per_second >= 10 || std::abs(per_second - std::round(per_second)) < 0.05)
        return fmt::format("{:.0f}/s", per_second);
    return fmt::format("{:.1f}/s", per_second);
}

RateLimiter::RateLimiter(RateLimiterOptions options)
    : m_options(options), m_rate(std::max(0.0, options.rate)) {
    m_options.burst = std::max(1.0, m_options.burst);
    m_options.min_rate = std::max(0.001, m_options.min_rate);
    if (!(m_options.decrease > 0 && m_options.decrease < 1)) m_options.decrease = 0.5;
    m_stats.limit = m_rate;
}

RateLimiter::time_point RateLimiter::reserve(time_point now, bool counted) {
    std::lock_guard lock(m_mutex);
    if (counted) ++m_stats.requests;
    const auto start = std::max(now, m_paused_until);
    if (m_rate <= 0) return start;
    const auto interval = seconds_of(1.0 / m_rate);
    const auto tolerance = seconds_of((m_options.burst - 1.0) / m_rate);
    const auto slot = std::max(start, m_tat - tolerance);
    m_tat = std::max(m_tat, slot) + interval;
    return slot;
}

RateLimiter::time_point RateLimiter::paused_until() const {
    std::lock_guard lock(m_mutex);
    return m_paused_until;
}

double RateLimiter::increase_step() const {
    if (m_options.increase > 0) return m_options.increase;
    if (m_options.rate > 0) return std::max(1.0, m_options.rate / 10.0);
    // Unlimited: the server's limit is only known from the last cut. Back to near it quickly,
    // then probe beyond it ten times more gently (as CUBIC's plateau), since every overshoot
    // costs a round of 429s.
    const double step = std::max(1.0, m_rate_at_slowdown / 10.0);
    return m_rate >= 0.9 * m_rate_at_slowdown ? step / 10.0 : step;
}

void RateLimiter::on_accepted(time_point now) {
    std::lock_guard lock(m_mutex);
    m_accepted.push_back(now);
    while (!m_accepted.empty() && now - m_accepted.front() > std::chrono::seconds{1})
        m_accepted.pop_front();
    if (m_rate <= 0) return;  // unlimited and never slowed
    if (m_options.rate > 0 && m_rate >= m_options.rate) return;
    m_rate += increase_step() / m_rate;
    if (m_options.rate > 0) m_rate = std::min(m_rate, m_options.rate);
}

void RateLimiter::on_refused(time_point reserved, time_point now,
                             std::optional<std::chrono::milliseconds> retry_after) {
    std::lock_guard lock(m_mutex);
    ++m_stats.refused;
    if (retry_after && retry_after->count() > 0) {
        const auto until = now + *retry_after;
        const auto from = std::max(m_paused_until, now);
        if (until > from) {
            m_stats.paused += duration_cast<milliseconds>(until - from);
            m_paused_until = until;
        }
    }
    // Scheduled before the last cut: the same congestion, already answered.
    if (m_slowed && reserved < m_slowed_at) return;
    while (!m_accepted.empty() && now - m_accepted.front() > std::chrono::seconds{1})
        m_accepted.pop_front();
    // Unlimited so far: the server just showed what it accepts, the answers of the last second.
    const double base =
        m_rate > 0 ? m_rate : std::max(m_options.min_rate, static_cast<double>(m_accepted.size()));
    m_rate_at_slowdown = base;
    m_rate = std::max(m_options.min_rate, base * m_options.decrease);
    m_slowed = true;
    m_slowed_at = now;
    ++m_stats.slowdowns;
    // The queue was scheduled at the old rate: new slots start after the pause, paced anew.
    m_tat = std::max(m_tat, std::max(now, m_paused_until));
}

double RateLimiter::effective_rate() const {
    std::lock_guard lock(m_mutex);
    return m_rate;
}

RateStats RateLimiter::stats() const {
    std::lock_guard lock(m_mutex);
    RateStats s = m_stats;
    s.effective = m_rate;
    return s;
}

}  // namespace roomctl::http
