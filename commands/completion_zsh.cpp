// The zsh completion script (completion_gen.hpp's completion_script).

#include "completion_detail.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace roomctl::cli::gen::detail {

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


}  // namespace roomctl::cli::gen::detail
