#pragma once
// How an --apply run shows its actions while they run. Each action appears once, in the
// result on stdout (the table, or the JSON document); nothing here repeats it. On a terminal
// (stderr a TTY, no --json, no -q, no -v, more than k_min_actions actions) a progress line is
// redrawn in place with \r at most ~10 times a second, counts failures as they happen, and is
// ended with a newline. Otherwise nothing is printed per action: off a terminal (cron, a log)
// stdout is the result and its table lists every action, so a line per action on stderr would
// print each twice (and a merged log would hold both). One exception: with --json, whose
// document on stdout is for programs, each failed action also gets its status line on stderr
// ("failed create_room NAME: why"; -q silences it), as errors do.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>

#include "context.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/report/progress.hpp"

namespace roomctl::cli {

class ActionProgress {
public:
    static constexpr std::size_t k_min_actions = 5;  // a bar for more than this many

    // Decides between the bar and status lines from ctx's options and whether stderr is a TTY.
    ActionProgress(Context& ctx, std::string label, std::size_t total);
    ~ActionProgress();  // ends a drawn bar with its newline if close() was not reached
    ActionProgress(const ActionProgress&) = delete;
    ActionProgress& operator=(const ActionProgress&) = delete;

    // ExecuteOptions::on_finished: called under the executor's lock, one call at a time.
    void finished(const reconcile::Action& a);
    // Draws the final state and ends the line (once); a no-op without a bar.
    void close();

    bool bar() const { return m_bar; }

private:
    void draw(bool final);

    report::Printer& m_printer;
    std::ostream& m_err;
    std::string m_label;
    std::size_t m_total;
    std::size_t m_done = 0;
    std::size_t m_failed = 0;
    bool m_bar = false;
    bool m_closed = false;
    std::size_t m_width = 0;  // length of the last drawn line, to blank it when overwriting
    std::chrono::steady_clock::time_point m_start;
    report::RedrawThrottle m_throttle;
    // The run's write limiter: the bar shows its effective rate (none while unlimited).
    std::shared_ptr<http::RateLimiter> m_limiter;
};

}  // namespace roomctl::cli
