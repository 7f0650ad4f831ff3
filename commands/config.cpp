// roomctl config show|set|profiles (config init: config_init.cpp): thin adapters over
// config/settings.hpp, config/config_write.hpp and config/external_profiles.hpp.

#include <fmt/format.h>

#include "commands.hpp"
#include "roomctl/config/config_write.hpp"
#include "roomctl/config/external_profiles.hpp"
#include "roomctl/report/config_view.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

config::FlagValues given_flags(const Context& ctx) {
    config::FlagValues f;
    for (const auto& [flag, text] : ctx.globals.settings)
        if (!text.empty()) f.set(flag, text);
    return f;
}

namespace {

struct SetArgs {
    std::string key;
    std::string value;
};

void run_set(const SetArgs& a, Context& ctx) {
    const auto env = config::process_environment();
    const auto flags = given_flags(ctx);
    std::string profile;
    if (const auto* p = flags.get("--profile"))
        profile = *p;
    else if (auto it = env.find("ROOMCTL_PROFILE"); it != env.end())
        profile = it->second;
    if (config::is_external_profile(profile))
        throw usage_error(fmt::format(
            "profile \"{}\" belongs to another tool and is read-only; change it with that tool",
            profile));
    const std::string path = config::target_config_path(flags, env);
    config::set_config_file(path, a.key, a.value, profile);
    ctx.printer().result(
        nlohmann::json{{"file", path}, {"key", a.key}, {"profile", profile}},
        fmt::format("set {}{} in {}\n", a.key,
                    profile.empty() ? std::string{} : fmt::format(" of [profiles.{}]", profile),
                    path));
    ctx.exit_code = to_int(ExitCode::ok);
}

void run_profiles(Context& ctx) {
    const auto env = config::process_environment();
    const auto path = config::find_config_file(given_flags(ctx), env);
    const auto own =
        path ? config::config_file_profiles(*path) : std::vector<config::FileProfile>{};
    const auto external = config::list_external_profiles(env);
    const auto file = path.value_or("");
    ctx.printer().result(report::profiles_json(file, own, external),
                         report::render_profiles(file, own, external));
    ctx.exit_code = to_int(ExitCode::ok);
}

}  // namespace

void register_config(CLI::App& root, Context& ctx) {
    auto* cmd = root.add_subcommand("config", "Inspect and write roomctl's configuration");
    cmd->require_subcommand(1);
    auto* show = cmd->add_subcommand(
        "show", "Print the effective settings and where each came from (secrets redacted)");
    show->footer(
        "Each setting comes from, highest first: a flag, the environment, the config file\n"
        "(the selected [profiles.NAME] over its top level), or the built-in default. Secrets\n"
        "(API secret, Twilio secret and Auth Token, database passwords) print as ********.\n"
        "A profile that sets any credential of a provider replaces that provider's whole\n"
        "credential set. A Twilio Account SID, API key and Auth Token from different places\n"
        "are shown with a \"refused:\" line: commands that call Twilio exit 3. Secret files\n"
        "of the provider not in use are not read.\n\n"
        "Examples:\n"
        "  roomctl config show\n"
        "  roomctl --profile staging config show --json\n"
        "  ROOMCTL_PROFILE=prod roomctl config show");
    show->callback([&ctx] {
        ctx.command = "config show";
        const auto& settings = ctx.settings();
        ctx.printer().result(report::config_json(settings),
                             report::render_config(settings, ctx.text_style()));
        ctx.exit_code = to_int(ExitCode::ok);
    });

    auto args = std::make_shared<SetArgs>();
    auto* set =
        cmd->add_subcommand("set", "Set one key of the config file (0600; created if missing)");
    set->add_option("KEY", args->key, "Config file key, e.g. livekit.url or rooms.table")
        ->required();
    set->add_option("VALUE", args->value, "The value (durations need a unit: 10m)")->required();
    set->footer(fmt::format(
        "Edits --config, ROOMCTL_CONFIG, or $XDG_CONFIG_HOME/roomctl/config.toml; with\n"
        "--profile NAME the key goes under [profiles.NAME]. The value is checked as the setting\n"
        "demands before anything is written; the file is replaced atomically, mode 0600.\n"
        "Comments and the layout of the file are NOT kept (the TOML is written anew).\n"
        "Secrets are refused as values: set livekit.api_secret_file (or twilio.\n"
        "api_secret_file, twilio.auth_token_file) to a 0600 file holding the secret, or use\n"
        "the environment; a database URL with a password is refused (use ~/.pgpass).\n\n"
        "Keys: {}\n\n"
        "Examples:\n"
        "  roomctl config set livekit.url wss://my-app.livekit.cloud\n"
        "  roomctl config set livekit.api_secret_file ~/.config/roomctl/lk-secret\n"
        "  roomctl --profile staging config set rooms.table app.livekit_rooms",
        fmt::join(config::settable_keys(), ", ")));
    set->callback([args, &ctx] {
        ctx.command = "config set";
        run_set(*args, ctx);
    });

    auto* profiles = cmd->add_subcommand(
        "profiles", "List the profiles --profile can select, including lk's and twilio-cli's");
    profiles->footer(
        "Lists the [profiles.NAME] of the config file, the LiveKit CLI's projects\n"
        "(~/.livekit/cli-config.yaml) as lk:NAME and twilio-cli's profiles\n"
        "(~/.twilio-cli/config.json) as twilio:NAME. The other tools' profiles are read in\n"
        "place each time roomctl runs, never copied, and are read-only. A twilio:NAME profile\n"
        "gives the Account SID (and the API key SID when twilio-cli recorded one); twilio-cli\n"
        "keeps the secret in the OS keychain, so it must come from TWILIO_API_SECRET or\n"
        "--api-secret-file.\n\n"
        "Examples:\n"
        "  roomctl config profiles\n"
        "  roomctl --profile lk:staging check\n"
        "  roomctl --profile twilio:prod --api-secret-file ~/.twilio-secret audit");
    profiles->callback([&ctx] {
        ctx.command = "config profiles";
        run_profiles(ctx);
    });

    register_config_init(*cmd, ctx);
}

}  // namespace roomctl::cli
