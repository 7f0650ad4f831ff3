// require_media_server, require_livekit_url and require_database (config/requirements.cpp):
// what commands need of the settings, and the URL checks behind them.

#include <gtest/gtest.h>

#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

using testing::contains;
using testing::media_failure;

// ---- require_* ----------------------------------------------------------------------------

Settings complete_settings() {
    Settings s;
    s.livekit.url = "http://127.0.0.1:7880";
    s.livekit.api_key = "APIkey";
    s.livekit.api_secret = "secret";
    return s;
}

TEST(RequireMediaServer, AcceptsValidUrls) {
    for (const char* url : {"http://127.0.0.1:7880", "https://lk.example.com",
                            "ws://localhost:7880/", "wss://lk.example.com/base/path",
                            "HTTPS://Host", "http://[::1]:7880", "https://my_host"}) {
        auto s = complete_settings();
        s.livekit.url = url;
        EXPECT_NO_THROW(require_media_server(s)) << url;
    }
}

TEST(RequireMediaServer, MissingUrl) {
    auto s = complete_settings();
    s.livekit.url.clear();
    EXPECT_EQ(media_failure(s),
              "no LiveKit URL configured: set LIVEKIT_URL, --url, or [livekit] url in the config "
              "file");
}

TEST(RequireMediaServer, MalformedUrls) {
    for (const char* url :
         {"htp://x", "localhost:7880", "http://", "ftp://host", "http://:7880",
          "http://host:", "http://host:99999", "http://host:0", "http://host:80x", "http://ho st",
          "http://host/?q=1", "//host", "http://[::1", "http://host#frag"}) {
        auto s = complete_settings();
        s.livekit.url = url;
        const auto msg = media_failure(s);
        EXPECT_TRUE(contains(msg, std::string{"malformed LiveKit URL \""} + url +
                                      "\": expected http(s):// or ws(s)://host[:port]"))
            << url << " -> " << msg;
    }
}

TEST(RequireMediaServer, MalformedUrlMessageHidesUserinfo) {
    auto s = complete_settings();
    s.livekit.url = "http://user:hunter2@host:7880";
    const auto msg = media_failure(s);
    EXPECT_TRUE(contains(msg, "malformed LiveKit URL")) << msg;
    EXPECT_FALSE(contains(msg, "hunter2")) << msg;
    EXPECT_FALSE(contains(msg, "user:")) << msg;
}

TEST(RequireMediaServer, MissingKeyAndSecret) {
    auto s = complete_settings();
    s.livekit.api_key.clear();
    EXPECT_TRUE(contains(media_failure(s), "LIVEKIT_API_KEY"));

    s = complete_settings();
    s.livekit.api_secret.clear();
    const auto msg = media_failure(s);
    EXPECT_TRUE(contains(msg, "LIVEKIT_API_SECRET")) << msg;
    EXPECT_TRUE(contains(msg, "api_secret_file")) << msg;
}

TEST(RequireDatabase, MissingAndPresent) {
    Settings s;
    try {
        require_database(s);
        ADD_FAILURE() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_EQ(std::string{e.what()},
                  "no database configured: set ROOMCTL_DATABASE_URL or DATABASE_URL (or libpq's "
                  "PGHOST/PGDATABASE), or [database] url in the config file");
    }
    s.database_url = "postgresql://localhost/app";
    EXPECT_NO_THROW(require_database(s));
}

// ---- describe, api_url, to_string -----------------------------------------------------------

}  // namespace
}  // namespace roomctl::config
