// roomctl config init: a new config file from answers (on a terminal) or flags (otherwise),
// written 0600 (config/config_write.hpp), then `check` on it.

#include <fmt/format.h>
#include <termios.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "roomctl/config/config_write.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

namespace fs = std::filesystem;

struct InitFlags {
    bool force = false;
    std::string path;
};

// What the file will say; empty fields are left out (the environment may supply them).
struct Answers {
    std::string provider = "livekit";
    std::string url;          // LiveKit URL, or the Twilio base URL
    std::string account_sid;  // Twilio
    std::string api_key;
    std::string secret_file;  // a file holding the API secret
    std::string secret;       // typed at the prompt: written to a 0600 file next to the config
    std::string database_url;
    std::string table;
};

// One line from stdin after `question` on stderr; `fallback` when the answer is empty. Echo
// is off for a secret. The end of input is an error: a half-answered file is not written.
std::string ask(const std::string& question, const std::string& fallback, bool secret = false) {
    // Echo goes off before the question shows: an answer typed right after it is not echoed.
    termios old{};
    const bool hide = secret && tcgetattr(STDIN_FILENO, &old) == 0;
    if (hide) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::cerr << question;
    if (!fallback.empty()) std::cerr << " [" << fallback << "]";
    std::cerr << ": " << std::flush;
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (hide) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << "\n";
    }
    if (!got) throw usage_error("config init: input ended before every question was answered");
    return line.empty() ? fallback : line;
}

void prompt(Answers& a) {
    std::cerr << "roomctl config init: answer each question; Enter keeps the value in [].\n";
    for (;;) {
        a.provider = ask("Media server provider (livekit or twilio)", a.provider);
        if (config::parse_provider(a.provider)) break;
        std::cerr << "  please answer livekit or twilio\n";
    }
    const bool twilio = a.provider == "twilio";
    if (twilio) {
        a.account_sid =
            ask("Twilio Account SID (AC...; empty: TWILIO_ACCOUNT_SID at run time)", a.account_sid);
        a.api_key = ask("Twilio API key SID (SK...; empty: TWILIO_API_KEY at run time)", a.api_key);
    } else {
        a.url = ask("LiveKit URL (wss://...; empty: LIVEKIT_URL at run time)", a.url);
        a.api_key = ask("LiveKit API key (empty: LIVEKIT_API_KEY at run time)", a.api_key);
    }
    const std::string var = twilio ? "TWILIO_API_SECRET" : "LIVEKIT_API_SECRET";
    a.secret_file = ask(fmt::format("File holding the API secret (empty: {} at run time; - to "
                                    "type the secret now, stored in a 0600 file)",
                                    var),
                        a.secret_file);
    if (a.secret_file == "-") {
        a.secret_file.clear();
        a.secret = ask("API secret (not shown)", "", true);
    }
    a.database_url =
        ask("Database URL (postgresql://...; empty: DATABASE_URL at run time)", a.database_url);
    a.table = ask("Room table",
                  a.table.empty() ? (twilio ? "breakout_rooms" : "livekit_rooms") : a.table);
}

// Off a terminal every answer comes from a flag; the first one missing is named.
void from_flags(Answers& a, const config::FlagValues& f) {
    auto need = [&](const char* flag, const char* what) -> std::string {
        if (const auto* v = f.get(flag)) return *v;
        throw usage_error(fmt::format(
            "config init: {} is missing: pass {} (off a terminal every answer is a flag)", what,
            flag));
    };
    a.provider = need("--provider", "the provider");
    if (!config::parse_provider(a.provider))
        throw usage_error(fmt::format(
            "config init: unknown provider \"{}\": expected livekit or twilio", a.provider));
    if (a.provider == "twilio")
        a.account_sid = need("--account-sid", "the Twilio Account SID");
    else
        a.url = need("--url", "the LiveKit URL");
    if (a.provider == "twilio")
        if (const auto* v = f.get("--url")) a.url = *v;
    a.database_url = need("--database-url", "the database URL");
}

std::string compose(const Answers& a) {
    toml::table root;
    root.insert("provider", a.provider);
    toml::table server;
    const bool twilio = a.provider == "twilio";
    if (!a.url.empty()) server.insert(twilio ? "base_url" : "url", a.url);
    if (!a.account_sid.empty()) server.insert("account_sid", a.account_sid);
    if (!a.api_key.empty()) server.insert("api_key", a.api_key);
    if (!a.secret_file.empty()) server.insert("api_secret_file", a.secret_file);
    root.insert(twilio ? "twilio" : "livekit", std::move(server));
    if (!a.database_url.empty()) root.insert("database", toml::table{{"url", a.database_url}});
    if (!a.table.empty()) root.insert("rooms", toml::table{{"table", a.table}});
    std::ostringstream out;
    out << "# Written by roomctl config init; see `roomctl config show` and the README.\n"
        << root << "\n";
    return out.str();
}

void run_init(const InitFlags& f, Context& ctx) {
    const auto env = config::process_environment();
    auto flags = given_flags(ctx);
    const std::string path =
        fs::absolute(f.path.empty() ? config::target_config_path(flags, env) : f.path).string();
    std::error_code ec;
    if (!f.force && fs::exists(path, ec))  // before any question: no answers thrown away
        throw config_error(fmt::format(
            "{} already exists; pass --force to replace it, or change one key with `roomctl "
            "config set KEY VALUE`",
            path));

    Answers a;
    for (const auto& [flag, field] : {std::pair{"--provider", &a.provider},
                                      {"--url", &a.url},
                                      {"--account-sid", &a.account_sid},
                                      {"--api-key", &a.api_key},
                                      {"--api-secret-file", &a.secret_file},
                                      {"--database-url", &a.database_url},
                                      {"--table", &a.table}})
        if (const auto* v = flags.get(flag)) *field = *v;
    if (isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1)
        prompt(a);
    else
        from_flags(a, flags);
    if (!a.secret_file.empty()) a.secret_file = fs::absolute(a.secret_file).lexically_normal();

    if (!a.secret.empty()) {
        const auto secret_path =
            fs::path{path}.parent_path() / fmt::format("{}_api_secret", a.provider);
        config::write_private_file(secret_path.string(), a.secret + "\n", f.force);
        a.secret_file = secret_path.string();
        ctx.printer().status(fmt::format("wrote {} (mode 0600)", a.secret_file));
    }
    config::write_private_file(path, compose(a), f.force);
    ctx.printer().status(
        fmt::format("wrote {} (mode 0600); checking it with `roomctl check`", path));

    // check reads the file just written, whatever --config said before.
    ctx.globals.settings["--config"] = path;
    ctx.exit_code = run_default_check(ctx);
    ctx.printer().status(ctx.exit_code == 0
                             ? "check passed: the configuration works"
                             : fmt::format("check exited {}: fix what it names with `roomctl "
                                           "config set KEY VALUE`, then run `roomctl check`",
                                           ctx.exit_code));
}

}  // namespace

void register_config_init(CLI::App& config, Context& ctx) {
    auto flags = std::make_shared<InitFlags>();
    auto* cmd = config.add_subcommand(
        "init", "Write a new config file (asks on a terminal, flags otherwise), then run check");
    cmd->add_flag("--force", flags->force, "Replace an existing config file (and secret file)");
    cmd->add_option("--path", flags->path,
                    "Where to write (default --config, ROOMCTL_CONFIG or "
                    "$XDG_CONFIG_HOME/roomctl/config.toml)");
    cmd->footer(
        "On a terminal, asks for the provider, the server URL or Account SID, the API key,\n"
        "where the API secret comes from (a file, the environment, or typed now: then it is\n"
        "stored in a 0600 file next to the config file and never shown), the database URL and\n"
        "the room table; global flags given (--provider, --url, --account-sid, --api-key,\n"
        "--api-secret-file, --database-url, --table) are the defaults. Off a terminal the\n"
        "flags are the answers: --provider, --url (LiveKit) or --account-sid (Twilio), and\n"
        "--database-url are required. The file is written mode 0600 (its directory 0700 when\n"
        "created); an existing file is kept unless --force. Then `check` runs on the new file:\n"
        "the exit code is check's (0 all probes pass, 5 one failed).\n\n"
        "Examples:\n"
        "  roomctl config init\n"
        "  roomctl --provider livekit --url wss://my-app.livekit.cloud \\\n"
        "      --database-url postgresql:///app config init --path ./roomctl.toml");
    cmd->callback([flags, &ctx] {
        ctx.command = "config init";
        run_init(*flags, ctx);
    });
}

}  // namespace roomctl::cli
