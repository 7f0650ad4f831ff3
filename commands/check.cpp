// roomctl check: layered connectivity probes of the media server and the database.

#include "commands.hpp"
#include "roomctl/check/probes.hpp"
#include "roomctl/io/module.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/report/check_view.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/exit_code.hpp"
#include "roomctl/wiring/factory.hpp"

namespace roomctl::cli {

namespace {

struct CheckFlags {
    std::vector<std::string> only;
    std::string probe_timeout = "5s";
    std::string room;
    bool no_signal = false;
};

int run_check(const CheckFlags& f, Context& ctx) {
    check::CheckOptions o;
    o.server = f.only.empty();
    o.database = f.only.empty();
    for (const auto& layer : f.only) {
        (layer == "server" ? o.server : o.database) = true;
    }
    o.timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration(f.probe_timeout));
    if (o.timeout.count() <= 0) throw usage_error("--probe-timeout must be at least 1s");
    o.room = f.room;
    if (!o.room.empty()) media::require_room_name(o.room, "--room");

    const auto& settings = ctx.settings();
    auto trace = ctx.trace_sink();
    auto transport = io::make_transport(
        wiring::transport_options(settings, trace, ctx.globals.verbose > 1, &ctx.cancelled));
    o.signal = !f.no_signal;
    o.cancel = &ctx.cancelled;
    o.trace = trace;
    auto result = check::run_checks(settings, *transport, o);
    auto& printer = ctx.printer();
    printer.result(report::check_json(result), report::render_check(result, ctx.text_style()));
    return to_int(result.ok() ? ExitCode::ok : ExitCode::drift);
}

}  // namespace

int run_default_check(Context& ctx) { return run_check(CheckFlags{}, ctx); }

void register_check(CLI::App& root, Context& ctx) {
    auto flags = std::make_shared<CheckFlags>();
    auto* cmd =
        root.add_subcommand("check", "Test media-server and database connectivity, layer by layer");
    cmd->add_option("--only", flags->only, "Probe only this layer: server or database")
        ->check(CLI::IsMember({"server", "database"}));
    cmd->add_option("--probe-timeout", flags->probe_timeout,
                    "Timeout of each probe request (default 5s)");
    cmd->add_option("--room", flags->room,
                    "Also check that clients can join this room (/rtc/validate, and the "
                    "WebSocket join if it exists)");
    cmd->add_flag("--no-signal", flags->no_signal,
                  "Skip server.signal (the WebSocket join to /rtc with roomctl's own hidden "
                  "participant)");
    cmd->footer(
        "Probes: server.reach, server.health (GET /), server.clock (Date header skew),\n"
        "server.auth (ListRooms), server.join (/rtc/validate), server.signal (WebSocket\n"
        "join to /rtc and leave), database.connect, database.mapping.\n"
        "Exit 0 when every probe passes, 5 when one fails.\n\n"
        "Examples:\n"
        "  roomctl check\n"
        "  roomctl check --only server --json\n"
        "  roomctl check --room session-44fa27d7-0528-46ce-9648-810539c2555c");
    cmd->callback([flags, &ctx] {
        ctx.command = "check";
        ctx.exit_code = run_check(*flags, ctx);
    });
}

}  // namespace roomctl::cli
