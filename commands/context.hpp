#pragma once
// What every command shares: global options, resolved settings (lazily, so `--help` and
// `token create` never need a database), the printer, and factories for core objects.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/rate_limiter.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/report/metrics.hpp"
#include "roomctl/report/printer.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::cli {

struct GlobalOptions {
    // The global flags of the settings registry (config/registry.hpp), as typed: flag name
    // ("--url") -> text; empty when not given. add_global_options makes one per flag.
    std::map<std::string, std::string, std::less<>> settings;
    std::string journal;       // --journal FILE (recreate/cleanup --apply)
    std::string metrics_file;  // --metrics-file PATH (Prometheus textfile)
    bool json = false;         // --json, or -o json
    std::string output;        // -o/--output: "", text, json, tsv or wide
    bool no_headers = false;   // --no-headers
    bool show_all = false;     // --show-all: every row on a terminal too (as -o wide)
    bool quiet = false;
    bool no_color = false;
    int verbose = 0;
};

struct StoreRegistry;  // context.cpp: the stores cancel_in_flight() reaches

class Context {
public:
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    GlobalOptions globals;
    std::string command;  // "audit", "rooms list": names the JSON document
    int exit_code = 0;
    // Set by SIGINT/SIGTERM at once: no new action starts, no new connection is opened, and
    // the run ends with exit 130.
    std::atomic<bool> interrupted{false};
    // Set by cancel_in_flight(): the media servers made by media_server() abort their
    // transfers and retry waits (their calls throw Error(interrupted)).
    std::atomic<bool> cancelled{false};
    report::RunMetrics metrics;  // filled by commands, written by app.cpp when asked for

    const config::Settings& settings();
    report::Printer& printer();
    // The style for text results: printer()'s options and now().
    report::TextStyle text_style() { return printer().style(now()); }
    // The configured provider's client; its calls throw Error(interrupted) once `cancelled`
    // is set (the flag is passed down by pointer: the client lives in libroomctl_io.so).
    std::unique_ptr<media::MediaServer> media_server();
    // The run's rate limiters (wiring::make_rate_limits), made once and shared by every
    // client media_server() returns, so all workers share one budget. Thread-safe. Throws
    // Error(usage/config) for a malformed --rate / [http] rate.
    const http::RateLimits& rate_limits();
    // Request tracing for -v (empty without it); lines go to the printer's stderr.
    http::TraceSink trace_sink();
    // A connected store that cancel_in_flight() can reach while it lives. Throws
    // Error(interrupted) when the run was interrupted before or while connecting, else what
    // store::connect_room_store throws.
    std::unique_ptr<store::RoomStore> room_store();
    // Now, in unix seconds (one reading per run keeps reports consistent).
    std::int64_t now() const;

    // The interrupt path's second step: sets `interrupted` and `cancelled`, then calls
    // RoomStore::cancel() on every store room_store() made that is still alive (their queries
    // in flight fail at once with Error(interrupted) instead of waiting out a lock). Safe to
    // call repeatedly and from any thread, but NOT from a signal handler (it takes a mutex):
    // app.cpp calls it from its interrupt thread.
    void cancel_in_flight() noexcept;
    // True once a store took a run lock (try_table_lock or try_advisory_lock succeeded): an
    // --apply run that may be acting, whose action in flight deserves a moment to finish
    // before it is cancelled. Thread-safe.
    bool may_be_acting() const noexcept;
    // The provider label for metrics, without throwing: the resolved settings' provider, else
    // --provider, else ROOMCTL_PROVIDER, else the settings resolved quietly now (config
    // file), else "unknown".
    std::string provider_for_metrics() noexcept;

private:
    // The global flags as settings input (resolve_settings parses them). With typed false,
    // only the flags whose values are plain text (no --timeout, whose bad value may be what
    // failed).
    config::FlagValues flag_values(bool typed = true) const;
    std::unique_ptr<store::RoomStore> connect_store();

    std::optional<config::Settings> m_settings;
    std::unique_ptr<report::Printer> m_printer;
    std::shared_ptr<StoreRegistry> m_stores;  // shared with each store room_store() returned
    std::mutex m_rate_mutex;
    std::optional<http::RateLimits> m_rate_limits;
};

}  // namespace roomctl::cli
