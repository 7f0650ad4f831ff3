#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

namespace roomctl::cli {

namespace {

std::string status_line(const reconcile::Action& a) {
    return fmt::format("{} {} {}: {}", reconcile::to_string(a.status), reconcile::to_string(a.kind),
                       a.room, a.error.empty() ? a.reason : a.error);
}

}  // namespace

ActionProgress::ActionProgress(Context& ctx, std::string label, std::size_t total)
    : m_printer(ctx.printer()),
      m_err(std::cerr),
      m_label(std::move(label)),
      m_total(total),
      m_start(std::chrono::steady_clock::now()) {
    const auto& g = ctx.globals;
    // -v traces every request on stderr: those lines would tear a bar drawn between them.
    m_bar = !g.json && !g.quiet && g.verbose == 0 && total > k_min_actions &&
            isatty(STDERR_FILENO) == 1;
    if (m_bar) {
        // Shown only when there is a limit (Twilio's default, --rate): an unlimited limiter
        // that was never slowed has nothing to say.
        m_limiter = ctx.rate_limits().writes;
        draw(false);
    }
}

ActionProgress::~ActionProgress() {
    try {
        close();
    } catch (...) {  // a destructor must not throw; the newline is cosmetic
    }
}

void ActionProgress::finished(const reconcile::Action& a) {
    ++m_done;
    if (a.status == reconcile::ActionStatus::failed) {
        ++m_failed;
        // With --json the document is for programs: a failure also gets its line on stderr,
        // for the person or log reading it. In text, the table on stdout is that line.
        if (m_printer.json()) m_printer.status(status_line(a));
    }
    if (!m_bar) return;
    // The last one is drawn by close(), with its newline. A failure is drawn at once.
    if (m_done < m_total && (a.status == reconcile::ActionStatus::failed ||
                             m_throttle.due(std::chrono::steady_clock::now())))
        draw(false);
}

void ActionProgress::draw(bool final) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_start;
    const std::string line =
        report::render_progress(m_label, m_done, m_total, elapsed.count(), 20, m_failed,
                                m_limiter ? m_limiter->effective_rate() : 0.0);
    m_err << '\r' << line;
    if (line.size() < m_width) m_err << std::string(m_width - line.size(), ' ');
    if (final) m_err << '\n';
    m_err.flush();
    m_width = line.size();
}

void ActionProgress::close() {
    if (!m_bar || m_closed) return;
    m_closed = true;
    draw(true);
}

}  // namespace roomctl::cli
