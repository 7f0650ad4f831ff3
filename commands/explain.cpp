// roomctl explain: why can't this user join? Reads the row, the room and the token, and says
// the chain of causes and the one command that fixes it (src/roomctl/explain/).

#include "commands.hpp"
#include "roomctl/check/signal_layer.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/explain/diagnose.hpp"
#include "roomctl/explain/gather.hpp"
#include "roomctl/io/module.hpp"
#include "roomctl/livekit/signal_probe.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/report/explain_view.hpp"
#include "roomctl/util/exit_code.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/wiring/factory.hpp"

namespace roomctl::cli {

namespace {

struct ExplainFlags {
    std::string session, room, token;
    bool no_signal = false;
};

// check's default --probe-timeout: each step of the WebSocket join is bounded by it.
constexpr std::chrono::milliseconds k_signal_timeout{5'000};

// check's server.signal for the room being explained, as roomctl's own hidden participant
// (never the user's token). Its own transport: the probe's ListRooms/DeleteRoom go over it.
explain::SignalFacts probe_signal(Context& ctx, const std::string& room) {
    const auto& s = ctx.settings();
    auto trace = ctx.trace_sink();
    auto transport = io::make_transport(
        wiring::transport_options(s, trace, ctx.globals.verbose > 1, &ctx.cancelled));
    check::SignalProbeInput in;
    in.endpoint = {config::api_url(s.livekit), s.livekit.api_key, s.livekit.api_secret,
                   k_signal_timeout};
    in.room = room;
    in.timeout = k_signal_timeout;
    in.ca_file = wiring::transport_options(s, {}).ca_file;
    in.cancel = &ctx.cancelled;
    in.trace = trace;
    livekit::SignalVerdict verdict;
    in.verdict = &verdict;
    check::Probe p;
    explain::SignalFacts out;
    try {
        check::probe_signal(p, *transport, in);
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted) throw;
        p.status = check::ProbeStatus::failed;
        p.message = e.what();
        out.step = "room lookup";
    }
    if (ctx.cancelled.load())
        throw Error(ErrorKind::interrupted,
                    "interrupted during the WebSocket join to /rtc; nothing was changed");
    out.state = p.status == check::ProbeStatus::ok ? explain::SignalState::ok
                                                   : explain::SignalState::failed;
    // The sentence quotes the server (an upgrade's body, a close reason, the joined room's
    // name): control bytes in it must not split explain's one-line cause.
    out.message = text::escape_controls(p.message);
    if (out.state == explain::SignalState::failed && out.step.empty()) {
        out.step = http::to_string(verdict.step);
    }
    out.proxy_headers = out.state == explain::SignalState::failed && verdict.proxy_headers;
    return out;
}

int run_explain(const ExplainFlags& f, Context& ctx) {
    if (f.session.empty() && f.room.empty() && f.token.empty()) {
        throw usage_error(
            "say what to explain: --session ID, --room NAME or --token JWT (any combination)");
    }
    if (!f.room.empty()) media::require_room_name(f.room, "--room");
    const auto& s = ctx.settings();
    explain::Sources sources;
    sources.now = ctx.now();
    std::unique_ptr<store::RoomStore> store;
    // A token alone needs no database; a session is found only through it.
    if (!s.database_url.empty() || !f.session.empty()) {
        try {
            store = ctx.room_store();
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::interrupted || e.kind() == ErrorKind::usage) throw;
            sources.store_error = e.what();
        }
    }
    std::unique_ptr<media::MediaServer> server;
    try {
        server = ctx.media_server();
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted || e.kind() == ErrorKind::usage) throw;
        sources.server_error = e.what();
    }
    sources.store = store.get();
    sources.server = server.get();
    if (!f.no_signal) {
        sources.signal = [&ctx](const std::string& room) { return probe_signal(ctx, room); };
    }
    explain::Request request{f.session, f.room, !f.token.empty()};
    const auto jwt = f.token.empty() ? std::string{} : read_token_argument(f.token, ctx);
    const auto facts = explain::gather(s, request, jwt, sources);
    const auto why = explain::explain(facts);
    ctx.printer().result(
        report::explain_json(facts, why),
        report::render_explain(facts, why, {ctx.printer().options().color, ctx.now()}));
    return to_int(why.ok() ? ExitCode::ok : ExitCode::drift);
}

}  // namespace

void register_explain(CLI::App& root, Context& ctx) {
    auto f = std::make_shared<ExplainFlags>();
    auto* cmd = root.add_subcommand("explain", "Why can't this user join? Row, room, token, clock");
    cmd->add_option("--session", f->session, "The session's id ([rooms] session_column)");
    cmd->add_option("--room", f->room, "The room name the app uses");
    cmd->add_option(
        "--token", f->token,
        "The access token the user was given, or - to read it from stdin (never printed)");
    cmd->add_flag("--no-signal", f->no_signal,
                  "Skip the WebSocket join to /rtc (made with roomctl's own hidden participant)");
    cmd->footer(
        "Looks at everything on the way to a join and says, in order, what stops it:\n"
        "the row (exists? live? SID?), the room on the server (exists? same SID? age, empty\n"
        "timeout, participants), the naming between them, the token (signature with the\n"
        "configured key, expiry, not-before, join grant, room, identity) and the clock offset\n"
        "to the server. When nothing before it stops the join (LiveKit), it also makes the\n"
        "WebSocket join to /rtc as roomctl's own hidden participant, as check's server.signal\n"
        "does, and leaves (--no-signal skips it). Changes nothing. Exit 0 when nothing is in\n"
        "the way, 5 when a cause was found.\n\n"
        "Examples:\n"
        "  roomctl explain --room session-P46odHdPO0wJ      # \"Session not found\"\n"
        "  roomctl explain --session 42 --token - < token.txt   # \"invalid authorization token\"\n"
        "  roomctl explain --room standup --json");
    cmd->callback([f, &ctx] {
        ctx.command = "explain";
        ctx.exit_code = run_explain(*f, ctx);
    });
}

}  // namespace roomctl::cli
