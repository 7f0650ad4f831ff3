// The bash completion script (completion_gen.hpp's completion_script).

#include "completion_detail.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace roomctl::cli::gen::detail {

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


}  // namespace roomctl::cli::gen::detail
