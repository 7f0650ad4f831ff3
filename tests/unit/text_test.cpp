// util/text.hpp: the shared text helpers, byte for byte as their callers rely on them.
#include "roomctl/util/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roomctl::text {
namespace {

using Lines = std::vector<std::string>;

TEST(Text, LowerChangesAsciiLettersOnly) {
    EXPECT_EQ(lower("LocalHost"), "localhost");
    EXPECT_EQ(lower("POSTGRESQL://U@H"), "postgresql://u@h");
    EXPECT_EQ(lower("\xC3\x84RGER 1-2_x"), "\xC3\x84rger 1-2_x");  // "Ärger": UTF-8 untouched
    EXPECT_EQ(lower(""), "");
}

TEST(Text, TrimRemovesEveryAsciiWhitespaceAtBothEnds) {
    EXPECT_EQ(trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(trim("\v\fx\f\v"), "x");
    EXPECT_EQ(trim(" \t\n "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("a\n b"), "a\n b");  // inside stays
}

TEST(Text, LinesOfKeepsEveryLineAsItIs) {
    EXPECT_EQ(lines_of(""), Lines{""});
    EXPECT_EQ(lines_of("a"), Lines{"a"});
    EXPECT_EQ(lines_of("a\n"), (Lines{"a", ""}));
    EXPECT_EQ(lines_of("a\r\n\n  b "), (Lines{"a\r", "", "  b "}));
    EXPECT_EQ(lines_of("\n"), (Lines{"", ""}));
}

TEST(Text, FirstLineStopsAtTheFirstNewlineAndCutsLongLines) {
    EXPECT_EQ(first_line("one\ntwo"), "one");
    EXPECT_EQ(first_line("\nsecond"), "");
    EXPECT_EQ(first_line("no newline"), "no newline");
    EXPECT_EQ(first_line("abcdef", 6), "abcdef");
    EXPECT_EQ(first_line("abcdefg", 6), "abcdef...");
    EXPECT_EQ(first_line("abc\ndefghijk", 4), "abc");  // only the first line counts
    EXPECT_EQ(first_line(std::string(1000, 'x'), 600), std::string(600, 'x') + "...");
    EXPECT_EQ(first_line("a\rb\tc"), "a\rb\tc");  // other control bytes stay
}

TEST(Text, BlankControlsTurnsEveryControlByteIntoOneSpace) {
    EXPECT_EQ(blank_controls("a\tb\rc\x1b[31md\x01"), "a b c [31md ");
    EXPECT_EQ(blank_controls("\x7f\xC3\xA9"), "\x7f\xC3\xA9");
    EXPECT_EQ(blank_controls(first_line("{\"msg\":\"x\ty\"}\nmore", 8)), "{\"msg\":\"...");
}

TEST(Text, EscapeControlsKeepsALineOneLineAndTerminalSafe) {
    EXPECT_EQ(escape_controls("room\nroomctl: error: forged"), "room\\nroomctl: error: forged");
    EXPECT_EQ(escape_controls("a\rb"), "a\\rb");
    EXPECT_EQ(escape_controls("\x1b[2Jx"), "\\x1b[2Jx");
    EXPECT_EQ(escape_controls(std::string{"nul\0end", 7}), "nul\\x00end");
    EXPECT_EQ(escape_controls("del\x7f"), "del\\x7f");
    EXPECT_EQ(escape_controls("tab\tstays \xC3\xA9"), "tab\tstays \xC3\xA9");
}

TEST(Text, OneLineFoldsWhitespaceRunsIntoSingleSpaces) {
    EXPECT_EQ(one_line("  Delete rooms\n  that no row\tclaims.\r\n"),
              "Delete rooms that no row claims.");
    EXPECT_EQ(one_line("a"), "a");
    EXPECT_EQ(one_line(" \n\t "), "");
    EXPECT_EQ(one_line("keep\x0bvertical"), "keep\x0bvertical");  // only ' ', \t, \r, \n fold
}

TEST(Text, IsSidWantsThePrefixAnd32HexDigits) {
    const std::string hex32 = "0123456789abcdefABCDEF0123456789";
    EXPECT_TRUE(is_sid("AC" + hex32, "AC"));
    EXPECT_TRUE(is_sid("RM" + hex32, "RM"));
    EXPECT_FALSE(is_sid("SK" + hex32, "AC"));                  // another prefix
    EXPECT_FALSE(is_sid("AC" + hex32.substr(1), "AC"));        // 33 characters
    EXPECT_FALSE(is_sid("AC" + hex32 + "0", "AC"));            // 35 characters
    EXPECT_FALSE(is_sid("AC" + hex32.substr(1) + "g", "AC"));  // not hex
    EXPECT_FALSE(is_sid("ac" + hex32, "AC"));                  // the prefix is case-sensitive
    EXPECT_FALSE(is_sid("RM_AbCdEfGhIjKl", "RM"));             // a LiveKit SID is not one
    EXPECT_FALSE(is_sid("", "AC"));
}

}  // namespace
}  // namespace roomctl::text
