// roomctl token inspect: decode and diagnose a LiveKit or Twilio access token.
// The token is a credential: it is read, never printed (its claims are fine to show).

#include <unistd.h>

#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "roomctl/inspect/inspect.hpp"
#include "roomctl/inspect/server_check.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/report/inspect_view.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

struct InspectFlags {
    std::string token;  // "", "-" (stdin) or the JWT
    std::string purpose;
    std::string room;
    bool check_server = false;
};

// Tokens are a few hundred bytes; token::decode refuses more than 1 MiB anyway, so reading
// stops a little past that instead of swallowing an endless pipe.
constexpr std::size_t k_max_input = (1u << 20) + 1;

std::string trim(std::string s) {
    const char* space = " \t\r\n";
    s.erase(0, s.find_first_not_of(space));
    s.erase(s.find_last_not_of(space) + 1);
    return s;
}

std::string read_stdin(Context& ctx) {
    if (isatty(STDIN_FILENO) == 1)
        ctx.printer().status("reading the token from stdin (end with Ctrl-D)");
    std::string text;
    std::istreambuf_iterator<char> it{std::cin}, end;
    for (; it != end && text.size() < k_max_input; ++it) text += *it;
    return text;
}

inspect::InspectOptions inspect_options(const InspectFlags& f, Context& ctx) {
    inspect::InspectOptions o;
    if (!f.purpose.empty()) o.purpose = inspect::parse_purpose(f.purpose);
    if (!f.room.empty()) {
        if (!o.purpose ||
            (*o.purpose != inspect::Purpose::join && *o.purpose != inspect::Purpose::admin)) {
            throw usage_error(
                "--room applies to --for join and --for admin (the grants that are "
                "for one room)");
        }
        media::require_room_name(f.room, "--room");
        o.room = f.room;
    }
    const auto& s = ctx.settings();
    o.livekit = {s.livekit.api_key, s.livekit.api_secret};
    o.twilio = {s.twilio.api_key, s.twilio.api_secret};
    o.twilio_account_sid = s.twilio.account_sid;
    o.configured_provider = s.provider == config::Provider::twilio
                                ? inspect::TokenProvider::twilio
                                : inspect::TokenProvider::livekit;
    o.now = std::chrono::system_clock::time_point{std::chrono::seconds{ctx.now()}};
    return o;
}

int run_token_inspect(const InspectFlags& f, Context& ctx) {
    const std::string jwt = read_token_argument(f.token, ctx);
    const auto o = inspect_options(f, ctx);
    auto r = inspect::inspect_token(jwt, o);

    std::optional<inspect::ServerCheck> server;
    bool refused = false;
    if (f.check_server) {
        auto verdict = inspect::check_with_server(jwt, r, o, ctx.settings(), ctx.trace_sink(),
                                                  ctx.globals.verbose > 1, &ctx.cancelled);
        server = std::move(verdict.check);
        refused = verdict.refused;
        // A token the server accepts may still kick someone: its identity may be in the room.
        if (server->authenticated)
            inspect::check_identity_on_server(*ctx.media_server(), r, o.room);
    }

    ctx.printer().result(report::inspect_json(r, o, server, refused),
                         report::render_inspect(r, o, server, ctx.now()));
    return to_int(r.valid() ? ExitCode::ok : ExitCode::drift);
}

}  // namespace

std::string read_token_argument(const std::string& arg, Context& ctx) {
    std::string text = trim(arg.empty() || arg == "-" ? read_stdin(ctx) : arg);
    if (text.rfind("Bearer ", 0) == 0) text = trim(text.substr(7));
    if (text.empty()) {
        throw usage_error(
            "no token given: pass it as an argument, or pipe it in (- reads stdin: "
            "roomctl token inspect - < token.txt)");
    }
    return text;
}

void register_token_inspect(CLI::App& token, Context& ctx) {
    auto f = std::make_shared<InspectFlags>();
    auto* cmd = token.add_subcommand(
        "inspect", "Decode a LiveKit or Twilio token and say whether it is valid, and why not");
    cmd->add_option("token", f->token, "The JWT, or - (the default) to read it from stdin");
    cmd->add_option("--for", f->purpose, "Check the grants for this use: join, admin, list, create")
        ->check(CLI::IsMember({"join", "admin", "list", "create"}));
    cmd->add_option("--room", f->room, "With --for join or admin: the room it must be for");
    cmd->add_flag(
        "--check-server", f->check_server,
        "Also ask the LiveKit server (GET /rtc/validate) and whether the token's identity is "
        "already in its room; Twilio has no such endpoint");
    cmd->footer(
        "Decodes offline; the signature is verified when the API secret is configured\n"
        "(LIVEKIT_API_SECRET, or TWILIO_API_SECRET for Twilio tokens). The token is never "
        "printed.\n"
        "Exit 0 when valid for the purpose, 5 when not.\n\n"
        "Examples:\n"
        "  roomctl token create --join --room demo --identity bob | roomctl token inspect\n"
        "  roomctl token inspect --for join --room session-42 - < token.txt\n"
        "  roomctl token inspect --for join --check-server \"$TOKEN\"\n"
        "  roomctl --provider twilio token inspect --json - <<<\"$TOKEN\"");
    cmd->callback([f, &ctx] {
        ctx.command = "token inspect";
        ctx.exit_code = run_token_inspect(*f, ctx);
    });
}

}  // namespace roomctl::cli
