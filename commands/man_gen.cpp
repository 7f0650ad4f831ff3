#include "man_gen.hpp"

#include <algorithm>
#include <cctype>

#include "roomctl/config/registry.hpp"

namespace roomctl::cli::gen {

namespace {

std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto nl = s.find('\n', start);
        if (nl == std::string_view::npos) nl = s.size();
        std::string line{s.substr(start, nl - start)};
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
        out.push_back(std::move(line));
        start = nl + 1;
    }
    return out;
}

// Paragraphs: runs of non-blank lines.
std::vector<std::vector<std::string>> paragraphs(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> cur;
    for (auto& line : lines_of(text)) {
        if (line.empty()) {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(std::move(line));
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

std::string bold(std::string_view s) { return "\\fB" + roff_escape(s) + "\\fR"; }
std::string italic(std::string_view s) { return "\\fI" + roff_escape(s) + "\\fR"; }

// A text line in fill mode: one sentence per source line is not needed, but a leading
// control character is (roff_escape handles it).
std::string text_line(std::string_view s) { return roff_escape(one_line(s)) + "\n"; }

// Lines typed by a user: monospace-like block, indentation kept relative to the block.
void verbatim(std::string& o, const std::vector<std::string>& lines) {
    std::size_t indent = std::string::npos;
    for (const auto& l : lines) indent = std::min(indent, l.find_first_not_of(' '));
    o += ".RS 4\n.nf\n";
    for (const auto& l : lines) o += roff_escape(l.substr(indent)) + "\n";
    o += ".fi\n.RE\n";
}

// A footer paragraph: unindented lines are prose (filled), indented ones verbatim.
void render_paragraph(std::string& o, const std::vector<std::string>& para) {
    o += ".PP\n";
    std::size_t i = 0;
    while (i < para.size()) {
        std::vector<std::string> run;
        bool indented = para[i].front() == ' ';
        while (i < para.size() && (para[i].front() == ' ') == indented) run.push_back(para[i++]);
        if (indented) {
            verbatim(o, run);
        } else {
            for (const auto& l : run) o += roff_escape(l) + "\n";
        }
    }
}

std::string value_placeholder(ValueKind kind, const std::vector<std::string>& choices,
                              const std::string& value_name) {
    if (kind == ValueKind::choice && !choices.empty()) {
        // A long list of alternatives gets break points (\:) after each '|', or troff cannot
        // fit it on a line (man --warnings: "can't break line").
        std::size_t length = 0;
        for (const auto& c : choices) length += c.size() + 1;
        const std::string bar = length > 40 ? "|\\:" : "|";
        std::string s;
        for (const auto& c : choices) s += (s.empty() ? "" : bar) + bold(c);
        return s;
    }
    if (kind == ValueKind::file) return italic(value_name.empty() ? "FILE" : value_name);
    return italic(value_name.empty() ? "VALUE" : value_name);
}

std::string option_term(const OptionSpec& o) {
    std::string s;
    for (const auto& n : o.names) s += (s.empty() ? "" : ", ") + bold(n);
    if (o.takes_value()) s += " " + value_placeholder(o.value, o.choices, o.value_name);
    return s;
}

std::string positional_term(const PositionalSpec& p) {
    std::string s = italic(p.name);
    if (p.variadic) s += "\\ .\\|.\\|.";
    if (!p.required) s = "[" + s + "]";
    return s;
}

bool is_help(const OptionSpec& o) {
    return std::find(o.names.begin(), o.names.end(), "--help") != o.names.end();
}

// Options besides -h, --help, which every command has.
bool has_options(const CommandSpec& c) {
    return std::any_of(c.options.begin(), c.options.end(),
                       [](const auto& o) { return !is_help(o); });
}

std::string synopsis(const std::string& path, const CommandSpec& c) {
    std::string s = bold(path);
    if (has_options(c)) s += " [" + italic("options") + "]";
    if (!c.subcommands.empty()) s += " " + italic("command");
    for (const auto& p : c.positionals) s += " " + positional_term(p);
    return s;
}

void render_options(std::string& o, const CommandSpec& c, bool include_help) {
    for (const auto& p : c.positionals) {
        o += ".TP\n" + positional_term(p) + "\n" + text_line(p.description);
    }
    for (const auto& opt : c.options) {
        if (!include_help && is_help(opt)) continue;
        o += ".TP\n" + option_term(opt) + "\n" + text_line(opt.description);
    }
}

void render_command(std::string& o, const CommandSpec& c, const std::string& path) {
    o += ".SS \"" + path + "\"\n";
    o += synopsis(path, c) + "\n.PP\n" + text_line(c.description);
    if (c.hidden) o += ".PP\nNot listed by \\fB\\-\\-help\\fR.\n";
    render_options(o, c, false);
    for (const auto& para : paragraphs(c.footer)) render_paragraph(o, para);
    for (const auto& s : c.subcommands) render_command(o, s, path + " " + s.name);
}

void leaves(const CommandSpec& c, const std::string& path,
            std::vector<std::pair<std::string, const CommandSpec*>>& out) {
    if (c.subcommands.empty()) out.emplace_back(path, &c);
    for (const auto& s : c.subcommands) leaves(s, path + " " + s.name, out);
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string quoted_arg(std::string_view s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string{"\\(dq"} : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::string roff_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string man_page(const CommandSpec& root, const ManInfo& info) {
    const std::string& prog = root.name;
    std::string o;
    o += ".\\\" " + prog + "(" + info.section + "). Generated by `" + prog + " man` from " + prog +
         "'s command tree; do not edit.\n";
    o += ".TH " + upper(prog) + " " + info.section + " " + quoted_arg(info.date) + " " +
         quoted_arg(info.source) + " " + quoted_arg(info.manual) + "\n";
    o += ".nh\n.ad l\n";  // identifiers and paths are neither hyphenated nor stretched
    o += ".SH NAME\n" + roff_escape(info.summary) + "\n";

    o += ".SH SYNOPSIS\n";
    std::vector<std::pair<std::string, const CommandSpec*>> ls;
    for (const auto& s : root.subcommands) leaves(s, s.name, ls);
    bool first = true;
    for (const auto& [path, c] : ls) {
        if (!first) o += ".br\n";
        first = false;
        std::string line = bold(prog) + " [" + italic("options") + "] " + bold(path);
        if (has_options(*c)) line += " [" + italic("command options") + "]";
        for (const auto& p : c->positionals) line += " " + positional_term(p);
        o += line + "\n";
    }
    if (ls.empty()) o += synopsis(prog, root) + "\n";

    o += ".SH DESCRIPTION\n" + text_line(root.description);

    o += ".SH OPTIONS\n";
    bool inherited = std::any_of(root.subcommands.begin(), root.subcommands.end(),
                                 [](const auto& s) { return s.inherits_options; });
    if (inherited) {
        o += "These options are accepted before or after the command, e.g.\n"
             "\\fB" +
             roff_escape(prog) + " \\-\\-json audit\\fR or \\fB" + roff_escape(prog) +
             " audit \\-\\-json\\fR.\n";
    }
    render_options(o, root, true);

    if (!root.subcommands.empty()) {
        o += ".SH COMMANDS\n";
        o += "Every command takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR.\n";
        for (const auto& s : root.subcommands) render_command(o, s, prog + " " + s.name);
    }

    std::vector<ManSection> sections{settings_section()};
    sections.insert(sections.end(), info.sections.begin(), info.sections.end());
    for (const auto& sec : sections) {
        o += ".SH " + quoted_arg(sec.title) + "\n";
        if (!sec.intro.empty()) o += text_line(sec.intro);
        for (const auto& e : sec.entries) {
            o += ".TP\n" + bold(e.term) + "\n" + text_line(e.text);
        }
    }

    // The root's examples (its other footer paragraphs are covered by the sections above).
    std::vector<std::vector<std::string>> examples;
    for (auto& para : paragraphs(root.footer)) {
        if (std::string_view{para.front()}.starts_with("Examples:")) {
            para.erase(para.begin());
            if (!para.empty()) examples.push_back(std::move(para));
        }
    }
    if (!examples.empty()) {
        o += ".SH EXAMPLES\n";
        for (const auto& para : examples) render_paragraph(o, para);
    }
    return o;
}

ManSection settings_section() {
    ManSection sec;
    sec.title = "CONFIGURATION FILE";
    sec.intro =
        "The config file is TOML: a key a.b below is b = ... in the table [a]. "
        "[profiles.NAME] holds the same tables and, when selected (--profile, ROOMCTL_PROFILE), "
        "is read over the top level; a profile that sets any credential of a provider replaces "
        "that provider's whole credential set. A flag beats the environment, which beats the "
        "file, which beats the default. Run roomctl config show for the effective values.";
    for (const auto& spec : config::settings_registry()) {
        if (spec.toml.empty() && spec.toml_file.empty()) continue;
        ManEntry e;
        e.term = std::string{spec.toml};
        if (!spec.toml_file.empty())
            e.term += (e.term.empty() ? "" : ", ") + std::string{spec.toml_file};
        e.text = std::string{spec.help} + ".";
        if (spec.toml != spec.key && spec.toml_file.empty())
            e.text += " Shown by config show as " + std::string{spec.key} + ".";
        std::string also;
        if (!spec.flag.empty())
            also = std::string{spec.flag} +
                   (spec.flag_for ? " (provider " + config::to_string(*spec.flag_for) + ")" : "");
        for (const auto& var : spec.env)
            also += (also.empty() ? "" : ", ") + std::string{var.name} +
                    (var.names_file ? " (a file)" : "");
        if (!also.empty()) e.text += " Also set by " + also + ".";
        if (!spec.toml_file.empty())
            e.text += " " + std::string{spec.toml_file} +
                      " names a file holding it and wins "
                      "over " +
                      std::string{spec.toml} + "; relative to the config file.";
        if (spec.relative) e.text += " Relative to the config file.";
        if (spec.secret) e.text += " Secret: never printed.";
        sec.entries.push_back(std::move(e));
    }
    return sec;
}

}  // namespace roomctl::cli::gen
