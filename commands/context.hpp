#pragma once
// What every command shares: global options, resolved settings (lazily, so `--help` and
// `token create` never need a database), the printer, and factories for core objects.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/report/metrics.hpp"
#include "roomctl/report/printer.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::cli {

struct GlobalOptions {
    std::string config_path, provider, url, api_key, api_secret_file, account_sid, database_url,
        table, room_name_template, timeout, cacert;
    std::string profile;  // --profile NAME
    std::string journal;       // --journal FILE (recreate/cleanup --apply)
    std::string metrics_file;  // --metrics-file PATH (Prometheus textfile)
    bool json = false;
    bool quiet = false;
    bool no_color = false;
    int verbose = 0;
};

class Context {
public:
    GlobalOptions globals;
    std::string command;  // "audit", "rooms list": names the JSON document
    int exit_code = 0;
    std::atomic<bool> interrupted{false};
    report::RunMetrics metrics;  // filled by commands, written by app.cpp when asked for

    const config::Settings& settings();
    report::Printer& printer();
    std::unique_ptr<media::MediaServer> media_server();
    // Request tracing for -v (empty without it); lines go to the printer's stderr.
    http::TraceSink trace_sink();
    std::unique_ptr<store::RoomStore> room_store();
    // Now, in unix seconds (one reading per run keeps reports consistent).
    std::int64_t now() const;

private:
    std::optional<config::Settings> m_settings;
    std::unique_ptr<report::Printer> m_printer;
};

}  // namespace roomctl::cli
