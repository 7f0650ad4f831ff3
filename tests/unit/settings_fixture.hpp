#pragma once
// The fixture of the settings tests: a fresh directory per test, removed afterwards, with HOME
// pointing into it so that a real ~/.config/roomctl/config.toml of whoever runs the tests is
// never read; helpers to write config files and to resolve settings from flags and env.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::config::testing {

namespace fs = std::filesystem;

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Runs require_media_server expecting Error(config); returns its message.
inline std::string media_failure(const Settings& s) {
    try {
        require_media_server(s);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "require_media_server did not throw";
    return {};
}

class SettingsFixture : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        std::random_device rd;
        dir = fs::temp_directory_path() /
              ("roomctl-settings-" + std::to_string(rd()) + "-" + std::to_string(++counter));
        fs::create_directories(dir);
        env["HOME"] = (dir / "home").string();
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // Writes `content` to `name` under the test directory with `perms`; 0644 by default,
    // whatever the umask, since roomctl refuses group- or world-writable files.
    std::string write(const std::string& name, const std::string& content,
                      std::optional<fs::perms> perms = std::nullopt) {
        if (!perms)
            perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                    fs::perms::others_read;
        const auto p = dir / name;
        fs::create_directories(p.parent_path());
        {
            std::ofstream out(p, std::ios::binary);
            out << content;
        }
        if (perms) fs::permissions(p, *perms);
        return p.string();
    }

    Settings resolve() { return resolve_settings(flags, env); }

    // Runs resolve() expecting Error(config); returns its message.
    std::string config_failure() {
        try {
            resolve();
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::config) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "resolve_settings did not throw";
        return {};
    }

    fs::path dir;
    std::map<std::string, std::string> env;
    FlagValues flags;
};

}  // namespace roomctl::config::testing
