// roomctl config show: the effective settings, where each came from, secrets redacted.

#include "commands.hpp"
#include "roomctl/report/config_view.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

void register_config(CLI::App& root, Context& ctx) {
    auto* cmd = root.add_subcommand("config", "Inspect roomctl's configuration");
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
}

}  // namespace roomctl::cli
