#include "app.hpp"

#include <chrono>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

Context* g_context = nullptr;

extern "C" void on_interrupt(int) {
    // First Ctrl-C: finish the action in flight, start no new one. Second: default (die).
    if (g_context) g_context->interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
    const char* group = "Global options";
    app.add_option("--config", g.config_path,
                   "TOML config file (default $XDG_CONFIG_HOME/roomctl/config.toml)")
        ->group(group);
    app.add_option("--profile", g.profile,
                   "Config file profile: [profiles.NAME] over the top level (env ROOMCTL_PROFILE)")
        ->group(group);
    app.add_option("--provider", g.provider,
                   "Media server: livekit (default) or twilio (env ROOMCTL_PROVIDER)")
        ->check(CLI::IsMember({"livekit", "twilio"}))
        ->group(group);
    app.add_option("--url", g.url,
                   "Server URL (env LIVEKIT_URL; Twilio: TWILIO_VIDEO_BASE_URL)")
        ->group(group);
    app.add_option("--api-key", g.api_key, "API key (env LIVEKIT_API_KEY; Twilio: TWILIO_API_KEY)")
        ->group(group);
    app.add_option("--api-secret-file", g.api_secret_file,
                   "File holding the API secret (env LIVEKIT_API_SECRET; Twilio: TWILIO_API_SECRET)")
        ->group(group);
    app.add_option("--account-sid", g.account_sid, "Twilio Account SID (env TWILIO_ACCOUNT_SID)")
        ->group(group);
    app.add_option("--database-url", g.database_url,
                   "PostgreSQL URI or conninfo (env ROOMCTL_DATABASE_URL, DATABASE_URL)")
        ->group(group);
    app.add_option("--table", g.table, "Room table, optionally schema-qualified ([rooms] table)")
        ->group(group);
    app.add_option("--room-name-template", g.room_name_template,
                   "Server room name of a row, e.g. \"session-{name}\" ([rooms] room_name_template)")
        ->group(group);
    app.add_option("--timeout", g.timeout, "Per-request timeout, e.g. 10s (default 10s)")
        ->group(group);
    app.add_option("--cacert", g.cacert, "Extra CA bundle (PEM) for TLS verification")
        ->group(group);
    app.add_option("--journal", g.journal,
                   "Append applied actions to this JSON-lines file (default "
                   "$XDG_STATE_HOME/roomctl/journal.jsonl)")
        ->group(group);
    app.add_option("--metrics-file", g.metrics_file,
                   "Write Prometheus textfile metrics of this run to PATH (atomically)")
        ->group(group);
    app.add_flag("--json", g.json, "Print exactly one JSON document on stdout")->group(group);
    app.add_flag("-q,--quiet", g.quiet, "Silence status lines on stderr")->group(group);
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

void require_valid_room_name(const std::string& name, const char* what, std::size_t limit) {
    if (name.empty()) throw usage_error(std::string{what} + " must not be empty");
    if (name.size() > limit) {
        throw usage_error(std::string{what} + " is " + std::to_string(name.size()) +
                          " bytes; the server accepts at most " + std::to_string(limit) +
                          (limit == 256 ? " (LiveKit limit.max_room_name_length)" : " (Twilio)"));
    }
}

namespace {

// Parses and runs one command; every error becomes its documented exit code here.
int run_app(int argc, char** argv, Context& ctx) {
    g_context = &ctx;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);

    CLI::App app{"roomctl keeps video rooms consistent between your PostgreSQL database and "
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
    add_global_options(app, ctx.globals);
    register_check(app, ctx);
    register_token(app, ctx);
    register_rooms(app, ctx);
    register_audit(app, ctx);
    register_recreate(app, ctx);
    register_cleanup(app, ctx);
    register_config(app, ctx);
    register_completion(app, ctx);  // last: it describes the commands above

    try {
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
        std::string message = e.what();
        for (auto& c : message) {
            if (c == '\n') c = ' ';
        }
        report_error(ctx, message + " (see 'roomctl --help')", ExitCode::usage);
        return to_int(ExitCode::usage);
    } catch (const Error& e) {
        auto code = exit_code_for(e.kind());
        report_error(ctx, e.what(), code);
        return to_int(code);
    } catch (const std::exception& e) {
        report_error(ctx, std::string{"internal error: "} + e.what(), ExitCode::failure);
        return to_int(ExitCode::failure);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Context ctx;
    auto started = std::chrono::steady_clock::now();
    int code = run_app(argc, argv, ctx);
    if (!ctx.globals.metrics_file.empty() && !ctx.command.empty()) {
        // Written for failures too: a cron job that stopped working is what alerts are for.
        auto& m = ctx.metrics;
        m.command = ctx.command;
        if (m.provider.empty()) m.provider = "unknown";
        m.exit_code = code;
        m.finished_at = ctx.now();
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
