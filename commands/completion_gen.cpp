#include "completion_gen.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace roomctl::cli::gen {

namespace {

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

// ---------------------------------------------------------------------------------------------
// bash

std::string bash_action(const std::string& fn_prefix, ValueKind kind,
                        const std::vector<std::string>& choices) {
    switch (kind) {
        case ValueKind::choice:
            return "COMPREPLY=($(compgen -W " + sq(join(choices, " ")) + " -- \"$cur\"))";
        case ValueKind::file: return fn_prefix + "_files";
        default: return ":";
    }
}

std::string bash(const CommandSpec& root) {
    const auto nodes = flatten(root);
    const std::string& prog = root.name;
    const std::string fn = ident("_", prog);    // the completion function (complete -F)
    const std::string pre = ident("__", prog);  // its helpers

    std::string o;
    o += generated_by(prog, "bash");
    o += "#\n# Install: " + prog + " completion bash > ~/.local/share/bash-completion/completions/" +
         prog + "\n# (system-wide: /usr/share/bash-completion/completions/" + prog +
         "),\n# or in ~/.bashrc: source <(" + prog + " completion bash)\n\n"
         "# Every name completed is one shell word, so COMPREPLY=($(compgen ...)) is safe.\n"
         "# shellcheck disable=SC2207\n\n";

    // The spec of each command path.
    o += "# " + pre + "_spec PATH: sets subs (subcommands), opts (options) and vopts (the options\n"
         "# that take a value) for a command path such as '" + prog + " token create'.\n";
    o += pre + "_spec()\n{\n    case $1 in\n";
    for (const auto& n : nodes) {
        o += "        " + sq(n.path) + ")\n";
        o += "            subs=" + sq(join(sub_names(*n.command), " ")) + "\n";
        o += "            opts=" + sq(join(option_names(n), " ")) + "\n";
        o += "            vopts=" + sq(join(value_option_names(n), " ")) + "\n";
        o += "            ;;\n";
    }
    o += "        *) subs='' opts='' vopts='' ;;\n    esac\n}\n\n";

    // Values: of options (PATH/--opt) and positionals (PATH/#index).
    o += "# " + pre + "_values PATH WHAT: completes the value of option WHAT (--opt) or of the\n"
         "# positional argument WHAT (#index) of a command path, into COMPREPLY.\n";
    o += pre + "_values()\n{\n    case \"$1/$2\" in\n";
    {
        // An option name that completes the same way wherever it is accepted is matched at
        // any path (*/--config); otherwise path by path. Options with the same completion
        // share one arm, in first-seen order.
        std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
            by_name;  // name -> (path, action)
        for (const auto& n : nodes) {
            for (const auto& e : n.options) {
                if (!e.option->takes_value()) continue;
                auto action = bash_action(pre, e.option->value, e.option->choices);
                for (const auto& name : e.names) {
                    auto it = std::find_if(by_name.begin(), by_name.end(),
                                           [&](const auto& b) { return b.first == name; });
                    if (it == by_name.end()) it = by_name.insert(by_name.end(), {name, {}});
                    it->second.emplace_back(n.path, action);
                }
            }
        }
        std::vector<std::pair<std::string, std::vector<std::string>>> arms;  // action -> labels
        auto add = [&](const std::string& action, std::string label) {
            if (action == ":") return;
            auto it = std::find_if(arms.begin(), arms.end(),
                                   [&](const auto& a) { return a.first == action; });
            if (it == arms.end()) it = arms.insert(arms.end(), {action, {}});
            it->second.push_back(std::move(label));
        };
        for (const auto& [name, uses] : by_name) {
            bool same = std::all_of(uses.begin(), uses.end(),
                                    [&](const auto& u) { return u.second == uses.front().second; });
            if (same) {
                add(uses.front().second, "*" + sq("/" + name));
            } else {
                for (const auto& [path, action] : uses) add(action, sq(path + "/" + name));
            }
        }
        for (const auto& [action, labels] : arms) {
            o += "        " + join(labels, " |\\\n        ") + ")\n            " + action + " ;;\n";
        }
        // Positionals, in order: the variadic one (#*, last) must not shadow earlier ones.
        for (const auto& n : nodes) {
            const auto& ps = n.command->positionals;
            bool any = std::any_of(ps.begin(), ps.end(), [](const auto& p) {
                return p.value == ValueKind::choice || p.value == ValueKind::file;
            });
            if (!any) continue;
            for (std::size_t i = 0; i < ps.size(); ++i) {
                auto label = ps[i].variadic ? sq(n.path + "/#") + "*"
                                            : sq(n.path + "/#" + std::to_string(i));
                o += "        " + label + ")\n            " +
                     bash_action(pre, ps[i].value, ps[i].choices) + " ;;\n";
                if (ps[i].variadic) break;
            }
        }
    }
    o += "    esac\n}\n\n";

    o += pre + "_files()\n{\n"
         "    if declare -F _filedir >/dev/null 2>&1; then\n"
         "        _filedir\n"
         "    else\n"
         "        compopt -o filenames 2>/dev/null\n"
         "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "    fi\n}\n\n";

    const auto alias_list = aliases(nodes);
    o += fn + "()\n{\n";
    o += R"(    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        # Without bash-completion: COMP_WORDS as readline split them ('=' is a word).
        COMPREPLY=()
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${words[cword]}
        prev=${words[cword - 1]}
        [[ $cur == = ]] && cur=''
    fi

    # Walk the words before the cursor: which command, how many positionals, and whether the
    # cursor is on the value of an option.
)";
    o += "    local cmd=" + sq(prog) + " subs opts vopts w valopt=''\n";
    o += R"(    local -i i skip=0 npos=0 ddash=0
)";
    o += "    " + pre + "_spec \"$cmd\"\n";
    o += R"(    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if ((skip)); then
            [[ $w == = ]] || skip=0
            continue
        fi
        if ((ddash)); then
            npos+=1
            continue
        fi
        case $w in
            --) ddash=1 ;;
            -?*=*) ;;
            -?*)
                if [[ " $vopts " == *" $w "* ]]; then
                    skip=1
                    valopt=$w
                fi
                ;;
            *)
                if [[ " $subs " == *" $w "* ]]; then
)";
    if (!alias_list.empty()) {
        o += "                    case \"$cmd $w\" in\n";
        for (const auto& [from, to] : alias_list) {
            o += "                        " + sq(from) + ") w=" + sq(to) + " ;;\n";
        }
        o += "                    esac\n";
    }
    o += "                    cmd+=\" $w\"\n";
    o += "                    npos=0\n";
    o += "                    " + pre + "_spec \"$cmd\"\n";
    o += R"(                else
                    npos+=1
                fi
                ;;
        esac
    done

)";
    o += "    if ((skip)); then\n        " + pre + "_values \"$cmd\" \"$valopt\"\n        return 0\n    fi\n";
    o += "    if [[ $split == true ]]; then\n        " + pre +
         "_values \"$cmd\" \"$prev\"\n        return 0\n    fi\n";
    o += R"(    if ((!ddash)) && [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi
    if ((!ddash)) && [[ -n $subs ]]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
        return 0
    fi
)";
    o += "    " + pre + "_values \"$cmd\" \"#$npos\"\n";
    o += "} &&\n    complete -F " + fn + " " + prog + "\n\n# ex: filetype=sh\n";
    return o;
}

// ---------------------------------------------------------------------------------------------
// zsh

// Text inside an _arguments [description] or a _describe entry.
std::string zsh_desc(std::string_view s) {
    std::string out;
    for (char c : one_line(s)) {
        if (c == '\\' || c == '[' || c == ']') out += '\\';
        out += c;
    }
    return out;
}

std::string zsh_action(ValueKind kind, const std::vector<std::string>& choices) {
    switch (kind) {
        case ValueKind::choice: return "(" + join(choices, " ") + ")";
        case ValueKind::file: return "_files";
        default: return " ";  // a message, nothing to complete
    }
}

std::string zsh_message(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// One _arguments spec per name, e.g. '(-q --quiet)--quiet[Silence status lines on stderr]'.
std::vector<std::string> zsh_option_specs(const EffectiveOption& e) {
    const auto& opt = *e.option;
    std::vector<std::string> specs;
    std::string excl = opt.repeatable ? "*" : "(" + join(e.names, " ") + ")";
    std::string message = e.names.back();
    message.erase(0, message.find_first_not_of('-'));
    for (const auto& name : e.names) {
        std::string spec = excl + name;
        if (opt.takes_value()) spec += name.size() == 2 ? "+" : "=";  // -iVALUE, --opt=VALUE
        spec += "[" + zsh_desc(opt.description) + "]";
        if (opt.takes_value()) {
            spec += ":" + zsh_message(message) + ":" + zsh_action(opt.value, opt.choices);
        }
        specs.push_back(sq(spec));
    }
    return specs;
}

std::string zsh(const CommandSpec& root) {
    const auto nodes = flatten(root);
    const std::string& prog = root.name;
    const std::string fn = ident("_", prog);
    const std::string pre = ident("__", prog);

    std::string o;
    o += "#compdef " + prog + "\n";
    o += generated_by(prog, "zsh");
    o += "#\n# Install: " + prog + " completion zsh > \"${fpath[1]}/_" + prog +
         "\"\n# (system-wide, Debian: /usr/share/zsh/vendor-completions/_" + prog +
         "),\n# or after compinit in ~/.zshrc: source <(" + prog + " completion zsh)\n\n";

    o += "# " + pre + "_spec PATH: sets subs (subcommands) and vopts (the options that take a\n"
         "# value) for a command path such as '" + prog + " token create'.\n";
    o += pre + "_spec() {\n  case $1 in\n";
    for (const auto& n : nodes) {
        o += "    (" + sq(n.path) + ")\n";
        o += "      subs=(" + join(sub_names(*n.command), " ") + ")\n";
        o += "      vopts=(" + join(value_option_names(n), " ") + ")\n";
        o += "      ;;\n";
    }
    o += "    (*) subs=() vopts=() ;;\n  esac\n}\n\n";

    o += "# " + pre + "_commands PATH: offers the subcommands of a command path.\n";
    o += pre + "_commands() {\n  local -a commands\n  case $1 in\n";
    for (const auto& n : nodes) {
        if (n.command->subcommands.empty()) continue;
        o += "    (" + sq(n.path) + ")\n      commands=(\n";
        for (const auto& s : n.command->subcommands) {
            for (const auto& name : [&] {
                     std::vector<std::string> v{s.name};
                     v.insert(v.end(), s.aliases.begin(), s.aliases.end());
                     return v;
                 }()) {
                o += "        " + sq(name + ":" + one_line(s.description)) + "\n";
            }
        }
        o += "      )\n      ;;\n";
    }
    o += "  esac\n  _describe -t commands " + sq(prog + " command") + " commands\n}\n\n";

    o += "# " + pre + "_arguments PATH: completes options and arguments of a command path, with\n"
         "# words holding only that command's words.\n";
    // Specs every command accepts (help, the global options) are written once.
    std::vector<std::vector<std::string>> specs(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        for (const auto& e : nodes[i].options) {
            for (auto& spec : zsh_option_specs(e)) specs[i].push_back(std::move(spec));
        }
    }
    std::vector<std::string> common;
    for (const auto& spec : specs.front()) {
        if (nodes.size() > 1 && std::all_of(specs.begin(), specs.end(), [&](const auto& v) {
                return std::find(v.begin(), v.end(), spec) != v.end();
            })) {
            common.push_back(spec);
        }
    }
    o += pre + "_arguments() {\n";
    if (!common.empty()) {
        o += "  local -a common=(\n";
        for (const auto& spec : common) o += "    " + spec + "\n";
        o += "  )\n";
    }
    o += "  case $1 in\n";
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i];
        o += "    (" + sq(n.path) + ")\n      _arguments -s -S -C : \\\n";
        if (!common.empty()) o += "        \"${common[@]}\" \\\n";
        for (const auto& spec : specs[i]) {
            if (std::find(common.begin(), common.end(), spec) == common.end()) {
                o += "        " + spec + " \\\n";
            }
        }
        if (!n.command->subcommands.empty()) {
            o += "        " + sq("1:command:->command") + " \\\n";
        } else {
            for (const auto& p : n.command->positionals) {
                std::string spec = p.variadic ? "*" : "";
                spec += p.required || p.variadic ? ":" : "::";
                spec += zsh_message(p.name) + ":" + zsh_action(p.value, p.choices);
                o += "        " + sq(spec) + " \\\n";
            }
        }
        o += "        && ret=0\n      ;;\n";
    }
    o += "  esac\n}\n\n";

    const auto alias_list = aliases(nodes);
    o += fn + "() {\n";
    o += "  local cmd=" + sq(prog) + " w\n";
    o += R"(  local -a subs vopts
  integer i skip=0 ddash=0 start=1
)";
    o += "  " + pre + "_spec $cmd\n";
    o += R"(  # Walk the words before the cursor to the innermost command.
  for (( i = 2; i < CURRENT; i++ )); do
    w=${words[i]}
    if (( skip )); then
      skip=0
      continue
    fi
    (( ddash )) && continue
    case $w in
      (--) ddash=1 ;;
      (-?*=*) ;;
      (-?*) (( ${vopts[(Ie)$w]} )) && skip=1 ;;
      (*)
        if (( ${subs[(Ie)$w]} )); then
)";
    if (!alias_list.empty()) {
        o += "          case \"$cmd $w\" in\n";
        for (const auto& [from, to] : alias_list) {
            o += "            (" + sq(from) + ") w=" + sq(to) + " ;;\n";
        }
        o += "          esac\n";
    }
    o += "          cmd+=\" $w\"\n          start=$i\n          " + pre + "_spec $cmd\n";
    o += R"(        fi
        ;;
    esac
  done
  # _arguments sees only the innermost command's words.
  if (( start > 1 )); then
    words=("${(@)words[start,-1]}")
    (( CURRENT -= start - 1 ))
  fi
  local curcontext="${curcontext%:*:*}:${cmd// /-}:" state state_descr line
  typeset -A opt_args
  local ret=1
)";
    o += "  " + pre + "_arguments $cmd\n";
    o += "  if [[ $state == command ]]; then\n    " + pre + "_commands $cmd && ret=0\n  fi\n";
    o += "  return ret\n}\n\n";
    o += "if [[ $funcstack[1] == " + fn + " ]]; then\n  # autoloaded from $fpath\n  " + fn +
         " \"$@\"\nelse\n  # sourced\n  compdef " + fn + " " + prog + "\nfi\n";
    return o;
}

// ---------------------------------------------------------------------------------------------
// fish

std::string fish(const CommandSpec& root) {
    const auto nodes = flatten(root);
    const std::string& prog = root.name;
    const std::string pre = ident("__", prog);

    std::string o;
    o += generated_by(prog, "fish");
    o += "#\n# Install: " + prog + " completion fish > ~/.config/fish/completions/" + prog +
         ".fish\n# (system-wide: /usr/share/fish/vendor_completions.d/" + prog +
         ".fish),\n# or: " + prog + " completion fish | source\n\n";

    o += "function " + pre + "_subs --description 'Subcommands of a " + prog + " command path'\n";
    o += "    switch $argv[1]\n";
    for (const auto& n : nodes) {
        auto subs = sub_names(*n.command);
        if (subs.empty()) continue;
        o += "        case " + fq(n.path) + "\n            printf '%s\\n' " + join(subs, " ") + "\n";
    }
    o += "    end\nend\n\n";

    o += "function " + pre + "_vopts --description 'Options that take a value, of a " + prog +
         " command path'\n";
    o += "    switch $argv[1]\n";
    for (const auto& n : nodes) {
        auto v = value_option_names(n);
        if (v.empty()) continue;
        o += "        case " + fq(n.path) + "\n            printf '%s\\n' " + join(v, " ") + "\n";
    }
    o += "    end\nend\n\n";

    const auto alias_list = aliases(nodes);
    o += "# Prints the command path being completed, then how many positionals it has so far.\n";
    o += "function " + pre + "_state\n";
    o += "    set -l words (commandline -opc)\n";
    o += "    set -l cmd " + fq(prog) + "\n";
    o += R"(    set -l npos 0
    set -l skip 0
    set -l ddash 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if test $ddash = 1
            set npos (math $npos + 1)
            continue
        end
        switch $w
            case --
                set ddash 1
            case -
                set npos (math $npos + 1)
            case '-*=*'
            case '-*'
)";
    o += "                if contains -- $w (" + pre + "_vopts $cmd)\n";
    o += R"(                    set skip 1
                end
            case '*'
)";
    o += "                if contains -- $w (" + pre + "_subs $cmd)\n";
    if (!alias_list.empty()) {
        o += "                    switch \"$cmd $w\"\n";
        for (const auto& [from, to] : alias_list) {
            o += "                        case " + fq(from) + "\n                            set w " + fq(to) + "\n";
        }
        o += "                    end\n";
    }
    o += R"(                    set cmd "$cmd $w"
                    set npos 0
                else
                    set npos (math $npos + 1)
                end
        end
    end
    echo $cmd
    echo $npos
end

)";
    o += "# True when completing one of the given command paths.\n";
    o += "function " + pre + "_is\n    set -l state (" + pre + "_state)\n"
         "    contains -- $state[1] $argv\nend\n\n";
    o += "# True when completing positional N of command path P (N+: N or later).\n";
    o += "function " + pre + "_pos --argument-names path n\n    set -l state (" + pre + "_state)\n"
         R"(    test "$state[1]" = "$path"; or return 1
    if string match -q -- '*+' $n
        test $state[2] -ge (string trim -r -c + -- $n)
    else
        test $state[2] -eq $n
    end
end

)";
    o += "complete -c " + prog + " -f\n";

    // Subcommands.
    for (const auto& n : nodes) {
        for (const auto& s : n.command->subcommands) {
            std::vector<std::string> names{s.name};
            names.insert(names.end(), s.aliases.begin(), s.aliases.end());
            for (const auto& name : names) {
                o += "complete -c " + prog + " -n " + fq(pre + "_is " + dq(n.path)) + " -a " + name +
                     " -d " + fq(one_line(s.description)) + "\n";
            }
        }
    }
    // Options: one line per option as completed (names, value, description), with the paths
    // that accept it; an option every path accepts needs no condition.
    std::vector<std::pair<std::string, std::vector<std::string>>> lines;
    for (const auto& n : nodes) {
        for (const auto& e : n.options) {
            const auto& opt = *e.option;
            std::string spec;
            for (const auto& name : e.names) {
                if (name.size() == 2) spec += " -s " + name.substr(1);
                else if (name.rfind("--", 0) == 0) spec += " -l " + name.substr(2);
                else spec += " -o " + name.substr(1);  // -long (old style)
            }
            switch (opt.value) {
                case ValueKind::none: break;
                case ValueKind::text: spec += " -x"; break;
                case ValueKind::file: spec += " -r -F"; break;
                case ValueKind::choice: spec += " -x -a " + fq(join(opt.choices, " ")); break;
            }
            spec += " -d " + fq(one_line(opt.description));
            auto it = std::find_if(lines.begin(), lines.end(),
                                   [&](const auto& l) { return l.first == spec; });
            if (it == lines.end()) it = lines.insert(lines.end(), {spec, {}});
            it->second.push_back(n.path);
        }
    }
    for (const auto& [spec, paths] : lines) {
        std::string line = "complete -c " + prog;
        if (paths.size() != nodes.size()) {
            std::vector<std::string> quoted;
            for (const auto& p : paths) quoted.push_back(dq(p));
            line += " -n " + fq(pre + "_is " + join(quoted, " "));
        }
        o += line + spec + "\n";
    }
    // Positionals with something to complete.
    for (const auto& n : nodes) {
        const auto& ps = n.command->positionals;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            const auto& p = ps[i];
            if (p.value != ValueKind::choice && p.value != ValueKind::file) continue;
            std::string cond = pre + "_pos " + dq(n.path) + " " + std::to_string(i) +
                               (p.variadic ? "+" : "");
            std::string line = "complete -c " + prog + " -n " + fq(cond);
            if (p.value == ValueKind::file) line += " -F";
            else line += " -a " + fq(join(p.choices, " "));
            o += line + " -d " + fq(one_line(p.description)) + "\n";
        }
    }
    return o;
}

}  // namespace

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
