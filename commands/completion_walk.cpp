#include "completion_walk.hpp"

#include <algorithm>
#include <set>
#include <string_view>

namespace roomctl::cli::gen {

namespace {

// An option as accepted at the current command: the names still valid there.
struct Accepted {
    const OptionSpec* option = nullptr;
    std::vector<std::string> names;
};

// The options of `c` at a path whose parent accepts `parent`: its own first, then the
// inherited ones minus any name its own shadow.
std::vector<Accepted> accepted_at(const CommandSpec& c, const std::vector<Accepted>* parent) {
    std::vector<Accepted> out;
    std::set<std::string> own;
    for (const auto& o : c.options) {
        out.push_back({&o, o.names});
        own.insert(o.names.begin(), o.names.end());
    }
    if (parent && c.inherits_options) {
        for (const auto& a : *parent) {
            Accepted kept{a.option, {}};
            for (const auto& n : a.names) {
                if (!own.count(n)) kept.names.push_back(n);
            }
            if (!kept.names.empty()) out.push_back(std::move(kept));
        }
    }
    return out;
}

const OptionSpec* find_option(const std::vector<Accepted>& options, std::string_view name) {
    for (const auto& a : options) {
        if (std::find(a.names.begin(), a.names.end(), name) != a.names.end()) return a.option;
    }
    return nullptr;
}

const CommandSpec* find_subcommand(const CommandSpec& c, std::string_view word) {
    for (const auto& s : c.subcommands) {
        if (s.name == word) return &s;
        if (std::find(s.aliases.begin(), s.aliases.end(), word) != s.aliases.end()) return &s;
    }
    return nullptr;
}

// Values of an option or a positional: its choices (each written after `prefix`, the
// "--opt=" of CURRENT), file names, or nothing.
Completion values(ValueKind kind, const std::vector<std::string>& choices,
                  const std::string& prefix, std::string_view current) {
    Completion out;
    if (kind == ValueKind::file) {
        out.files = true;
    } else if (kind == ValueKind::choice) {
        for (const auto& c : choices) {
            if (std::string_view{prefix + c}.starts_with(current))
                out.candidates.push_back({prefix + c, ""});
        }
    }
    return out;
}

}  // namespace

Completion complete(const CommandSpec& root, const std::vector<std::string>& words) {
    const std::string current = words.empty() ? "" : words.back();
    const CommandSpec* cmd = &root;
    std::vector<Accepted> options = accepted_at(root, nullptr);
    const OptionSpec* pending = nullptr;  // the option the next word is the value of
    bool ddash = false;
    std::size_t npos = 0;  // positional arguments of `cmd` so far

    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        const std::string& w = words[i];
        if (pending) {
            pending = nullptr;
            continue;
        }
        if (ddash) {
            ++npos;
        } else if (w == "--") {
            ddash = true;
        } else if (w.size() > 1 && w.front() == '-') {
            // --opt=value carries its value; -abc and unknown options take none here.
            if (w.find('=') == std::string::npos) {
                const OptionSpec* o = find_option(options, w);
                if (o && o->takes_value()) pending = o;
            }
        } else if (const CommandSpec* sub = find_subcommand(*cmd, w)) {
            options = accepted_at(*sub, &options);
            cmd = sub;
            npos = 0;
        } else {
            ++npos;
        }
    }

    if (pending) return values(pending->value, pending->choices, "", current);
    if (!ddash && current.size() > 1 && current.front() == '-') {
        if (auto eq = current.find('='); eq != std::string::npos) {
            const std::string name = current.substr(0, eq);
            const OptionSpec* o = find_option(options, name);
            if (!o || !o->takes_value()) return {};
            return values(o->value, o->choices, name + "=", current);
        }
    }
    Completion out;
    if (!ddash && std::string_view{current}.starts_with("-")) {
        for (const auto& a : options) {
            for (const auto& n : a.names) {
                if (std::string_view{n}.starts_with(current))
                    out.candidates.push_back({n, a.option->description});
            }
        }
        return out;
    }
    if (!ddash && !cmd->subcommands.empty()) {
        for (const auto& s : cmd->subcommands) {
            std::vector<std::string> names{s.name};
            names.insert(names.end(), s.aliases.begin(), s.aliases.end());
            for (const auto& n : names) {
                if (std::string_view{n}.starts_with(current))
                    out.candidates.push_back({n, s.description});
            }
        }
        return out;
    }
    const auto& ps = cmd->positionals;
    if (ps.empty()) return out;
    const PositionalSpec* p = npos < ps.size() ? &ps[npos] : &ps.back();
    if (npos >= ps.size() && !p->variadic) return out;
    return values(p->value, p->choices, "", current);
}

std::string render(const Completion& completion) {
    if (completion.files) return ":file\n";
    std::string out;
    for (const auto& c : completion.candidates) {
        out += c.word;
        if (const std::string text = one_line(c.description); !text.empty()) out += "\t" + text;
        out += '\n';
    }
    return out;
}

}  // namespace roomctl::cli::gen
