// The fish completion script (completion_gen.hpp's completion_script).

#include "completion_detail.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace roomctl::cli::gen::detail {

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


}  // namespace roomctl::cli::gen::detail
