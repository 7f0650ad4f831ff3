#include "app.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "conventions.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

// SIGINT and SIGTERM, taken by a thread of their own rather than a signal handler.
//
// Why a thread: cancelling means calling RoomStore::cancel() on stores that other threads may
// be destroying at that moment, and only a mutex makes that safe; a handler may take no mutex
// (nor allocate, nor print). Delivery through signalfd runs the cancel path as normal code.
// The signals are blocked in the main thread before any other thread exists, so every thread
// (executor workers, libcurl's resolver threads) inherits the block and only this one ever
// receives them.
//
// First signal: no new action starts (Context::interrupted), and a canceller thread calls
// Context::cancel_in_flight() (the flag media-server transfers and retry waits watch, and
// PQcancel on every live store), again every 200 ms so that a query started just after a
// cancel is cancelled too. A run that holds the run lock (--apply, Context::may_be_acting) may
// have an action in flight: it gets 1 s to finish before the cancel, because a create cut
// short leaves a room that may or may not exist; everything else is cancelled at once. The run
// then ends by itself with exit 130 (transfers wake every 50 ms, PQcancel is one round trip).
// The canceller is a thread of its own because PQcancel connects to the server and may block
// as long as connecting does: the watcher must stay free to keep the deadline. Should anything
// not listen (a connection being opened, which libpq cannot cancel; a cancel request stuck
// connecting), the process exits 130 anyway 1.6 s after the signal: never hang. A second
// signal exits 130 at once. Forced exits print one line; journal lines already written are
// fsynced, and an action cut short has a "start" line without an "end", which the journal
// documents as "may or may not have happened".
class InterruptWatcher {
public:
    explicit InterruptWatcher(Context& ctx) : m_ctx(ctx) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, &m_previous);
        m_signals = signalfd(-1, &set, SFD_CLOEXEC);
        m_stop = eventfd(0, EFD_CLOEXEC);
        if (m_signals < 0 || m_stop < 0) {
            // Cannot happen short of fd exhaustion; then signals keep their default action.
            close_fds();
            pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
            return;
        }
        m_watcher = std::thread([this] { watch(); });
    }
    // Stops both threads. A canceller stuck in PQcancel is not waited for beyond a second:
    // the run is over (and was interrupted), so the process exits 130 without it.
    ~InterruptWatcher() {
        if (m_watcher.joinable()) {
            std::uint64_t one = 1;
            (void)!::write(m_stop, &one, sizeof one);
            m_watcher.join();
        }
        if (m_canceller.joinable()) {
            std::unique_lock lock(m_mutex);
            m_stopping = true;
            m_wake.notify_all();
            if (!m_wake.wait_for(lock, std::chrono::seconds{1}, [this] { return m_cancelled; })) {
                std::cout.flush();
                std::cerr.flush();
                ::_exit(to_int(ExitCode::interrupted));
            }
            lock.unlock();
            m_canceller.join();
        }
        close_fds();
    }
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

private:
    static constexpr auto k_recancel = std::chrono::milliseconds{200};
    static constexpr auto k_finish_action = std::chrono::milliseconds{1000};
    static constexpr auto k_deadline = std::chrono::milliseconds{1600};

    [[noreturn]] static void force_exit(const char* what) {
        std::string line = std::string{"roomctl: error: interrupted; "} + what +
                           ": actions already done are kept, see the journal\n";
        (void)!::write(STDERR_FILENO, line.data(), line.size());
        ::_exit(to_int(ExitCode::interrupted));
    }

    void watch() {
        using clock = std::chrono::steady_clock;
        std::optional<clock::time_point> deadline;
        for (;;) {
            pollfd fds[2] = {{m_signals, POLLIN, 0}, {m_stop, POLLIN, 0}};
            int timeout = -1;
            if (deadline) {
                auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now());
                timeout = static_cast<int>(std::max<std::int64_t>(0, left.count()));
            }
            if (::poll(fds, 2, timeout) < 0) {
                // EINTR, or a transient ENOMEM: returning would leave the signals blocked and
                // unheard, so wait a moment and look again.
                if (errno != EINTR) std::this_thread::sleep_for(std::chrono::milliseconds{10});
                continue;
            }
            if (fds[1].revents & POLLIN) return;
            if (fds[0].revents & POLLIN) {
                signalfd_siginfo info{};
                if (::read(m_signals, &info, sizeof info) == sizeof info) {
                    if (deadline) force_exit("a second signal ended the run at once");
                    deadline = clock::now() + k_deadline;
                    m_ctx.interrupted.store(true);
                    m_canceller = std::thread([this] { cancel_repeatedly(); });
                }
            }
            if (deadline && clock::now() >= *deadline) {
                force_exit(
                    "exited without waiting for a call that cannot be cancelled (such "
                    "as opening a database connection)");
            }
        }
    }

    void cancel_repeatedly() {
        std::unique_lock lock(m_mutex);
        if (m_ctx.may_be_acting()) {
            m_wake.wait_for(lock, k_finish_action, [this] { return m_stopping; });
        }
        while (!m_stopping) {
            lock.unlock();
            m_ctx.cancel_in_flight();
            lock.lock();
            m_wake.wait_for(lock, k_recancel, [this] { return m_stopping; });
        }
        m_cancelled = true;
        m_wake.notify_all();
    }

    void close_fds() {
        if (m_signals >= 0) ::close(m_signals);
        if (m_stop >= 0) ::close(m_stop);
        m_signals = m_stop = -1;
    }

    Context& m_ctx;
    sigset_t m_previous{};
    int m_signals = -1, m_stop = -1;
    std::thread m_watcher;
    std::thread m_canceller;  // started by the watcher at the first signal
    std::mutex m_mutex;       // guards m_stopping and m_cancelled
    std::condition_variable m_wake;
    bool m_stopping = false, m_cancelled = false;
};

void add_global_options(CLI::App& app, GlobalOptions& g) {
    const char* group = "Global options";
    // One flag per registry entry that has one (two entries may share a flag, --url: the
    // first registers it, with its help).
    for (const auto& spec : config::settings_registry()) {
        if (spec.flag.empty() || spec.flag_help.empty()) continue;
        auto* opt = app.add_option(std::string{spec.flag}, g.settings[std::string{spec.flag}],
                                   std::string{spec.flag_help});
        if (spec.kind == config::Kind::provider)
            opt->check(CLI::IsMember({config::to_string(config::Provider::livekit),
                                      config::to_string(config::Provider::twilio)}));
        opt->group(group);
    }
    app.add_option("--journal", g.journal,
                   "Append applied actions to this JSON-lines file (default "
                   "$XDG_STATE_HOME/roomctl/journal.jsonl)")
        ->group(group);
    app.add_option("--metrics-file", g.metrics_file,
                   "Write Prometheus textfile metrics of this run to PATH (atomically)")
        ->group(group);
    app.add_flag("--json", g.json, "Print exactly one JSON document on stdout (as -o json)")
        ->group(group);
    app.add_option("-o,--output", g.output,
                   "Result format: text, json, tsv (tab-separated, for cut/awk), wide (text with "
                   "every row)")
        ->check(CLI::IsMember({"text", "json", "tsv", "wide"}))
        ->group(group);
    app.add_flag("--no-headers", g.no_headers, "Leave out the header row of tables (text, tsv)")
        ->group(group);
    app.add_flag("--show-all", g.show_all,
                 "On a terminal, list every row (done actions too), not only those needing "
                 "attention")
        ->group(group);
    app.add_flag("-q,--quiet", g.quiet,
                 "Print nothing when there is nothing to do or report; failures and refusals "
                 "still print")
        ->group(group);
    app.add_flag("-v,--verbose", g.verbose,
                 "Trace requests on stderr; -vv adds headers (secrets redacted)")
        ->group(group);
    app.add_flag("--no-color", g.no_color, "Disable color (NO_COLOR is honoured too)")
        ->group(group);
}

// Emits the failure as the one JSON document when --json was asked for and nothing was
// printed yet, so a script always gets a document to parse.
void report_error(Context& ctx, const std::string& message, ExitCode code) {
    auto& printer = ctx.printer();
    if (printer.json() && !printer.printed_result()) {
        auto doc = report::envelope(ctx.command.empty() ? "roomctl" : ctx.command);
        doc["error"] = {{"message", message}, {"exit_code", to_int(code)}};
        printer.result(doc, "");
    }
    printer.error(message);
}

}  // namespace

namespace {

// Parses and runs one command; every error becomes its documented exit code here.
int run_app(int argc, char** argv, Context& ctx) {
    CLI::App app{
        "roomctl keeps video rooms consistent between your PostgreSQL database and "
        "your media server (LiveKit or Twilio Video)."};
    app.name("roomctl");
    app.set_version_flag("--version", std::string{"roomctl "} + ROOMCTL_VERSION);
    app.fallthrough();
    app.require_subcommand(1);
    app.footer(
        "Examples:\n"
        "  roomctl check                  test server and database connectivity\n"
        "  roomctl audit                  list missing, orphaned and SID-drifted rooms\n"
        "  roomctl recreate --apply       recreate missing rooms and record their SIDs\n"
        "  roomctl cleanup --apply        delete orphaned server rooms (10m minimum age)\n"
        "\nExit codes: 0 ok, 1 failure, 2 usage, 3 configuration, 4 authentication, 5 drift or "
        "failed probe, 6 partial, 7 locked by another run, 130 interrupted.");
    app.formatter(help_formatter());  // before the subcommands: they copy it
    add_global_options(app, ctx.globals);
    // -o json is --json; asking for two different formats is a usage error (before any work).
    app.parse_complete_callback([&g = ctx.globals] {
        if (g.json && !g.output.empty() && g.output != "json")
            throw CLI::ValidationError("--json", "conflicts with -o " + g.output);
        if (g.output == "json") g.json = true;
    });
    register_check(app, ctx);
    register_token(app, ctx);
    register_rooms(app, ctx);
    register_audit(app, ctx);
    register_explain(app, ctx);
    register_recreate(app, ctx);
    register_cleanup(app, ctx);
    register_config(app, ctx);
    register_completion(app, ctx);  // last: it describes the commands above
    register_help(app, ctx);

    try {
        try {
            refuse_secret_flags(argc, argv);  // before CLI11 could echo the value in an error
        } catch (const Error&) {
            ctx.globals.json = asks_for_json(argc, argv);  // nothing is parsed yet
            throw;
        }
        app.parse(argc, argv);
        if (ctx.interrupted.load()) {
            report_error(ctx, "interrupted; actions already done are kept (see the report)",
                         ExitCode::interrupted);
            return to_int(ExitCode::interrupted);
        }
        return ctx.exit_code;
    } catch (const CLI::Success& e) {  // --help, --version (CLI::Success is a ParseError too)
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // One line: the unknown word with "did you mean", and the help of the subcommand.
        report_error(ctx, usage_message(app, e, argc, argv), ExitCode::usage);
        return to_int(ExitCode::usage);
    } catch (const Error& e) {
        // After SIGINT/SIGTERM, whatever a cancelled call threw (a cancelled query, an aborted
        // transfer, or a failure it caused) is the interrupt's doing: exit 130.
        auto code = ctx.interrupted.load() ? ExitCode::interrupted : exit_code_for(e.kind());
        std::string message = e.what();
        if (code == ExitCode::interrupted && e.kind() != ErrorKind::interrupted) {
            message = "interrupted: " + message;
        }
        report_error(ctx, message, code);
        return to_int(code);
    } catch (const std::exception& e) {
        if (ctx.interrupted.load()) {
            report_error(ctx, std::string{"interrupted: "} + e.what(), ExitCode::interrupted);
            return to_int(ExitCode::interrupted);
        }
        report_error(ctx, std::string{"internal error: "} + e.what(), ExitCode::failure);
        return to_int(ExitCode::failure);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Context ctx;
    InterruptWatcher watcher(ctx);  // before any other thread starts; stopped before ctx dies
    auto started = std::chrono::steady_clock::now();
    int code = run_app(argc, argv, ctx);
    if (!ctx.globals.metrics_file.empty() && !ctx.command.empty()) {
        // Written for failures too: a cron job that stopped working is what alerts are for.
        // Only a run that did its work refreshes the success timestamp.
        auto& m = ctx.metrics;
        m.command = ctx.command;
        if (m.provider.empty()) m.provider = ctx.provider_for_metrics();
        m.exit_code = code;
        m.finished_at = ctx.now();
        m.last_success = report::run_succeeded(m.command, code)
                             ? std::optional<std::int64_t>{m.finished_at}
                             : report::read_last_success(ctx.globals.metrics_file);
        m.duration_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        try {
            report::write_file_atomically(ctx.globals.metrics_file, report::render_prometheus(m));
        } catch (const Error& e) {
            ctx.printer().warn(e.what());
        }
    }
    return code;
}

}  // namespace roomctl::cli
