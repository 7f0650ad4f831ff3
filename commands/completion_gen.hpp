#pragma once
// Shell completion scripts (bash, zsh, fish) generated from a plain description of the command
// tree. Pure: no CLI11 here (commands/completion.cpp turns the live CLI::App into a
// CommandSpec), so the generators are unit-tested without a shell, and every shell walks the
// words typed so far the same way:
//
//   - a word that names a subcommand of the current command enters it;
//   - an option that takes a value consumes the next word (unless given as --opt=value);
//   - `--` ends the options; everything after it is a positional argument;
//   - a command whose options fall through to its parent (CLI11's fallthrough) also accepts
//     the parent's options, so `roomctl cleanup --provider twilio` completes like
//     `roomctl --provider twilio cleanup`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomctl::cli::gen {

// What the value of an option or a positional argument is, for completion.
enum class ValueKind {
    none,    // a flag: takes no value
    text,    // free text: nothing to complete
    file,    // a path: complete file names
    choice,  // one of `choices`
};

struct OptionSpec {
    std::vector<std::string> names;  // as typed, short first: "-q", "--quiet", "--no-can-publish"
    std::string description;
    ValueKind value = ValueKind::none;
    std::vector<std::string> choices;  // for ValueKind::choice
    std::string value_name;            // placeholder for the man page: "TEXT", "UINT", "FILE"
    bool repeatable = false;           // may be given more than once
    bool required = false;

    bool takes_value() const { return value != ValueKind::none; }
};

struct PositionalSpec {
    std::string name;
    std::string description;
    ValueKind value = ValueKind::text;
    std::vector<std::string> choices;
    std::string value_name;
    bool required = false;
    bool variadic = false;  // takes every remaining argument (only the last one may)
};

struct CommandSpec {
    std::string name;
    std::vector<std::string> aliases;
    std::string description;
    std::string footer;   // the command's own help text after its options
    bool hidden = false;  // not listed by --help; still completed and documented (it can be typed)
    // The parent's options are accepted after this command too (CLI11's fallthrough).
    bool inherits_options = false;
    std::vector<OptionSpec> options;
    std::vector<PositionalSpec> positionals;
    std::vector<CommandSpec> subcommands;
};

enum class Shell { bash, zsh, fish };

std::optional<Shell> parse_shell(std::string_view name);
std::string_view shell_name(Shell shell);

// The name the completion for `program` is installed under: roomctl, _roomctl, roomctl.fish.
std::string completion_file_name(Shell shell, std::string_view program);

// The whole script, ending in a newline. Deterministic: the same tree gives the same bytes.
// Throws std::invalid_argument when a command, option or choice name could not be typed as
// one shell word (anything outside [A-Za-z0-9._+-], or an option not starting with '-').
std::string completion_script(Shell shell, const CommandSpec& root);

// An option as it is accepted at one command path: its own options first, then those it
// inherits, minus any name its own options shadow (-h, --help).
struct EffectiveOption {
    const OptionSpec* option = nullptr;
    std::vector<std::string> names;  // the names still valid at this path
};

// One command of the tree, flattened: "roomctl", "roomctl token", "roomctl token create".
struct CommandPath {
    std::string path;
    const CommandSpec* command = nullptr;
    std::vector<EffectiveOption> options;
};

// Every command of the tree, parents before children, in declaration order.
std::vector<CommandPath> flatten(const CommandSpec& root);

// Help text as one line: newlines, tabs and runs of spaces become single spaces (shared by
// the completion and man page generators).
std::string one_line(std::string_view s);

}  // namespace roomctl::cli::gen
