#include "conventions.hpp"

#include <fmt/format.h>

#include <iostream>
#include <string_view>
#include <vector>

#include "completion_walk.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/suggest.hpp"

namespace roomctl::cli {

namespace {

struct SecretFlag {
    std::string_view flag, instead;
};

// Flags other tools take secrets with. roomctl reads secrets only from the environment and
// from files (config file entries *_file, --api-secret-file).
constexpr SecretFlag k_secret_flags[] = {
    {"--api-secret",
     "set LIVEKIT_API_SECRET (TWILIO_API_SECRET with --provider twilio) or pass "
     "--api-secret-file PATH"},
    {"--secret", "set LIVEKIT_API_SECRET (or TWILIO_API_SECRET) or pass --api-secret-file PATH"},
    {"--auth-token",
     "set TWILIO_AUTH_TOKEN, or auth_token_file in the config file's [twilio] section"},
    {"--password", "put the database password in PGPASSWORD or ~/.pgpass"},
};

bool is_flag_word(std::string_view w) {
    return w.size() > 1 && w[0] == '-' && !(w[1] >= '0' && w[1] <= '9');
}

// The visible subcommands of `app` (named, not hidden, not the completion protocol).
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* sub) {
        return !sub->get_name().empty() && !sub->get_group().empty() && !sub->get_disabled() &&
               sub->get_name() != gen::kCompleteCommand;
    });
}

const CLI::App* find_subcommand(const CLI::App& app, const std::string& word) {
    for (const auto* sub : app.get_subcommands(
             [](const CLI::App* s) { return !s->get_name().empty() && !s->get_disabled(); })) {
        if (sub->check_name(word)) return sub;
    }
    return nullptr;
}

std::vector<std::string> command_names(const CLI::App& app) {
    std::vector<std::string> out;
    for (const auto* sub : visible_subcommands(app)) {
        out.push_back(sub->get_name());
        for (const auto& alias : sub->get_aliases()) out.push_back(alias);
    }
    return out;
}

// The options that work at `app`: its own and, through fallthrough, its ancestors'.
std::vector<const CLI::Option*> options_at(const CLI::App& app, bool ancestors_only) {
    std::vector<const CLI::Option*> out;
    for (const CLI::App* a = ancestors_only ? app.get_parent() : &app; a != nullptr;
         a = a->get_parent()) {
        for (const auto* o : a->get_options([](const CLI::Option* opt) {
                 return opt->nonpositional() && !opt->get_group().empty();
             })) {
            if (o == a->get_help_ptr() || o == a->get_version_ptr()) continue;
            out.push_back(o);
        }
        if (!a->get_fallthrough()) break;
    }
    return out;
}

std::vector<std::string> flag_names(const CLI::App& app) {
    std::vector<std::string> out;
    for (const auto* o : options_at(app, false)) {
        for (const auto& l : o->get_lnames()) out.push_back("--" + l);
        for (const auto& s : o->get_snames()) out.push_back("-" + s);
    }
    for (const auto* o : {app.get_help_ptr()}) {
        if (o != nullptr) out.push_back("--help");
    }
    return out;
}

const CLI::Option* find_option(const CLI::App& app, const std::string& name) {
    for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
        if (const auto* o = a->get_option_no_throw(name)) return o;
        if (!a->get_fallthrough()) break;
    }
    return nullptr;
}

// "roomctl rooms create" for the `create` under `rooms`.
std::string path_of(const CLI::App& app) {
    std::string path = app.get_name();
    for (const CLI::App* a = app.get_parent(); a != nullptr; a = a->get_parent())
        path = a->get_name() + " " + path;
    return path;
}

// Where argv leads: the deepest (sub)command reached, and the first word that is neither a
// command there nor an option that works there.
struct Walk {
    const CLI::App* app;
    std::string unknown;  // empty when every word was understood
    bool unknown_is_flag = false;
};

Walk walk(const CLI::App& root, const std::vector<std::string>& words) {
    Walk w{&root, {}, false};
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& word = words[i];
        if (word == "--") break;
        if (is_flag_word(word)) {
            const auto eq = word.find('=');
            std::string name = word.substr(0, eq);
            // "-qv": a cluster of short flags; the first decides.
            if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2);
            if (name == "--help" || name == "-h") continue;
            const auto* opt = find_option(*w.app, name);
            if (opt == nullptr) {
                w.unknown = name;
                w.unknown_is_flag = true;
                return w;
            }
            if (opt->get_expected_min() > 0 && eq == std::string::npos && name == word) ++i;
            continue;
        }
        if (const auto* sub = find_subcommand(*w.app, word)) {
            w.app = sub;
            continue;
        }
        if (!visible_subcommands(*w.app).empty()) {
            w.unknown = word;
            return w;
        }
    }
    return w;
}

std::string one_line(std::string s) {
    for (auto& c : s) {
        if (c == '\n') c = ' ';
    }
    return s;
}

std::string help_hint(const CLI::App& app) { return fmt::format("run '{} --help'", path_of(app)); }

std::string unknown_command_message(const CLI::App& app, const std::string& word) {
    auto hint = did_you_mean(suggestions(word, command_names(app)));
    return fmt::format("unknown command '{}' for '{}'{} ({})", word, path_of(app),
                       hint.empty() ? "" : "; did you mean " + hint + "?", help_hint(app));
}

class HelpFormatter : public CLI::Formatter {
public:
    std::string make_footer(const CLI::App* app) const override {
        auto footer = CLI::Formatter::make_footer(app);
        if (app->get_parent() == nullptr) return footer;
        std::vector<std::string> names;
        for (const auto* o : options_at(*app, true)) {
            std::string n;
            for (const auto& s : o->get_snames()) n += (n.empty() ? "-" : "/-") + s;
            for (const auto& l : o->get_lnames()) n += (n.empty() ? "--" : "/--") + l;
            if (!n.empty()) names.push_back(n);
        }
        if (names.empty()) return footer;
        std::string out = "\nGlobal options (they work here too; see 'roomctl --help'):\n";
        std::string line = " ";
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto item = " " + names[i] + (i + 1 < names.size() ? "," : "");
            if (line.size() + item.size() > 88) {
                out += line + "\n";
                line = " ";
            }
            line += item;
        }
        out += line + "\n";
        return footer.empty() ? out.substr(1) : footer + out;
    }
};

}  // namespace

void refuse_secret_flags(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--" || word == gen::kCompleteCommand) return;
        const auto name = word.substr(0, word.find('='));
        for (const auto& s : k_secret_flags) {
            if (name == s.flag) {
                throw usage_error(fmt::format(
                    "{} is not accepted: a secret on the command line is visible to every user "
                    "(ps) and kept in shell history; {}",
                    s.flag, s.instead));
            }
        }
    }
}

bool asks_for_json(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--") return false;
        if (word == "--json" || word == "-ojson" || word == "--output=json") return true;
        if ((word == "-o" || word == "--output") && i + 1 < argc &&
            std::string_view{argv[i + 1]} == "json")
            return true;
    }
    return false;
}

std::shared_ptr<CLI::Formatter> help_formatter() { return std::make_shared<HelpFormatter>(); }

void register_help(CLI::App& root, Context& ctx) {
    auto words = std::make_shared<std::vector<std::string>>();
    auto* help =
        root.add_subcommand("help", "Print the help of a command (roomctl help rooms create)");
    help->add_option("command", *words, "The command, and its subcommand");
    help->callback([words, &root, &ctx] {
        ctx.command = "help";
        const CLI::App* target = &root;
        for (const auto& word : *words) {
            const auto* sub = find_subcommand(*target, word);
            if (sub == nullptr || sub->get_name() == gen::kCompleteCommand)
                throw usage_error(unknown_command_message(*target, word));
            target = sub;
        }
        // The formatter directly: App::help() would show the page of the command being run
        // (this one) instead.
        std::cout << target->get_formatter()->make_help(target, path_of(*target),
                                                        CLI::AppFormatMode::Normal)
                  << std::flush;
        ctx.exit_code = 0;
    });
}

std::string usage_message(const CLI::App& root, const CLI::ParseError& error, int argc,
                          const char* const* argv) {
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
    const auto w = walk(root, words);
    if (!w.unknown.empty() && !w.unknown_is_flag) return unknown_command_message(*w.app, w.unknown);
    if (!w.unknown.empty()) {
        auto hint = did_you_mean(suggestions(w.unknown, flag_names(*w.app)));
        return fmt::format("unknown flag '{}' for '{}'{} ({})", w.unknown, path_of(*w.app),
                           hint.empty() ? "" : "; did you mean " + hint + "?", help_hint(*w.app));
    }
    return fmt::format("{} ({})", one_line(error.what()), help_hint(*w.app));
}

}  // namespace roomctl::cli
