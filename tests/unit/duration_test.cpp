#include "roomctl/util/duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "roomctl/config/registry.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, UnitsAndBareSeconds) {
    EXPECT_EQ(parse_duration("90s"), 90s);
    EXPECT_EQ(parse_duration("10m"), 600s);
    EXPECT_EQ(parse_duration("6h"), 6h);
    EXPECT_EQ(parse_duration("1d"), 24h);
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("1d2h3m4s"), 1 * 86400s + 2h + 3min + 4s);
    EXPECT_EQ(parse_duration("600", BareNumber::seconds), 600s);  // the config file's form
    EXPECT_EQ(parse_duration("0"), 0s);
    EXPECT_EQ(parse_duration("0s"), 0s);
}

TEST(ParseDuration, RejectsBadInput) {
    for (const char* bad : {"", "-5m", "10x", "m", "1h30", "1.5h", " 10m", "10m ", "h1",
                            "99999999999", "9999999999999999999999s", "100000d", "2147483648"}) {
        try {
            parse_duration(bad);
            ADD_FAILURE() << "accepted \"" << bad << "\"";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
            EXPECT_NE(std::string{e.what()}.find(std::string{"\""} + bad + "\""), std::string::npos)
                << "message does not name the value: " << e.what();
        }
    }
}

TEST(ParseDuration, LargestAccepted) {
    EXPECT_EQ(parse_duration("2147483647", BareNumber::seconds), 2147483647s);
    EXPECT_EQ(parse_duration("24855d"), 24855 * 86400s);
}

// "--min-age 10": ten seconds or ten minutes? Refused, and the message says how to write it.
TEST(ParseDuration, BareNumberNeedsAUnit) {
    for (const char* bare : {"10", "600", "1"}) {
        try {
            parse_duration(bare);
            ADD_FAILURE() << "accepted \"" << bare << "\"";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            const std::string msg = e.what();
            EXPECT_NE(msg.find(std::string{"did you mean "} + bare + "m?"), std::string::npos)
                << msg;
            EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        }
    }
    EXPECT_EQ(parse_duration("0"), 0s);  // zero is zero in every unit
}

// Flags and environment variables go through the settings registry: a unit is required there
// too (a flag's mistake is a usage error, a variable's a configuration error, both naming it).
TEST(ParseDuration, RegistrySettingsNeedAUnitOutsideTheFile) {
    const auto& min_age = *config::find_setting("cleanup.min_age");
    EXPECT_EQ(
        std::get<std::chrono::milliseconds>(config::parse_text(min_age, "10m", "--min-age", true)),
        600s);
    for (bool is_flag : {true, false}) {
        try {
            config::parse_text(min_age, "10", is_flag ? "--min-age" : "ROOMCTL_MIN_AGE", is_flag);
            ADD_FAILURE() << "a bare 10 was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), is_flag ? ErrorKind::usage : ErrorKind::config);
            const std::string msg = e.what();
            EXPECT_NE(msg.find(is_flag ? "--min-age" : "ROOMCTL_MIN_AGE"), std::string::npos);
            EXPECT_NE(msg.find("did you mean 10m?"), std::string::npos) << msg;
        }
    }
}

TEST(ParseSecondsU32, NamesTheFlagAndNeedsAUnit) {
    EXPECT_EQ(parse_seconds_u32("5m", "--empty-timeout"), 300u);
    try {
        parse_seconds_u32("20", "--departure-timeout");
        ADD_FAILURE() << "accepted a bare number";
    } catch (const Error& e) {
        EXPECT_EQ(std::string{e.what()}.rfind("--departure-timeout: ", 0), 0u) << e.what();
        EXPECT_NE(std::string{e.what()}.find("did you mean 20m?"), std::string::npos);
    }
}

TEST(FormatDuration, Compact) {
    EXPECT_EQ(format_duration(0s), "0s");
    EXPECT_EQ(format_duration(45s), "45s");
    EXPECT_EQ(format_duration(60s), "1m");
    EXPECT_EQ(format_duration(90s), "1m30s");
    EXPECT_EQ(format_duration(600s), "10m");
    EXPECT_EQ(format_duration(3600s), "1h");
    EXPECT_EQ(format_duration(5400s), "1h30m");
    EXPECT_EQ(format_duration(86400s), "1d");
    EXPECT_EQ(format_duration(2 * 86400s + 3h), "2d3h");
    EXPECT_EQ(format_duration(-90s), "-1m30s");
}

TEST(FormatDuration, RoundTripsWholeUnits) {
    for (const char* text : {"45s", "10m", "1h30m", "6h", "1d", "2d3h"})
        EXPECT_EQ(format_duration(parse_duration(text)), text);
}

}  // namespace
}  // namespace roomctl
