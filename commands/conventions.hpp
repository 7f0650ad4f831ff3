#pragma once
// The command-line conventions people's hands know from git, kubectl, gh and lk: "did you
// mean ...?" for a mistyped command or flag, `roomctl help CMD`, usage errors that point to the
// help of the subcommand they happened in, subcommand help that lists the global options that
// work there, and secrets refused as flags (--api-secret, the lk habit) without echoing them.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "context.hpp"

namespace roomctl::cli {

// Throws Error(usage) when argv carries a secret as a flag (--api-secret, --secret,
// --auth-token, --password; also as --flag=VALUE), before anything parses it: a secret on the
// command line is visible to every user in `ps` and lands in shell history. The message names
// the flag and where the secret goes instead, never the value. Stops at "--" and at the
// completion protocol's command (its words are only completed, never used).
void refuse_secret_flags(int argc, const char* const* argv);

// Whether argv asks for a JSON document (--json, -o json, --output=json, ...) before "--": for
// failures found before parsing (refuse_secret_flags), so that a script still gets its document.
bool asks_for_json(int argc, const char* const* argv);

// A help formatter whose pages of subcommands end with the options of the commands above them
// that work there too (the global options: --json, -q, --url, ...). Set it on the root before
// adding subcommands: CLI11 copies a parent's formatter into each new subcommand.
std::shared_ptr<CLI::Formatter> help_formatter();

// `roomctl help [COMMAND [SUBCOMMAND]]`: prints that command's --help (exit 0); an unknown
// command is a usage error with suggestions. Register it after the other commands.
void register_help(CLI::App& root, Context& ctx);

// The one-line message for a parse failure of argv against `root`: an unknown command or flag
// is named with "did you mean ...?" when something is close, and every message ends with the
// help of the (sub)command where the failure happened: "(run 'roomctl rooms create --help')".
// An unknown flag is named without any value given to it (`--flag=VALUE` shows `--flag`).
std::string usage_message(const CLI::App& root, const CLI::ParseError& error, int argc,
                          const char* const* argv);

}  // namespace roomctl::cli
