#pragma once
// A plain description of the command tree (commands/completion.cpp turns the live CLI::App
// into a CommandSpec), and what is made from it without CLI11: the answers of `roomctl
// __complete` (completion_walk.hpp), the short shell shims that ask for them, and the man page
// (man_gen.hpp). Pure, so all of it is unit-tested without a shell.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/util/text.hpp"

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

// The completion script for `shell`: a shim of a few lines that hands the words typed so far
// to `PROGRAM __complete` (the protocol: completion_walk.hpp) and offers what it prints, file
// names when it prints `:file`. The command tree is not in it, so it never goes stale.
// `program` must be one shell word ([A-Za-z0-9._+-]); throws std::invalid_argument otherwise.
std::string completion_shim(Shell shell, std::string_view program);

// Help text as one line: newlines, tabs and runs of spaces become single spaces (shared by
// the completion and man page generators).
using text::one_line;

}  // namespace roomctl::cli::gen
