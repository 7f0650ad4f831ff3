// Colour decisions (TTY, NO_COLOR, --no-color, TERM) and that nothing prints ANSI escapes
// when colour is off.

#include "roomctl/report/color.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "roomctl/report/printer.hpp"

namespace roomctl::report {
namespace {

TEST(ColorEnabled, OnlyOnATerminal) {
    EXPECT_TRUE(color_enabled(true, "", false, "xterm-256color"));
    EXPECT_TRUE(color_enabled(true, "", false, ""));  // TERM unset
    EXPECT_FALSE(color_enabled(false, "", false, "xterm-256color"));
}

TEST(ColorEnabled, NoColorNonEmptyTurnsItOff) {
    EXPECT_FALSE(color_enabled(true, "1", false, "xterm"));
    EXPECT_FALSE(color_enabled(true, "0", false, "xterm"));  // any non-empty value
    EXPECT_TRUE(color_enabled(true, "", false, "xterm"));    // empty = unset (no-color.org)
}

TEST(ColorEnabled, FlagAndDumbTerminal) {
    EXPECT_FALSE(color_enabled(true, "", true, "xterm"));
    EXPECT_FALSE(color_enabled(true, "", false, "dumb"));
}

TEST(ColorEnabled, EveryCombinationNeedsAllFourConditions) {
    for (bool tty : {false, true})
        for (const char* no_color : {"", "1"})
            for (bool flag : {false, true})
                for (const char* term : {"", "xterm", "dumb"}) {
                    const bool expected =
                        tty && *no_color == '\0' && !flag && std::string{term} != "dumb";
                    EXPECT_EQ(color_enabled(tty, no_color, flag, term), expected)
                        << tty << " '" << no_color << "' " << flag << " " << term;
                }
}

TEST(Paint, OnlyWhenOn) {
    EXPECT_EQ(paint(false, "31", "x"), "x");
    EXPECT_EQ(paint(true, "31", "x"), "\x1b[31mx\x1b[0m");
}

TEST(PrinterColor, NoEscapesWhenColorIsOff) {
    std::ostringstream out, err;
    OutputOptions o;
    o.verbosity = 2;
    Printer p{out, err, o};
    p.status("status");
    p.warn("careful");
    p.error("broken");
    p.trace("> GET http://x");
    p.result(nlohmann::json::object(), "result\n");
    EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
    EXPECT_EQ(err.str().find('\x1b'), std::string::npos);
    EXPECT_EQ(err.str(), "status\nwarning: careful\nroomctl: error: broken\n> GET http://x\n");
}

TEST(PrinterColor, ErrorsRedWarningsYellowOnAColourStderr) {
    std::ostringstream out, err;
    OutputOptions o;
    o.err_color = true;
    Printer p{out, err, o};
    p.warn("careful");
    p.error("broken");
    p.status("plain");
    EXPECT_EQ(err.str(),
              "\x1b[33mwarning: careful\x1b[0m\n\x1b[31mroomctl: error: broken\x1b[0m\nplain\n");
    p.result(nlohmann::json::object(), "result\n");
    EXPECT_EQ(out.str(), "result\n");  // stdout decides for itself (color = false here)
}

}  // namespace
}  // namespace roomctl::report
