#pragma once
// The roomctl(1) manual page, in roff (man macros), generated from the same CommandSpec as
// the completions: NAME, SYNOPSIS, DESCRIPTION, OPTIONS (the root's), COMMANDS (every command
// with its arguments, options and help text), then the caller's sections (EXIT STATUS,
// ENVIRONMENT, FILES...) and EXAMPLES. Pure: no CLI11, unit-tested in tests/unit. The
// settings' part comes from config/registry.hpp, like the global options themselves.

#include <string>
#include <string_view>
#include <vector>

#include "completion_gen.hpp"

namespace roomctl::cli::gen {

struct ManEntry {
    std::string term;  // plain text: "0", "LIVEKIT_URL"; set in bold
    std::string text;
};

struct ManSection {
    std::string title;  // "EXIT STATUS"
    std::string intro;  // a paragraph before the entries (may be empty)
    std::vector<ManEntry> entries;
};

struct ManInfo {
    std::string section = "1";
    std::string date;    // .TH date; empty keeps the page reproducible
    std::string source;  // .TH footer, e.g. "roomctl 0.1.0"
    std::string manual = "User Commands";
    std::string summary;               // NAME: "roomctl - ..."
    std::vector<ManSection> sections;  // after COMMANDS
};

// The page. Paragraphs of a command's footer that start with "Examples:" are kept with the
// command; the root's go to an EXAMPLES section at the end. A CONFIGURATION FILE section,
// made from the settings registry (settings_section), comes right after COMMANDS.
std::string man_page(const CommandSpec& root, const ManInfo& info);

// CONFIGURATION FILE: every key of the config file in the settings registry
// (config/registry.hpp), with its help, the flag and environment variables that also set it,
// and whether it is a secret or a path relative to the file.
ManSection settings_section();

// Text for a roff line: backslashes and hyphens escaped (\e, \-), a leading . or ' neutralised.
std::string roff_escape(std::string_view text);

}  // namespace roomctl::cli::gen
