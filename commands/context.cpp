#include "context.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "roomctl/io/module.hpp"
#include "roomctl/media/factory.hpp"
#include "roomctl/report/color.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::cli {

namespace {

std::optional<std::string> flag(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return v;
}

// Colour for one stream (stdout or stderr), decided separately for each.
bool use_color(const GlobalOptions& g, int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return report::color_enabled(isatty(fd) == 1, no_color ? no_color : "", g.no_color,
                                 term ? term : "");
}

}  // namespace

const config::Settings& Context::settings() {
    if (!m_settings) {
        config::FlagValues f;
        f.config_path = flag(globals.config_path);
        f.profile = flag(globals.profile);
        f.provider = flag(globals.provider);
        f.url = flag(globals.url);
        f.api_key = flag(globals.api_key);
        f.api_secret_file = flag(globals.api_secret_file);
        f.account_sid = flag(globals.account_sid);
        f.database_url = flag(globals.database_url);
        f.table = flag(globals.table);
        f.room_name_template = flag(globals.room_name_template);
        f.ca_file = flag(globals.cacert);
        if (!globals.timeout.empty()) {
            auto t = parse_duration(globals.timeout);
            if (t.count() <= 0) throw usage_error("--timeout must be at least 1s");
            f.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(t);
        }
        m_settings = config::resolve_settings(f, config::process_environment());
        for (const auto& w : m_settings->warnings) printer().warn(w);  // once: settings are cached
    }
    return *m_settings;
}

report::Printer& Context::printer() {
    if (!m_printer) {
        report::OutputOptions o;
        o.json = globals.json;
        o.quiet = globals.quiet;
        o.verbosity = globals.verbose;
        o.color = !globals.json && use_color(globals, STDOUT_FILENO);
        o.err_color = use_color(globals, STDERR_FILENO);
        m_printer = std::make_unique<report::Printer>(std::cout, std::cerr, o);
    }
    return *m_printer;
}

std::unique_ptr<media::MediaServer> Context::media_server() {
    return media::connect_media_server(settings(), trace_sink(), globals.verbose > 1);
}

http::TraceSink Context::trace_sink() {
    if (globals.verbose == 0) return {};
    auto* p = &printer();
    return [p](const std::string& line) { p->trace(line); };
}

std::unique_ptr<store::RoomStore> Context::room_store() {
    config::require_database(settings());
    return io::connect_room_store(settings().database_url, settings().rooms);
}

std::int64_t Context::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace roomctl::cli
