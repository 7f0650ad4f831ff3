// "Did you mean ...?": the edit distance and which candidates are close enough to suggest.

#include "roomctl/util/suggest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roomctl {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
    EXPECT_EQ(edit_distance("audit", "audit"), 0u);
    EXPECT_EQ(edit_distance("audti", "audit"), 1u);  // a swap of neighbours is one edit
    EXPECT_EQ(edit_distance("audi", "audit"), 1u);
    EXPECT_EQ(edit_distance("auditt", "audit"), 1u);
    EXPECT_EQ(edit_distance("oudit", "audit"), 1u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

const std::vector<std::string> k_commands{"check",   "token",  "rooms",      "audit", "recreate",
                                          "cleanup", "config", "completion", "man",   "help"};

TEST(Suggestions, CloseCommandsOnly) {
    EXPECT_EQ(suggestions("audti", k_commands), (std::vector<std::string>{"audit"}));
    EXPECT_EQ(suggestions("confg", k_commands), (std::vector<std::string>{"config"}));
    EXPECT_EQ(suggestions("cleanpu", k_commands), (std::vector<std::string>{"cleanup"}));
    EXPECT_EQ(suggestions("recreat", k_commands), (std::vector<std::string>{"recreate"}));
    EXPECT_TRUE(suggestions("deploy", k_commands).empty());
    EXPECT_TRUE(suggestions("audit", k_commands).empty());  // not a typo
    EXPECT_TRUE(suggestions("", k_commands).empty());
}

TEST(Suggestions, FlagsIgnoreDashesAndTakePrefixes) {
    const std::vector<std::string> flags{"--json",    "-q",        "--quiet",
                                         "--dry-run", "--min-age", "--max-deletes"};
    EXPECT_EQ(suggestions("--jsno", flags), (std::vector<std::string>{"--json"}));
    EXPECT_EQ(suggestions("--quite", flags), (std::vector<std::string>{"--quiet"}));
    EXPECT_EQ(suggestions("--dry", flags), (std::vector<std::string>{"--dry-run"}));
    EXPECT_EQ(suggestions("--minage", flags), (std::vector<std::string>{"--min-age"}));
    EXPECT_TRUE(suggestions("--verbose", flags).empty());
}

TEST(Suggestions, BestFirst) {
    const std::vector<std::string> c{"lists", "list"};
    EXPECT_EQ(suggestions("lst", c), (std::vector<std::string>{"list"}));
    EXPECT_EQ(did_you_mean({"list", "lists", "last"}), "'list' or 'lists'");
    EXPECT_EQ(did_you_mean({}), "");
}

}  // namespace
}  // namespace roomctl
