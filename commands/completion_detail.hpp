#pragma once
// Internal to the completion generators (completion_gen.cpp and completion_{bash,zsh,fish}.cpp):
// the quoting helpers and the flattened command tree they share, and one generator per shell.
// Not part of completion_gen.hpp's interface.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "completion_gen.hpp"

namespace roomctl::cli::gen::detail {

// Throws std::invalid_argument when a name holds characters a shell would interpret.
void validate(const CommandSpec& c, bool root);
bool word_char(char c);
std::string sq(std::string_view s);  // POSIX single quotes (bash, zsh)
std::string dq(std::string_view s);  // double quotes around a validated command path
std::string fq(std::string_view s);  // fish single quotes
std::string join(const std::vector<std::string>& v, std::string_view sep);
std::vector<std::string> sub_names(const CommandSpec& c);
std::vector<std::string> option_names(const CommandPath& n);
std::vector<std::string> value_option_names(const CommandPath& n);
// alias -> canonical name, per command path ("roomctl tok" -> "token").
std::vector<std::pair<std::string, std::string>> aliases(const std::vector<CommandPath>& nodes);
std::string generated_by(const std::string& program, std::string_view shell);
// A shell function name derived from the program name.
std::string ident(std::string_view prefix, const std::string& program);

// The whole script for one shell; `root` is validated.
std::string bash(const CommandSpec& root);
std::string zsh(const CommandSpec& root);
std::string fish(const CommandSpec& root);

}  // namespace roomctl::cli::gen::detail
