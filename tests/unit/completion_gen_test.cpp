// The completion and man page generators, on a small tree shaped like roomctl's: global options
// that fall through to subcommands, nested subcommands, values, files and positionals. Whether
// the scripts work in the real shells is tests/shell's job; this checks what they contain.

#include <gtest/gtest.h>

#include <algorithm>

#include "completion_gen.hpp"
#include "man_gen.hpp"

namespace roomctl::cli::gen {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

OptionSpec flag(std::vector<std::string> names, std::string description) {
    OptionSpec o;
    o.names = std::move(names);
    o.description = std::move(description);
    return o;
}

OptionSpec valued(std::vector<std::string> names, ValueKind kind, std::string description,
                  std::vector<std::string> choices = {}) {
    OptionSpec o = flag(std::move(names), std::move(description));
    o.value = kind;
    o.choices = std::move(choices);
    o.value_name = kind == ValueKind::file ? "FILE" : "TEXT";
    return o;
}

CommandSpec sub(std::string name, std::string description) {
    CommandSpec c;
    c.name = std::move(name);
    c.description = std::move(description);
    c.inherits_options = true;
    c.options.push_back(flag({"-h", "--help"}, "Print this help message and exit"));
    return c;
}

CommandSpec tree() {
    CommandSpec root;
    root.name = "roomctl";
    root.description = "roomctl keeps video rooms consistent.";
    root.footer = "Examples:\n  roomctl audit\n\nExit codes: 0 ok";
    root.options = {
        flag({"-h", "--help"}, "Print this help message and exit"),
        valued({"--config"}, ValueKind::file, "TOML config file"),
        valued({"--provider"}, ValueKind::choice, "Media server", {"livekit", "twilio"}),
        valued({"--table"}, ValueKind::text, "Room table ([rooms] table)"),
        flag({"-q", "--quiet"}, "Silence status lines"),
    };

    auto token = sub("token", "Mint access tokens");
    auto create = sub("create", "Mint an access token");
    create.options.push_back(valued({"-i", "--identity"}, ValueKind::text, "Participant identity"));
    create.options.push_back(flag({"--can-publish", "--no-can-publish"}, "Allow or forbid it's [x]"));
    auto inspect = sub("inspect", "Decode a token");
    inspect.options.push_back(
        valued({"--for"}, ValueKind::choice, "Purpose", {"join", "admin", "list", "create"}));
    inspect.positionals.push_back({"token", "The JWT", ValueKind::text, {}, "TEXT", false, false});
    token.subcommands = {create, inspect};

    auto cleanup = sub("cleanup", "Delete orphaned rooms");
    cleanup.options.push_back(valued({"--min-age"}, ValueKind::text, "Minimum age"));
    cleanup.footer = "Deletes rooms.\n\nExamples:\n  roomctl cleanup --apply\n.dot line";

    auto completion = sub("completion", "Print a completion script");
    completion.positionals.push_back(
        {"shell", "bash, zsh or fish", ValueKind::choice, {"bash", "zsh", "fish"}, "TEXT", true,
         false});

    auto isolated = sub("isolated", "Takes no global options");
    isolated.inherits_options = false;
    isolated.hidden = true;

    root.subcommands = {token, cleanup, completion, isolated};
    return root;
}

const CommandPath& path(const std::vector<CommandPath>& nodes, const std::string& p) {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.path == p; });
    if (it == nodes.end()) throw std::runtime_error("no path " + p);
    return *it;
}

std::vector<std::string> names_at(const CommandPath& n) {
    std::vector<std::string> v;
    for (const auto& e : n.options) v.insert(v.end(), e.names.begin(), e.names.end());
    return v;
}

TEST(CompletionGen, FlattenListsEveryCommandParentsFirst) {
    auto root = tree();
    auto nodes = flatten(root);
    std::vector<std::string> paths;
    for (const auto& n : nodes) paths.push_back(n.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"roomctl", "roomctl token", "roomctl token create",
                                               "roomctl token inspect", "roomctl cleanup",
                                               "roomctl completion", "roomctl isolated"}));
}

TEST(CompletionGen, SubcommandsInheritParentOptionsButTheirOwnShadowThem) {
    auto root = tree();
    auto nodes = flatten(root);
    auto create = names_at(path(nodes, "roomctl token create"));
    // Own options first, then the inherited ones; -h/--help once (its own).
    EXPECT_EQ(std::count(create.begin(), create.end(), "--help"), 1);
    EXPECT_NE(std::find(create.begin(), create.end(), "--identity"), create.end());
    EXPECT_NE(std::find(create.begin(), create.end(), "--provider"), create.end());
    EXPECT_NE(std::find(create.begin(), create.end(), "-q"), create.end());
    EXPECT_EQ(path(nodes, "roomctl token create").options.front().option->names.front(), "-h");

    auto isolated = names_at(path(nodes, "roomctl isolated"));
    EXPECT_EQ(isolated, (std::vector<std::string>{"-h", "--help"}));
}

TEST(CompletionGen, BashScriptDescribesEveryPathAndValue) {
    auto s = completion_script(Shell::bash, tree());
    EXPECT_TRUE(contains(s, "complete -F _roomctl roomctl"));
    EXPECT_TRUE(contains(s, "        'roomctl')\n            subs='token cleanup completion isolated'\n"));
    EXPECT_TRUE(contains(s, "        'roomctl token')\n            subs='create inspect'\n"));
    EXPECT_TRUE(contains(s, "vopts='-i --identity --config --provider --table'"));
    // Values: --provider and --config complete the same everywhere, --for only in inspect.
    EXPECT_TRUE(contains(s, "*'/--provider')\n            COMPREPLY=($(compgen -W 'livekit twilio' -- \"$cur\")) ;;"));
    EXPECT_TRUE(contains(s, "*'/--config')\n            __roomctl_files ;;"));
    EXPECT_TRUE(contains(s, "*'/--for')\n            COMPREPLY=($(compgen -W 'join admin list create'"));
    EXPECT_TRUE(contains(s, "'roomctl completion/#0')\n            COMPREPLY=($(compgen -W 'bash zsh fish'"));
    EXPECT_FALSE(contains(s, "/--table'"));  // free text: nothing to complete
    EXPECT_EQ(s.back(), '\n');
}

TEST(CompletionGen, ZshScriptIsACompdefFunctionWithArgumentsSpecs) {
    auto s = completion_script(Shell::zsh, tree());
    EXPECT_EQ(s.rfind("#compdef roomctl\n", 0), 0u);
    EXPECT_TRUE(contains(s, "'(--provider)--provider=[Media server]:provider:(livekit twilio)'"));
    EXPECT_TRUE(contains(s, "'(--config)--config=[TOML config file]:config:_files'"));
    EXPECT_TRUE(contains(s, "'(--table)--table=[Room table (\\[rooms\\] table)]:table: '"));
    EXPECT_TRUE(contains(s, "'(-i --identity)-i+[Participant identity]:identity: '"));
    EXPECT_TRUE(contains(s, "[Allow or forbid it'\\''s \\[x\\]]"));
    EXPECT_TRUE(contains(s, "'create:Mint an access token'"));
    EXPECT_TRUE(contains(s, "'::token: '"));
    EXPECT_TRUE(contains(s, "':shell:(bash zsh fish)'"));
    EXPECT_TRUE(contains(s, "compdef _roomctl roomctl"));
}

TEST(CompletionGen, FishScriptConditionsOnTheCommandPath) {
    auto s = completion_script(Shell::fish, tree());
    EXPECT_TRUE(contains(s, "complete -c roomctl -f\n"));
    EXPECT_TRUE(contains(s, "complete -c roomctl -n '__roomctl_is \"roomctl token\"' -a inspect -d 'Decode a token'"));
    // Every path but `isolated` takes --provider, so it is conditioned on that list.
    EXPECT_TRUE(contains(s, "-l provider -x -a 'livekit twilio' -d 'Media server'"));
    EXPECT_TRUE(contains(s, "-l config -r -F -d 'TOML config file'"));
    EXPECT_TRUE(contains(s, "-l can-publish -l no-can-publish -d 'Allow or forbid it\\'s [x]'"));
    EXPECT_TRUE(contains(s, "complete -c roomctl -n '__roomctl_pos \"roomctl completion\" 0' -a 'bash zsh fish'"));
    EXPECT_TRUE(contains(s, "-s h -l help"));
}

TEST(CompletionGen, ScriptsAreDeterministic) {
    for (auto shell : {Shell::bash, Shell::zsh, Shell::fish}) {
        EXPECT_EQ(completion_script(shell, tree()), completion_script(shell, tree()));
    }
}

TEST(CompletionGen, RefusesNamesAShellWouldSplit) {
    auto root = tree();
    root.subcommands[0].name = "to ken";
    EXPECT_THROW(completion_script(Shell::bash, root), std::invalid_argument);
    root = tree();
    root.options[1].choices = {"a;b"};
    EXPECT_THROW(completion_script(Shell::fish, root), std::invalid_argument);
    root = tree();
    root.options[1].names = {"config"};
    EXPECT_THROW(completion_script(Shell::zsh, root), std::invalid_argument);
}

TEST(CompletionGen, ShellNamesAndFiles) {
    EXPECT_EQ(parse_shell("zsh"), Shell::zsh);
    EXPECT_FALSE(parse_shell("tcsh"));
    EXPECT_EQ(completion_file_name(Shell::bash, "roomctl"), "roomctl");
    EXPECT_EQ(completion_file_name(Shell::zsh, "roomctl"), "_roomctl");
    EXPECT_EQ(completion_file_name(Shell::fish, "roomctl"), "roomctl.fish");
}

TEST(ManGen, RoffEscapes) {
    EXPECT_EQ(roff_escape("--min-age"), "\\-\\-min\\-age");
    EXPECT_EQ(roff_escape(".hidden"), "\\&.hidden");
    EXPECT_EQ(roff_escape("'quoted'"), "\\&'quoted'");
    EXPECT_EQ(roff_escape("a\\b"), "a\\eb");
}

TEST(ManGen, PageHasEverySectionAndCommand) {
    ManInfo info;
    info.source = "roomctl 0.1.0";
    info.summary = "roomctl - keep rooms consistent";
    info.sections.push_back({"EXIT STATUS", "", {{"0", "Success."}, {"7", "Locked."}}});
    auto page = man_page(tree(), info);
    EXPECT_EQ(page.rfind(".\\\"", 0), 0u);
    EXPECT_TRUE(contains(page, ".TH ROOMCTL 1 \"\" \"roomctl 0.1.0\" \"User Commands\"\n"));
    for (auto section : {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n",
                         ".SH COMMANDS\n", ".SH \"EXIT STATUS\"\n", ".SH EXAMPLES\n"}) {
        EXPECT_TRUE(contains(page, section)) << section;
    }
    EXPECT_TRUE(contains(page, ".SS \"roomctl token create\"\n"));
    EXPECT_TRUE(contains(page, ".SS \"roomctl isolated\"\n"));
    EXPECT_TRUE(contains(page, "\\fB\\-\\-provider\\fR \\fBlivekit\\fR|\\fBtwilio\\fR"));
    EXPECT_TRUE(contains(page, "\\fB\\-i\\fR, \\fB\\-\\-identity\\fR \\fITEXT\\fR"));
    EXPECT_TRUE(contains(page, ".TP\n\\fB7\\fR\nLocked.\n"));
    // Footers: prose filled, examples verbatim, a leading dot neutralised.
    EXPECT_TRUE(contains(page, ".nf\nroomctl cleanup \\-\\-apply\n.fi\n"));
    EXPECT_TRUE(contains(page, "\\&.dot line\n"));
    // The root's examples go to EXAMPLES; its exit-code line is covered by EXIT STATUS.
    EXPECT_TRUE(contains(page, ".SH EXAMPLES\n.PP\n.RS 4\n.nf\nroomctl audit\n.fi\n.RE\n"));
    EXPECT_FALSE(contains(page, "Exit codes: 0 ok"));
    // -h/--help is listed once, under OPTIONS, not for every command.
    auto count = [&](const std::string& s) {
        std::size_t n = 0;
        for (auto pos = page.find(s); pos != std::string::npos; pos = page.find(s, pos + 1)) ++n;
        return n;
    };
    EXPECT_EQ(count("\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n"), 1u);
    // No line may start with a control character that is not a request.
    std::size_t start = 0;
    while (start < page.size()) {
        auto end = page.find('\n', start);
        std::string line = page.substr(start, end - start);
        if (!line.empty() && line[0] == '.') {
            EXPECT_TRUE(line.size() >= 2 && (std::isalpha(static_cast<unsigned char>(line[1])) ||
                                             line[1] == '\\'))
                << line;
        }
        start = end + 1;
    }
}

}  // namespace
}  // namespace roomctl::cli::gen
