// The answers of `roomctl __complete` (completion_walk.hpp), the shell shims and the man page
// generator, on a small tree shaped like roomctl's: global options that fall through to
// subcommands, nested subcommands, values, files and positionals. Whether the shims work in
// the real shells, against the real command tree, is tests/shell's job.

#include "completion_gen.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "completion_walk.hpp"
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
    create.options.push_back(
        flag({"--can-publish", "--no-can-publish"}, "Allow or forbid it's [x]"));
    auto inspect = sub("inspect", "Decode a token");
    inspect.options.push_back(
        valued({"--for"}, ValueKind::choice, "Purpose", {"join", "admin", "list", "create"}));
    inspect.positionals.push_back({"token", "The JWT", ValueKind::text, {}, "TEXT", false, false});
    token.subcommands = {create, inspect};

    auto cleanup = sub("cleanup", "Delete orphaned rooms");
    cleanup.options.push_back(valued({"--min-age"}, ValueKind::text, "Minimum age"));
    cleanup.footer = "Deletes rooms.\n\nExamples:\n  roomctl cleanup --apply\n.dot line";

    auto completion = sub("completion", "Print a completion script");
    completion.positionals.push_back({"shell",
                                      "bash, zsh or fish",
                                      ValueKind::choice,
                                      {"bash", "zsh", "fish"},
                                      "TEXT",
                                      true,
                                      false});

    auto isolated = sub("isolated", "Takes no global options");
    isolated.inherits_options = false;
    isolated.hidden = true;

    root.subcommands = {token, cleanup, completion, isolated};
    return root;
}

// The words offered for `line` (the words after the program, split on spaces; a trailing
// space starts an empty CURRENT word).
std::vector<std::string> offered(const std::string& line, bool* files = nullptr) {
    std::vector<std::string> words;
    std::string w;
    for (char c : line) {
        if (c == ' ') {
            words.push_back(w);
            w.clear();
        } else {
            w += c;
        }
    }
    words.push_back(w);
    auto c = complete(tree(), words);
    if (files) *files = c.files;
    std::vector<std::string> out;
    for (const auto& cand : c.candidates) out.push_back(cand.word);
    return out;
}

using Words = std::vector<std::string>;

TEST(CompleteWalker, OffersSubcommandsOfTheCommandReachedSoFar) {
    EXPECT_EQ(offered(""), (Words{"token", "cleanup", "completion", "isolated"}));
    EXPECT_EQ(offered("c"), (Words{"cleanup", "completion"}));
    EXPECT_EQ(offered("token "), (Words{"create", "inspect"}));
    EXPECT_EQ(offered("token i"), (Words{"inspect"}));
    EXPECT_EQ(complete(tree(), {}).candidates.size(), 4u);  // no word at all: the root
    // Options before the subcommand, a consumed value that names a command, a flag.
    EXPECT_EQ(offered("-q --table token --provider twilio tok"), (Words{"token"}));
    EXPECT_EQ(offered("--config=x.toml token cr"), (Words{"create"}));
}

TEST(CompleteWalker, OffersOptionsWhenTheWordStartsWithADash) {
    EXPECT_EQ(offered("--p"), (Words{"--provider"}));
    EXPECT_EQ(offered("-"),
              (Words{"-h", "--help", "--config", "--provider", "--table", "-q", "--quiet"}));
    // A subcommand's own options first, then the inherited ones; -h/--help once (its own).
    auto create = offered("token create -");
    EXPECT_EQ(std::count(create.begin(), create.end(), "--help"), 1);
    EXPECT_EQ(create.front(), "-h");
    for (const char* o : {"-i", "--identity", "--no-can-publish", "--provider", "-q"}) {
        EXPECT_NE(std::find(create.begin(), create.end(), o), create.end()) << o;
    }
    EXPECT_EQ(offered("token create --no-can-p"), (Words{"--no-can-publish"}));
    // A command that does not fall through accepts only its own.
    EXPECT_EQ(offered("isolated -"), (Words{"-h", "--help"}));
    // Options of a command are not offered as subcommands, nor subcommands for a dash.
    EXPECT_EQ(offered("-c"), Words{});
}

TEST(CompleteWalker, CompletesOptionValues) {
    EXPECT_EQ(offered("--provider "), (Words{"livekit", "twilio"}));
    EXPECT_EQ(offered("--provider tw"), (Words{"twilio"}));
    EXPECT_EQ(offered("cleanup --provider "), (Words{"livekit", "twilio"}));  // inherited
    EXPECT_EQ(offered("token inspect --for a"), (Words{"admin"}));
    // --opt=partial: each candidate replaces the whole word.
    EXPECT_EQ(offered("--provider=tw"), (Words{"--provider=twilio"}));
    EXPECT_EQ(offered("token create --provider="),
              (Words{"--provider=livekit", "--provider=twilio"}));
    // A value that looks like an option is still the value.
    EXPECT_EQ(offered("--provider -"), Words{});
    // Free text: nothing, and no file names either.
    bool files = true;
    EXPECT_EQ(offered("--table ", &files), Words{});
    EXPECT_FALSE(files);
    EXPECT_EQ(offered("token create -i ", &files), Words{});
    EXPECT_FALSE(files);
    // An option unknown where it is typed takes no value: `isolated` does not inherit --provider.
    EXPECT_EQ(offered("isolated --provider ", &files), Words{});
    EXPECT_EQ(offered("--nope=x"), Words{});
}

TEST(CompleteWalker, AsksForFileNamesForPathValues) {
    bool files = false;
    EXPECT_EQ(offered("--config ", &files), Words{});
    EXPECT_TRUE(files);
    files = false;
    offered("token create --config=ro", &files);  // inherited, --opt=PATH
    EXPECT_TRUE(files);
    files = true;
    offered("--config x.toml ", &files);  // the value is done: the root's subcommands
    EXPECT_FALSE(files);
    EXPECT_EQ(render(complete(tree(), {"--config", ""})), ":file\n");
}

TEST(CompleteWalker, CompletesPositionalsByIndexAndAfterDoubleDash) {
    EXPECT_EQ(offered("completion "), (Words{"bash", "zsh", "fish"}));
    EXPECT_EQ(offered("completion z"), (Words{"zsh"}));
    EXPECT_EQ(offered("completion -q "), (Words{"bash", "zsh", "fish"}));
    EXPECT_EQ(offered("completion bash "), Words{});  // one positional only
    EXPECT_EQ(offered("completion -- "), (Words{"bash", "zsh", "fish"}));
    // After --, a dash starts no option and a command name enters no command.
    EXPECT_EQ(offered("completion -- -"), Words{});
    EXPECT_EQ(offered("-- tok"), Words{});
    EXPECT_EQ(offered("token inspect -- "), Words{});  // free text
}

TEST(CompleteWalker, RendersTheProtocol) {
    EXPECT_EQ(render(complete(tree(), {"token", ""})),
              "create\tMint an access token\ninspect\tDecode a token\n");
    EXPECT_EQ(render(complete(tree(), {"--provider", ""})), "livekit\ntwilio\n");
    EXPECT_EQ(render(complete(tree(), {"--table", ""})), "");
    // Descriptions are one line: no tab or newline can split a candidate.
    Completion c;
    c.candidates.push_back({"--x", "two\nlines\tand  tabs"});
    EXPECT_EQ(render(c), "--x\ttwo lines and tabs\n");
}

TEST(CompletionShim, EachShellGetsAShortShimThatAsksTheBinary) {
    for (auto shell : {Shell::bash, Shell::zsh, Shell::fish}) {
        auto s = completion_shim(shell, "roomctl");
        EXPECT_TRUE(contains(s, "command roomctl __complete ")) << s;
        EXPECT_TRUE(contains(s, ":file")) << s;
        EXPECT_TRUE(contains(s, "2>/dev/null")) << s;
        EXPECT_LT(std::count(s.begin(), s.end(), '\n'), 40) << s;
        EXPECT_EQ(s.back(), '\n');
        EXPECT_EQ(s, completion_shim(shell, "roomctl"));
    }
    EXPECT_TRUE(contains(completion_shim(Shell::bash, "roomctl"), "complete -F _roomctl roomctl"));
    EXPECT_EQ(completion_shim(Shell::zsh, "roomctl").rfind("#compdef roomctl\n", 0), 0u);
    EXPECT_TRUE(contains(completion_shim(Shell::zsh, "roomctl"), "compdef _roomctl roomctl"));
    EXPECT_TRUE(contains(completion_shim(Shell::fish, "roomctl"),
                         "complete -c roomctl -f -a '(__roomctl_complete)'"));
    // Function names are made of the program's name.
    EXPECT_TRUE(
        contains(completion_shim(Shell::bash, "room-ctl"), "complete -F _room_ctl room-ctl"));
}

TEST(CompletionShim, RefusesAProgramNameAShellWouldSplit) {
    for (const char* bad : {"", "room ctl", "a;b", "-x", "$(x)"}) {
        EXPECT_THROW(completion_shim(Shell::bash, bad), std::invalid_argument) << bad;
    }
}

TEST(CompletionShim, ShellNamesAndFiles) {
    EXPECT_EQ(parse_shell("zsh"), Shell::zsh);
    EXPECT_FALSE(parse_shell("tcsh"));
    EXPECT_EQ(shell_name(Shell::fish), "fish");
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
            EXPECT_TRUE(line.size() >= 2 &&
                        (std::isalpha(static_cast<unsigned char>(line[1])) || line[1] == '\\'))
                << line;
        }
        start = end + 1;
    }
}

}  // namespace
}  // namespace roomctl::cli::gen
