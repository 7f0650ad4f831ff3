#include "completion_gen.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "completion_detail.hpp"

namespace roomctl::cli::gen {

namespace detail {

// ---------------------------------------------------------------------------------------------
// Names and text

bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '+';
}

// Names end up unquoted in case patterns, word lists and `contains` calls: keep them to
// characters no shell treats specially.
void require_word(const std::string& s, const char* what) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), word_char)) {
        throw std::invalid_argument(std::string{"completion: "} + what + " \"" + s +
                                    "\" cannot be completed as one shell word");
    }
}

void validate(const CommandSpec& c, bool root) {
    require_word(c.name, root ? "program name" : "command name");
    if (c.name.front() == '-') throw std::invalid_argument("completion: command \"" + c.name + "\"");
    for (const auto& a : c.aliases) require_word(a, "command alias");
    for (const auto& o : c.options) {
        if (o.names.empty()) throw std::invalid_argument("completion: option without a name");
        for (const auto& n : o.names) {
            require_word(n, "option name");
            if (n.size() < 2 || n.front() != '-') {
                throw std::invalid_argument("completion: option name \"" + n +
                                            "\" does not start with '-'");
            }
        }
        for (const auto& v : o.choices) require_word(v, "option value");
    }
    for (const auto& p : c.positionals) {
        require_word(p.name, "positional name");
        for (const auto& v : p.choices) require_word(v, "positional value");
    }
    for (const auto& s : c.subcommands) validate(s, false);
}


// POSIX single quotes (bash, zsh).
std::string sq(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

// Double quotes around a command path (validated: words of [A-Za-z0-9._+-] and spaces).
std::string dq(std::string_view s) { return "\"" + std::string{s} + "\""; }

// fish single quotes: \ and ' are escaped with a backslash.
std::string fq(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The tree, flattened

void flatten_into(const CommandSpec& c, const std::string& path,
                  const std::vector<EffectiveOption>* parent, std::vector<CommandPath>& out) {
    CommandPath node;
    node.path = path;
    node.command = &c;
    std::set<std::string> own;
    for (const auto& o : c.options) {
        node.options.push_back({&o, o.names});
        own.insert(o.names.begin(), o.names.end());
    }
    if (parent && c.inherits_options) {
        for (const auto& e : *parent) {
            EffectiveOption kept{e.option, {}};
            for (const auto& n : e.names) {
                if (!own.count(n)) kept.names.push_back(n);
            }
            if (!kept.names.empty()) node.options.push_back(std::move(kept));
        }
    }
    out.push_back(std::move(node));
    // `out` may reallocate while children are added: copy the options they inherit.
    const auto options = out.back().options;
    for (const auto& s : c.subcommands) flatten_into(s, path + " " + s.name, &options, out);
}

std::vector<std::string> sub_names(const CommandSpec& c) {
    std::vector<std::string> v;
    for (const auto& s : c.subcommands) {
        v.push_back(s.name);
        v.insert(v.end(), s.aliases.begin(), s.aliases.end());
    }
    return v;
}

std::vector<std::string> option_names(const CommandPath& n) {
    std::vector<std::string> v;
    for (const auto& e : n.options) v.insert(v.end(), e.names.begin(), e.names.end());
    return v;
}

std::vector<std::string> value_option_names(const CommandPath& n) {
    std::vector<std::string> v;
    for (const auto& e : n.options) {
        if (e.option->takes_value()) v.insert(v.end(), e.names.begin(), e.names.end());
    }
    return v;
}

// alias -> canonical name, per command path ("roomctl tok" -> "token").
std::vector<std::pair<std::string, std::string>> aliases(const std::vector<CommandPath>& nodes) {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& n : nodes) {
        for (const auto& s : n.command->subcommands) {
            for (const auto& a : s.aliases) v.emplace_back(n.path + " " + a, s.name);
        }
    }
    return v;
}

std::string generated_by(const std::string& program, std::string_view shell) {
    return "# " + std::string{shell} + " completion for " + program + ". Generated by `" + program +
           " completion " + std::string{shell} + "` from its command tree.\n"
           "# Do not edit: regenerate with scripts/gen-completions.sh (the test completions_fresh\n"
           "# fails when this file is stale).\n";
}

// A shell function name derived from the program name.
std::string ident(std::string_view prefix, const std::string& program) {
    std::string s{prefix};
    for (char c : program) s += (word_char(c) && c != '-' && c != '.' && c != '+') ? c : '_';
    return s;
}

}  // namespace detail

using namespace detail;

std::optional<Shell> parse_shell(std::string_view name) {
    if (name == "bash") return Shell::bash;
    if (name == "zsh") return Shell::zsh;
    if (name == "fish") return Shell::fish;
    return std::nullopt;
}

std::string_view shell_name(Shell shell) {
    switch (shell) {
        case Shell::bash: return "bash";
        case Shell::zsh: return "zsh";
        case Shell::fish: return "fish";
    }
    return "";
}

std::string completion_file_name(Shell shell, std::string_view program) {
    switch (shell) {
        case Shell::bash: return std::string{program};
        case Shell::zsh: return "_" + std::string{program};
        case Shell::fish: return std::string{program} + ".fish";
    }
    return std::string{program};
}

std::vector<CommandPath> flatten(const CommandSpec& root) {
    std::vector<CommandPath> out;
    flatten_into(root, root.name, nullptr, out);
    return out;
}

std::string completion_script(Shell shell, const CommandSpec& root) {
    validate(root, true);
    switch (shell) {
        case Shell::bash: return bash(root);
        case Shell::zsh: return zsh(root);
        case Shell::fish: return fish(root);
    }
    return {};
}

std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace roomctl::cli::gen
