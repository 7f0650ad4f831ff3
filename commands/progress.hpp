#pragma once
// How an --apply run reports each finished action. On a terminal (stderr a TTY, no --json,
// no -q, no -v, more than k_min_actions actions) a progress line is redrawn in place with \r
// at most ~10 times a second and ended with a newline; failed and skipped actions are still
// printed above it. Otherwise every action gets its status line, as before (-q silences them).

#include <chrono>
#include <cstddef>
#include <iosfwd>
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
    bool m_bar = false;
    bool m_closed = false;
    std::size_t m_width = 0;  // length of the last drawn line, to blank it when overwriting
    std::chrono::steady_clock::time_point m_start;
    report::RedrawThrottle m_throttle;
};

}  // namespace roomctl::cli
