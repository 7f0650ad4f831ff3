#pragma once
// `roomctl __complete`: the binary answers shell completion itself, from its own command tree,
// so the bash, zsh and fish scripts are short shims (completion_gen.hpp's completion_shim) that
// never go stale. Pure: no CLI11 here (completion.cpp turns the live CLI::App into the
// CommandSpec this walks), so the walker is unit-tested without a shell.
//
// The protocol (the shims are its only callers; hidden from --help and from completion):
//
//   roomctl __complete PROGRAM [WORD...] CURRENT
//
//   Arguments: the words of the command line as the shell split them, quotes removed, from the
//   program name up to the word under the cursor. CURRENT is the part of that word before the
//   cursor, "" when the cursor starts a new word. PROGRAM is ignored (it is there so that no
//   word of the line is ever read as an option of __complete itself).
//
//   Output on stdout, one line each, in this order:
//     CANDIDATE            a value of an option or of a positional argument
//     CANDIDATE<TAB>TEXT   a subcommand or an option, with its one-line help
//   Every candidate starts with CURRENT and replaces it whole: for CURRENT "--provider=tw" the
//   candidate is "--provider=twilio" (a shell that breaks words at '=' strips "--provider=").
//   Or the single line
//     :file                complete file names (the shell's own, with its quoting, ~ and
//                          directories) for CURRENT, or for what follows its "--opt=".
//   No output: nothing to offer (free text such as a room name); the shell must not fall back
//   to file names.
//
//   Exit status 0, nothing on stderr, no configuration read, no network module loaded: it runs
//   on every TAB.
//
// How the words are walked, as CLI11 parses them:
//   - a word naming a subcommand (or alias) of the current command enters it;
//   - an option that takes a value consumes the next word, unless given as --opt=value;
//   - `--` ends the options: everything after it is a positional argument;
//   - a command that falls through to its parent (CLI11's fallthrough) also accepts the
//     parent's options, its own shadowing theirs (-h, --help); `roomctl cleanup --provider tw`
//     completes like `roomctl --provider tw`.
// Then CURRENT is completed as: the value of the option before it (or of its own --opt=);
// an option, when it starts with '-'; a subcommand, when the command has any; otherwise the
// positional argument at its index (the variadic last one for any later index).

#include <string>
#include <vector>

#include "completion_gen.hpp"

namespace roomctl::cli::gen {

// The name the hidden subcommand is registered under.
inline constexpr const char* kCompleteCommand = "__complete";

struct Candidate {
    std::string word;
    std::string description;  // one line; empty for values
};

struct Completion {
    std::vector<Candidate> candidates;  // in declaration order, each starting with CURRENT
    bool files = false;                 // complete file names instead (`:file`)
};

// What to offer for `words`: the words after PROGRAM, the last one being CURRENT (none: ""
// at the root). Never throws for any input.
Completion complete(const CommandSpec& root, const std::vector<std::string>& words);

// The protocol's output for a completion (above), each line ending in '\n'. Tabs and newlines
// in descriptions become spaces.
std::string render(const Completion& completion);

}  // namespace roomctl::cli::gen
