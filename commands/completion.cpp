// roomctl completion bash|zsh|fish: prints the shell's shim, a few lines that ask the binary.
// roomctl __complete (hidden): answers the shims from the live command tree (the protocol:
// completion_walk.hpp), so completion always matches the commands and options that run.
// roomctl man: prints the roomctl(1) page; the build runs it to install the page.
// __complete and man walk the CLI::App into a gen::CommandSpec; the answers and the page are
// made by the pure code in completion_walk.cpp and man_gen.cpp.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "completion_gen.hpp"
#include "completion_walk.hpp"
#include "man_gen.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::cli {

namespace {

// Options whose value is a path, wherever they are defined: the settings registry's
// (config/registry.hpp), and these others.
const std::set<std::string> kFileOptions = [] {
    std::set<std::string> out{"--journal", "--metrics-file", "--output"};
    for (auto& flag : config::path_flags()) out.insert(std::move(flag));
    return out;
}();

// Values of options that do not declare them with CLI::IsMember (those that do are read from
// the validator, so the list below is only a fallback).
const std::map<std::string, std::vector<std::string>> kKnownChoices{
    {"--provider", {"livekit", "twilio"}},
    {"--only", {"server", "database"}},
    {"--for", {"join", "admin", "list", "create"}},
};

// CLI11 describes an IsMember validator in the type name: "TEXT:{livekit,twilio}".
std::vector<std::string> member_choices(const std::string& type_name) {
    auto open = type_name.find(":{");
    if (open == std::string::npos) return {};
    auto close = type_name.find('}', open);
    if (close == std::string::npos) return {};
    std::vector<std::string> out;
    std::string item;
    for (char c : type_name.substr(open + 2, close - open - 2)) {
        if (c == ',') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else if (c != ' ') {
            item += c;
        }
    }
    if (!item.empty()) out.push_back(item);
    return out;
}

struct ValueInfo {
    gen::ValueKind kind = gen::ValueKind::none;
    std::vector<std::string> choices;
    std::string name;
};

ValueInfo value_info(const CLI::Option& o, const std::vector<std::string>& names) {
    ValueInfo v;
    if (o.get_items_expected_max() <= 0) return v;  // a flag
    const std::string type = o.get_type_name();
    v.name = type.substr(0, type.find(':'));
    v.choices = member_choices(type);
    bool file = type.find(":FILE") != std::string::npos || type.find(":DIR") != std::string::npos ||
                type.find(":PATH") != std::string::npos;
    for (const auto& n : names) {
        if (kFileOptions.count(n)) file = true;
        if (v.choices.empty()) {
            if (auto it = kKnownChoices.find(n); it != kKnownChoices.end()) v.choices = it->second;
        }
    }
    if (!v.choices.empty()) {
        v.kind = gen::ValueKind::choice;
    } else if (file) {
        v.kind = gen::ValueKind::file;
        v.name = "FILE";
    } else {
        v.kind = gen::ValueKind::text;
    }
    return v;
}

bool repeatable(const CLI::Option& o) {
    return o.get_expected_max() > 1 ||
           o.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
}

void add_options(const CLI::App& app, gen::CommandSpec& spec) {
    for (const CLI::Option* o : app.get_options([](const CLI::Option*) { return true; })) {
        if (o->get_positional() && !o->nonpositional()) {
            gen::PositionalSpec p;
            p.name = o->get_name(true);
            p.description = o->get_description();
            auto v = value_info(*o, {});
            p.value = v.kind == gen::ValueKind::none ? gen::ValueKind::text : v.kind;
            p.choices = v.choices;
            p.value_name = v.name;
            p.required = o->get_required();
            p.variadic = o->get_expected_max() > 1;
            spec.positionals.push_back(std::move(p));
            continue;
        }
        gen::OptionSpec opt;
        for (const auto& s : o->get_snames()) opt.names.push_back("-" + s);
        for (const auto& l : o->get_lnames()) opt.names.push_back("--" + l);
        if (opt.names.empty()) continue;  // environment- or config-only
        opt.description = o->get_description();
        auto v = value_info(*o, opt.names);
        opt.value = v.kind;
        opt.choices = v.choices;
        opt.value_name = v.name;
        opt.repeatable = repeatable(*o);
        opt.required = o->get_required();
        spec.options.push_back(std::move(opt));
    }
}

gen::CommandSpec command_spec(const CLI::App& app, const CLI::App* parent) {
    gen::CommandSpec spec;
    spec.name = app.get_name();
    spec.aliases = app.get_aliases();
    spec.description = app.get_description();
    spec.footer = app.get_footer();
    // Subcommands start with their parent's footer; only their own is theirs.
    if (parent && spec.footer == parent->get_footer()) spec.footer.clear();
    spec.hidden = parent && app.get_group().empty();
    spec.inherits_options = parent && app.get_fallthrough();
    add_options(app, spec);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_disabled() || sub->get_name() == gen::kCompleteCommand) continue;
        if (sub->get_name().empty()) {  // an option group: its options are this command's
            add_options(*sub, spec);
            continue;
        }
        spec.subcommands.push_back(command_spec(*sub, &app));
    }
    return spec;
}

gen::ManInfo man_info() {
    gen::ManInfo info;
    info.source = std::string{"roomctl "} + ROOMCTL_VERSION;
    info.summary =
        "roomctl - keep video rooms consistent between PostgreSQL and LiveKit or Twilio Video";
    info.sections.push_back(
        {"EXIT STATUS",
         "The same codes with --json, where the error document carries the code too.",
         {
             {"0", "Success; audit found the database and the server in sync."},
             {"1",
              "Runtime failure: server unreachable or answering 5xx or garbage, database "
              "error (a lock or statement timeout too); every action failed; or the "
              "journal could not be written."},
             {"2", "Usage error: unknown flag, bad value, bad room name."},
             {"3",
              "Configuration error: missing setting, malformed URL, unreadable or non-TOML "
              "config file, a mapping naming a missing table or column."},
             {"4",
              "Credentials refused by the media server or the database (check reports these "
              "as a failed probe instead)."},
             {"5",
              "Drift: audit found differences, a check probe failed, or token inspect found "
              "the token invalid for its purpose."},
             {"6", "Partial: some actions failed, the rest were done; run again to converge."},
             {"7", "Another run holds the lock for this table; nothing was done."},
             {"8",
              "Refused as unsafe; nothing was changed. The run's picture of the database or "
              "the server cannot be trusted: row-level security hides rows, unknown status "
              "words, a name_mismatch, no live row (or mostly unnamed rooms) behind a "
              "cleanup, more orphan candidates than --max-deletes, a transaction-mode "
              "pooler, DATABASE_URL overriding an explicit config file, or rooms delete of "
              "a room a live row owns or people are in."},
             {"130",
              "Interrupted (SIGINT or SIGTERM): in-flight database queries and HTTP "
              "transfers are cancelled and no new action starts."},
         }});
    info.sections.push_back(
        {"ENVIRONMENT",
         "Settings come from, highest first: flags, environment, config file, defaults.",
         {
             {"ROOMCTL_CONFIG", "Config file (as --config)."},
             {"XDG_CONFIG_HOME", "Where the default config file is looked for."},
             {"ROOMCTL_PROFILE", "Config file profile to use."},
             {"ROOMCTL_PROVIDER", "livekit (default) or twilio (as --provider)."},
             {"LIVEKIT_URL", "LiveKit server URL (as --url)."},
             {"LIVEKIT_API_KEY", "LiveKit API key (as --api-key)."},
             {"LIVEKIT_API_SECRET", "LiveKit API secret."},
             {"LIVEKIT_API_SECRET_FILE", "File holding the LiveKit API secret."},
             {"TWILIO_ACCOUNT_SID", "Twilio Account SID, AC... (as --account-sid)."},
             {"TWILIO_API_KEY", "Twilio API key, SK... (as --api-key)."},
             {"TWILIO_API_SECRET", "Secret of the Twilio API key."},
             {"TWILIO_AUTH_TOKEN",
              "Twilio Auth Token, used when no API key is set (cannot sign "
              "access tokens)."},
             {"TWILIO_VIDEO_BASE_URL",
              "Twilio Video API base URL (default "
              "https://video.twilio.com)."},
             {"ROOMCTL_DATABASE_URL", "PostgreSQL URI or conninfo (as --database-url)."},
             {"DATABASE_URL", "Used when ROOMCTL_DATABASE_URL is not set."},
             {"PGHOST, PGUSER, PGPASSWORD, ...",
              "libpq's variables apply to the database "
              "connection."},
             {"ROOMCTL_ROOM_NAME_TEMPLATE",
              "Server room name of a row (as "
              "--room-name-template)."},
             {"ROOMCTL_CACERT", "Extra CA bundle for TLS verification (as --cacert)."},
             {"NO_COLOR", "Disables color when set (as --no-color)."},
         }});
    info.sections.push_back(
        {"FILES",
         "",
         {
             {"$XDG_CONFIG_HOME/roomctl/config.toml",
              "The default config file (~/.config/roomctl/config.toml when XDG_CONFIG_HOME is "
              "unset). Relative paths in it are relative to the file."},
             {"/usr/share/bash-completion/completions/roomctl", "bash completion."},
             {"/usr/share/zsh/vendor-completions/_roomctl", "zsh completion."},
             {"/usr/share/fish/vendor_completions.d/roomctl.fish", "fish completion."},
         }});
    return info;
}

void write_output(const std::string& text, const std::string& path) {
    if (path.empty() || path == "-") {
        std::cout << text << std::flush;
        return;
    }
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out << text;
    out.close();
    if (!out) throw runtime_error(fmt::format("cannot write {}", path));
}

}  // namespace

void register_completion(CLI::App& root, Context& ctx) {
    auto shell = std::make_shared<std::string>();
    auto* cmd =
        root.add_subcommand("completion", "Print a shell completion script (bash, zsh, fish)");
    cmd->add_option("shell", *shell, "bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->footer(
        "Prints only the script. Packages install it; by hand:\n"
        "  roomctl completion bash > ~/.local/share/bash-completion/completions/roomctl\n"
        "  roomctl completion zsh > \"${fpath[1]}/_roomctl\"\n"
        "  roomctl completion fish > ~/.config/fish/completions/roomctl.fish\n"
        "or load it in the running shell:\n"
        "  source <(roomctl completion bash)");
    cmd->callback([shell, &root, &ctx] {
        ctx.command = "completion";
        auto which = gen::parse_shell(*shell);
        if (!which) throw usage_error(fmt::format("no completion for shell \"{}\"", *shell));
        std::cout << gen::completion_shim(*which, root.get_name()) << std::flush;
        ctx.exit_code = 0;
    });

    // Every word after it is its argument, whatever it looks like (-h, --, --provider=x): the
    // first, the program name, is a positional, and prefix_command passes it and all the rest
    // through as they are. No help flag and no fallthrough, so nothing reaches the root's
    // options; ctx.command stays empty (no metrics file). Settings are never read.
    auto* complete = root.add_subcommand(gen::kCompleteCommand, "");
    complete->group("");
    complete->fallthrough(false);
    complete->prefix_command();
    complete->set_help_flag();
    complete->callback([complete, &root, &ctx] {
        ctx.exit_code = 0;
        try {
            auto words = complete->remaining();
            if (words.empty()) return;  // not even the program name: not a shim's call
            words.erase(words.begin());
            std::cout << gen::render(gen::complete(command_spec(root, nullptr), words))
                      << std::flush;
        } catch (...) {
            // Nothing, rather than an error in the middle of the user's command line.
        }
    });

    auto output = std::make_shared<std::string>();
    auto* man = root.add_subcommand("man", "Print the roomctl(1) manual page (roff)");
    // Listed with the other commands (the build also installs the page: man roomctl).
    man->add_option("-o,--output", *output, "Write the page to this file instead of stdout");
    man->footer("Example:\n  roomctl man | man -l -");
    man->callback([output, &root, &ctx] {
        ctx.command = "man";
        write_output(gen::man_page(command_spec(root, nullptr), man_info()), *output);
        ctx.exit_code = 0;
    });
}

}  // namespace roomctl::cli
