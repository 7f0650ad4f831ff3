// The progress line of --apply runs (pure rendering) and its redraw throttle.

#include "roomctl/report/progress.hpp"

#include <gtest/gtest.h>

namespace roomctl::report {
namespace {

using namespace std::chrono_literals;

TEST(FormatEta, Units) {
    EXPECT_EQ(format_eta(0), "0s");
    EXPECT_EQ(format_eta(-3), "0s");
    EXPECT_EQ(format_eta(0.2), "1s");  // rounded up: never "0s" while work is left
    EXPECT_EQ(format_eta(59), "59s");
    EXPECT_EQ(format_eta(65), "1m05s");
    EXPECT_EQ(format_eta(3600), "1h00m");
    EXPECT_EQ(format_eta(7384), "2h03m");
    EXPECT_EQ(format_eta(1e12), "99h59m");
}

TEST(RenderProgress, Start) {
    EXPECT_EQ(render_progress("recreate", 0, 20, 0.0),
              "recreate   0/20 [--------------------]   0%  -/s  ETA ?");
}

TEST(RenderProgress, Midway) {
    EXPECT_EQ(render_progress("recreate", 10, 20, 2.5),
              "recreate  10/20 [##########----------]  50%  4.0/s  ETA 3s");
}

TEST(RenderProgress, FastRatesHaveNoDecimals) {
    EXPECT_EQ(render_progress("cleanup", 150, 200, 10.0),
              "cleanup  150/200 [###############-----]  75%  15/s  ETA 4s");
}

TEST(RenderProgress, Done) {
    EXPECT_EQ(render_progress("recreate", 20, 20, 4.9),
              "recreate  20/20 [####################] 100%  4.1/s  done in 5s");
}

TEST(RenderProgress, ShowsTheRateLimitersEffectiveRate) {
    EXPECT_EQ(render_progress("recreate", 100, 2000, 5.0, 20, 0, 20.0),
              "recreate   100/2000 [#-------------------]   5%  20/s (limit 20/s)  ETA 1m35s");
    EXPECT_EQ(render_progress("recreate", 10, 20, 2.5, 20, 0, 7.5),
              "recreate  10/20 [##########----------]  50%  4.0/s (limit 7.5/s)  ETA 3s");
}

TEST(RateSummary, SaysHowOftenTheRunWasSlowedAndByHowMuch) {
    RateSummary r{"writes", 20, 14.2, 2010, 10, 2, 2000};
    EXPECT_EQ(render_rate_summary(r),
              "slowed by HTTP 429 2 times: 10 of 2010 writes refused (0.5 %), paused 2s for "
              "Retry-After; rate 14/s at the end (limit 20/s)");
    const auto j = rate_json(r);
    EXPECT_EQ(j["limit_per_second"], 20.0);
    EXPECT_EQ(j["effective_per_second"], 14.2);
    EXPECT_EQ(j["refused"], 10);
    EXPECT_NEAR(j["refused_share"].get<double>(), 10.0 / 2010, 1e-9);
    RateSummary unlimited{"requests", 0, 0, 60, 0, 0, 0};
    EXPECT_TRUE(rate_json(unlimited)["limit_per_second"].is_null());
    EXPECT_TRUE(rate_json(unlimited)["effective_per_second"].is_null());
}

TEST(RenderProgress, BarDoesNotShiftWhileCountsGrow) {
    // The count column is as wide as "total/total", so the bar stays put as digits appear.
    EXPECT_EQ(render_progress("x", 1, 100, 1.0).find('['),
              render_progress("x", 99, 100, 1.0).find('['));
    EXPECT_EQ(render_progress("x", 7, 20, 1.0, 10).find(']'),
              render_progress("x", 12, 20, 1.0, 10).find(']'));
}

TEST(RenderProgress, OddInputsDoNotBreakIt) {
    EXPECT_EQ(render_progress("x", 5, 3, 1.0), render_progress("x", 3, 3, 1.0));  // clamped
    EXPECT_NE(render_progress("x", 0, 0, 0.0).find("100%"), std::string::npos);
    EXPECT_NE(render_progress("x", 2, 10, 0.0).find("-/s  ETA ?"), std::string::npos);
    EXPECT_EQ(render_progress("x", 1, 3, 1.0, 0), "x  1/3 []  33%  1.0/s  ETA 2s");
}

TEST(RenderProgress, NoEscapesOrCarriageReturns) {
    const auto line = render_progress("recreate", 3, 7, 1.0);
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(RedrawThrottle, AtMostOncePerInterval) {
    RedrawThrottle t{100ms};
    const RedrawThrottle::Clock::time_point t0{};
    EXPECT_TRUE(t.due(t0 + 1s));  // first is always due
    EXPECT_FALSE(t.due(t0 + 1s + 10ms));
    EXPECT_FALSE(t.due(t0 + 1s + 99ms));
    EXPECT_TRUE(t.due(t0 + 1s + 100ms));
    EXPECT_FALSE(t.due(t0 + 1s + 150ms));
    EXPECT_TRUE(t.due(t0 + 1s + 150ms, true));  // the final redraw always happens
    EXPECT_FALSE(t.due(t0 + 1s + 200ms));       // and restarts the interval
}

TEST(RedrawThrottle, TenPerSecondAtMostUnderABurst) {
    RedrawThrottle t;  // 100 ms default
    const RedrawThrottle::Clock::time_point t0{};
    int draws = 0;
    for (int ms = 0; ms < 1000; ++ms)
        if (t.due(t0 + std::chrono::milliseconds{ms})) ++draws;
    EXPECT_EQ(draws, 10);
}

}  // namespace
}  // namespace roomctl::report
