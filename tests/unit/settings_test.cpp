#include "roomctl/config/settings.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "roomctl/util/error.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

using testing::contains;
using testing::media_failure;

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;
using namespace std::chrono_literals;

class SettingsTest : public testing::SettingsFixture {};

// ---- defaults and precedence ----------------------------------------------------------

TEST_F(SettingsTest, DefaultsWithoutAnyInput) {
    const auto s = resolve();
    EXPECT_EQ(s.provider, Provider::livekit);
    EXPECT_EQ(s.livekit.url, "");
    EXPECT_EQ(s.rooms.table, "livekit_rooms");
    EXPECT_EQ(s.rooms.live_statuses, (std::vector<std::string>{"pending", "active"}));
    EXPECT_EQ(s.request_timeout, 10s);
    EXPECT_EQ(s.empty_timeout, 3600u);
    EXPECT_EQ(s.departure_timeout, 0u);
    EXPECT_EQ(s.min_age, 600s);
    EXPECT_EQ(s.config_path, "");
    for (const char* key :
         {"provider", "livekit.url", "livekit.api_key", "livekit.api_secret", "database.url",
          "rooms.table", "rooms.name_column", "rooms.sid_column", "rooms.status_column",
          "rooms.live_statuses", "request_timeout", "ca_file", "recreate.empty_timeout",
          "recreate.departure_timeout", "cleanup.min_age"}) {
        ASSERT_TRUE(s.origins.count(key)) << key;
        EXPECT_EQ(s.origins.at(key).source, Source::default_value) << key;
    }
}

TEST_F(SettingsTest, FlagBeatsEnvBeatsFileBeatsDefault) {
    const auto cfg = write("c.toml", R"(
[livekit]
url = "http://file:7880"
api_key = "FILEKEY"
[rooms]
table = "file.rooms"
)");
    flags.set("--config", cfg);

    // file only
    auto s = resolve();
    EXPECT_EQ(s.livekit.url, "http://file:7880");
    EXPECT_EQ(s.origins.at("livekit.url").source, Source::file);
    EXPECT_EQ(s.origins.at("livekit.url").detail, cfg);
    EXPECT_EQ(s.config_path, cfg);
    EXPECT_EQ(s.rooms.table, "file.rooms");
    EXPECT_EQ(s.origins.at("rooms.name_column").source, Source::default_value);

    // env beats file
    env["LIVEKIT_URL"] = "http://env:7880";
    s = resolve();
    EXPECT_EQ(s.livekit.url, "http://env:7880");
    EXPECT_EQ(s.origins.at("livekit.url").source, Source::env);
    EXPECT_EQ(s.origins.at("livekit.url").detail, "LIVEKIT_URL");
    EXPECT_EQ(s.livekit.api_key, "FILEKEY");
    EXPECT_EQ(s.origins.at("livekit.api_key").source, Source::file);

    // flag beats env
    flags.set("--url", "http://flag:7880");
    flags.set("--table", "flag_rooms");
    s = resolve();
    EXPECT_EQ(s.livekit.url, "http://flag:7880");
    EXPECT_EQ(s.origins.at("livekit.url").source, Source::flag);
    EXPECT_EQ(s.origins.at("livekit.url").detail, "--url");
    EXPECT_EQ(s.rooms.table, "flag_rooms");
    EXPECT_EQ(s.origins.at("rooms.table").detail, "--table");
}

TEST_F(SettingsTest, EmptyEnvValuesCountAsUnset) {
    const auto cfg = write("c.toml", "[livekit]\nurl = \"http://file\"\n");
    flags.set("--config", cfg);
    env["LIVEKIT_URL"] = "";
    env["ROOMCTL_PROVIDER"] = "";
    const auto s = resolve();
    EXPECT_EQ(s.livekit.url, "http://file");
    EXPECT_EQ(s.origins.at("livekit.url").source, Source::file);
    EXPECT_EQ(s.provider, Provider::livekit);
}

TEST_F(SettingsTest, RoomctlDatabaseUrlBeatsDatabaseUrl) {
    env["DATABASE_URL"] = "postgresql://generic/db";
    auto s = resolve();
    EXPECT_EQ(s.database_url, "postgresql://generic/db");
    EXPECT_EQ(s.origins.at("database.url").detail, "DATABASE_URL");

    env["ROOMCTL_DATABASE_URL"] = "postgresql://specific/db";
    s = resolve();
    EXPECT_EQ(s.database_url, "postgresql://specific/db");
    EXPECT_EQ(s.origins.at("database.url").source, Source::env);
    EXPECT_EQ(s.origins.at("database.url").detail, "ROOMCTL_DATABASE_URL");

    flags.set("--database-url", "postgresql://flag/db");
    s = resolve();
    EXPECT_EQ(s.database_url, "postgresql://flag/db");
    EXPECT_EQ(s.origins.at("database.url").source, Source::flag);
}

TEST_F(SettingsTest, LibpqVariablesAloneConfigureTheDatabase) {
    EXPECT_TRUE(resolve().database_url.empty());
    env["PGHOST"] = "db.internal";
    auto s = resolve();
    EXPECT_EQ(s.database_url, "postgresql://");  // libpq fills in the rest from PG*
    EXPECT_EQ(s.origins.at("database.url").detail, "PG* variables");
    env["DATABASE_URL"] = "postgresql://explicit/db";
    EXPECT_EQ(resolve().database_url, "postgresql://explicit/db");
}

TEST_F(SettingsTest, FullConfigFileIsRead) {
    const auto cfg = write("full.toml", R"(
provider = "livekit"
[livekit]
url = "wss://lk.example.com"
api_key = "APIabc"
api_secret = "inline-secret"
[database]
url = "postgresql://app@db/app"
[rooms]
table = "public.livekit_rooms"
name_column = "name"
sid_column = "sid"
status_column = "state"
live_statuses = ["open"]
[http]
timeout = "30s"
cacert = "/etc/ssl/ca.pem"
[recreate]
empty_timeout = "1h30m"
departure_timeout = 20
future_knob = true
[cleanup]
min_age = 3600
future_knob = "x"
[profiles.staging]
url = "http://elsewhere"
)");
    env["ROOMCTL_CONFIG"] = cfg;
    const auto s = resolve();
    EXPECT_EQ(s.config_path, cfg);
    EXPECT_EQ(s.livekit.url, "wss://lk.example.com");
    EXPECT_EQ(s.livekit.api_key, "APIabc");
    EXPECT_EQ(s.livekit.api_secret, "inline-secret");
    EXPECT_EQ(s.database_url, "postgresql://app@db/app");
    EXPECT_EQ(s.rooms.table, "public.livekit_rooms");
    EXPECT_EQ(s.rooms.name_column, "name");
    EXPECT_EQ(s.rooms.sid_column, "sid");
    EXPECT_EQ(s.rooms.status_column, "state");
    EXPECT_EQ(s.rooms.live_statuses, std::vector<std::string>{"open"});
    EXPECT_EQ(s.request_timeout, 30s);
    EXPECT_EQ(s.ca_file, "/etc/ssl/ca.pem");
    EXPECT_EQ(s.empty_timeout, 5400u);
    EXPECT_EQ(s.departure_timeout, 20u);
    EXPECT_EQ(s.min_age, 3600s);
    EXPECT_EQ(s.origins.at("cleanup.min_age").source, Source::file);
    EXPECT_EQ(s.origins.at("request_timeout").detail, cfg);
}

TEST_F(SettingsTest, ConfigFlagBeatsConfigEnv) {
    const auto a = write("a.toml", "[livekit]\nurl = \"http://a\"\n");
    const auto b = write("b.toml", "[livekit]\nurl = \"http://b\"\n");
    env["ROOMCTL_CONFIG"] = a;
    flags.set("--config", b);
    EXPECT_EQ(resolve().livekit.url, "http://b");
}

TEST_F(SettingsTest, XdgConfigFileIsUsedOnlyIfItExists) {
    env["XDG_CONFIG_HOME"] = (dir / "xdg").string();
    EXPECT_EQ(resolve().config_path, "");  // absent: fine

    const auto cfg = write("xdg/roomctl/config.toml", "[livekit]\napi_key = \"XDGKEY\"\n");
    const auto s = resolve();
    EXPECT_EQ(s.config_path, cfg);
    EXPECT_EQ(s.livekit.api_key, "XDGKEY");
}

TEST_F(SettingsTest, XdgDefaultsToHomeDotConfig) {
    const auto cfg =
        write("home/.config/roomctl/config.toml", "[livekit]\napi_key = \"HOMEKEY\"\n");
    const auto s = resolve();
    EXPECT_EQ(s.config_path, cfg);
    EXPECT_EQ(s.livekit.api_key, "HOMEKEY");
}

TEST_F(SettingsTest, ProviderFromEnvAndFlag) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    auto s = resolve();
    EXPECT_EQ(s.provider, Provider::twilio);
    EXPECT_EQ(s.origins.at("provider").detail, "ROOMCTL_PROVIDER");
    EXPECT_TRUE(contains(media_failure(s), "no Twilio Account SID configured"));

    flags.set("--provider", "livekit");
    s = resolve();
    EXPECT_EQ(s.provider, Provider::livekit);
    EXPECT_EQ(s.origins.at("provider").source, Source::flag);
}

constexpr const char* k_account = "AC0123456789abcdef0123456789abcdef";
constexpr const char* k_key = "SK0123456789abcdef0123456789abcdef";

TEST_F(SettingsTest, TwilioTakesTwilioCliEnvironmentAndSeed001Mapping) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    env["TWILIO_ACCOUNT_SID"] = k_account;
    env["TWILIO_API_KEY"] = k_key;
    env["TWILIO_API_SECRET"] = "key-secret";
    env["LIVEKIT_URL"] = "http://livekit.invalid";  // ignored for twilio
    auto s = resolve();
    EXPECT_EQ(s.twilio.account_sid, k_account);
    EXPECT_TRUE(s.twilio.uses_api_key());
    EXPECT_EQ(s.twilio.base_url, "https://video.twilio.com");
    EXPECT_EQ(s.rooms.table, "breakout_rooms");
    EXPECT_EQ(s.rooms.sid_column, "twilio_room_sid");
    EXPECT_EQ(s.rooms.status_column, "is_active");
    EXPECT_EQ(s.rooms.live_statuses, std::vector<std::string>{"true"});
    EXPECT_NO_THROW(require_media_server(s));
    for (const auto& line : describe(s)) EXPECT_FALSE(contains(line, "key-secret")) << line;
}

TEST_F(SettingsTest, TwilioAuthTokenAloneIsEnoughAndFlagsAddressTwilio) {
    flags.set("--provider", "twilio");
    flags.set("--url", "http://127.0.0.1:9999");
    env["TWILIO_ACCOUNT_SID"] = k_account;
    env["TWILIO_AUTH_TOKEN"] = "auth-token";
    auto s = resolve();
    EXPECT_FALSE(s.twilio.uses_api_key());
    EXPECT_EQ(s.twilio.base_url, "http://127.0.0.1:9999");
    EXPECT_TRUE(s.livekit.url.empty());
    EXPECT_NO_THROW(require_media_server(s));
}

TEST_F(SettingsTest, TwilioCredentialProblemsAreNamed) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    env["TWILIO_ACCOUNT_SID"] = "SK0123456789abcdef0123456789abcdef";
    EXPECT_TRUE(contains(media_failure(resolve()), "is not an AC SID"));
    env["TWILIO_ACCOUNT_SID"] = k_account;
    EXPECT_TRUE(contains(media_failure(resolve()), "no Twilio credentials configured"));
    env["TWILIO_API_KEY"] = k_key;
    EXPECT_TRUE(contains(media_failure(resolve()), "without its secret"));
    env["TWILIO_API_KEY"] = "APIdevkey";
    env["TWILIO_API_SECRET"] = "s";
    EXPECT_TRUE(contains(media_failure(resolve()), "is not an SK SID"));
}

TEST_F(SettingsTest, UnknownProviderIsConfigError) {
    env["ROOMCTL_PROVIDER"] = "jitsi";
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "jitsi")) << msg;
    EXPECT_TRUE(contains(msg, "ROOMCTL_PROVIDER")) << msg;
}

TEST_F(SettingsTest, CaFilePrecedenceAndRelativeResolution) {
    const auto cfg = write("conf/c.toml", "[http]\ncacert = \"ca.pem\"\n");
    flags.set("--config", cfg);
    auto s = resolve();
    EXPECT_EQ(fs::path{s.ca_file}, (dir / "conf" / "ca.pem").lexically_normal());

    env["ROOMCTL_CACERT"] = "/env/ca.pem";
    s = resolve();
    EXPECT_EQ(s.ca_file, "/env/ca.pem");
    EXPECT_EQ(s.origins.at("ca_file").detail, "ROOMCTL_CACERT");

    flags.set("--cacert", "/flag/ca.pem");
    s = resolve();
    EXPECT_EQ(s.ca_file, "/flag/ca.pem");
    EXPECT_EQ(s.origins.at("ca_file").detail, "--cacert");
}

TEST_F(SettingsTest, TimeoutFlagBeatsFile) {
    flags.set("--config", write("c.toml", "[http]\ntimeout = 5\n"));
    EXPECT_EQ(resolve().request_timeout, 5s);
    flags.set("--timeout", "1m30s");
    const auto s = resolve();
    EXPECT_EQ(s.request_timeout, 90s);
    EXPECT_EQ(s.origins.at("request_timeout").source, Source::flag);
    EXPECT_EQ(s.origins.at("request_timeout").detail, "--timeout");
}

// A malformed flag is the command line's fault (exit 2), even when the config file is wrong too.
TEST_F(SettingsTest, MalformedTimeoutFlagIsAUsageError) {
    flags.set("--config", write("c.toml", "[http]\ntimeout = \"x\"\n"));
    for (const char* bad : {"0", "0s", "soon", "-5s"}) {
        flags.set("--timeout", bad);
        try {
            resolve();
            ADD_FAILURE() << bad << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage) << bad << ": " << e.what();
            EXPECT_TRUE(contains(e.what(), "--timeout") || contains(e.what(), bad)) << e.what();
        }
    }
}

// ---- secrets ------------------------------------------------------------------------------

TEST_F(SettingsTest, SecretFileStripsOneTrailingNewline) {
    env["LIVEKIT_API_SECRET_FILE"] = write("secret", "s3cr3t\n");
    auto s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "s3cr3t");
    EXPECT_EQ(s.origins.at("livekit.api_secret").source, Source::env);
    EXPECT_EQ(s.origins.at("livekit.api_secret").detail, "LIVEKIT_API_SECRET_FILE");

    EXPECT_TRUE(s.warnings.empty());  // one final newline is the line end, not a note

    env["LIVEKIT_API_SECRET_FILE"] = write("secret-bare", "s3cr3t");
    s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "s3cr3t");
    EXPECT_TRUE(s.warnings.empty());
}
// (Whitespace beyond one final newline: credential_safety_test.cpp.)

TEST_F(SettingsTest, SecretPrecedence) {
    const auto cfg_secret_file = write("conf/lk.secret", "from-config-file\n");
    (void)cfg_secret_file;
    flags.set("--config",
              write("conf/c.toml",
                    "[livekit]\napi_secret = \"inline\"\napi_secret_file = \"lk.secret\"\n"));
    // file api_secret_file beats file api_secret; relative path resolves against conf/
    auto s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "from-config-file");
    EXPECT_EQ(s.origins.at("livekit.api_secret").source, Source::file);

    env["LIVEKIT_API_SECRET_FILE"] = write("env.secret", "from-env-file\n");
    EXPECT_EQ(resolve().livekit.api_secret, "from-env-file");

    env["LIVEKIT_API_SECRET"] = "from-env";
    s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "from-env");
    EXPECT_EQ(s.origins.at("livekit.api_secret").detail, "LIVEKIT_API_SECRET");

    flags.set("--api-secret-file", write("flag.secret", "from-flag-file\n"));
    s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "from-flag-file");
    EXPECT_EQ(s.origins.at("livekit.api_secret").source, Source::flag);
    EXPECT_EQ(s.origins.at("livekit.api_secret").detail, "--api-secret-file");
}

TEST_F(SettingsTest, InlineSecretInConfigFileIsUsedLast) {
    flags.set("--config", write("c.toml", "[livekit]\napi_secret = \"inline\"\n"));
    const auto s = resolve();
    EXPECT_EQ(s.livekit.api_secret, "inline");
    EXPECT_EQ(s.origins.at("livekit.api_secret").source, Source::file);
}

TEST_F(SettingsTest, RelativeSecretFileResolvesAgainstConfigDir) {
    write("etc/roomctl/secrets/lk", "rel-secret\n");
    flags.set("--config",
              write("etc/roomctl/config.toml", "[livekit]\napi_secret_file = \"secrets/lk\"\n"));
    EXPECT_EQ(resolve().livekit.api_secret, "rel-secret");
}

TEST_F(SettingsTest, LosingSecretFileIsNotRead) {
    env["LIVEKIT_API_SECRET"] = "env-secret";
    env["LIVEKIT_API_SECRET_FILE"] = (dir / "missing").string();
    EXPECT_EQ(resolve().livekit.api_secret, "env-secret");
}

TEST_F(SettingsTest, UnreadableSecretFileNamesPath) {
    const auto missing = (dir / "no-such-secret").string();
    flags.set("--api-secret-file", missing);
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, missing)) << msg;
    EXPECT_TRUE(contains(msg, "--api-secret-file")) << msg;
}

TEST_F(SettingsTest, EmptySecretFileIsConfigError) {
    const auto p = write("empty.secret", "\n");
    env["LIVEKIT_API_SECRET_FILE"] = p;
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, p)) << msg;
    EXPECT_TRUE(contains(msg, "empty")) << msg;
}

// ---- config file errors -----------------------------------------------------------------

TEST_F(SettingsTest, NonTomlFileIsConfigErrorWithPath) {
    const auto cfg = write("bad.toml", "this is = = not toml\n");
    flags.set("--config", cfg);
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "config file " + cfg + " is not valid TOML")) << msg;
    EXPECT_TRUE(contains(msg, "line 1")) << msg;
}

TEST_F(SettingsTest, MissingExplicitConfigFile) {
    const auto missing = (dir / "nope.toml").string();
    flags.set("--config", missing);
    auto msg = config_failure();
    EXPECT_TRUE(contains(msg, missing)) << msg;
    EXPECT_TRUE(contains(msg, "--config")) << msg;

    flags.values.erase("--config");
    env["ROOMCTL_CONFIG"] = missing;
    msg = config_failure();
    EXPECT_TRUE(contains(msg, missing)) << msg;
    EXPECT_TRUE(contains(msg, "ROOMCTL_CONFIG")) << msg;
}

struct WrongType {
    const char* toml;
    const char* expected;
};

class SettingsWrongTypeTest : public SettingsTest,
                              public ::testing::WithParamInterface<WrongType> {};

TEST_P(SettingsWrongTypeTest, NamesKeyAndFile) {
    const auto cfg = write("t.toml", GetParam().toml);
    flags.set("--config", cfg);
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, GetParam().expected)) << msg;
    EXPECT_TRUE(contains(msg, cfg)) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SettingsWrongTypeTest,
    ::testing::Values(
        WrongType{"[rooms]\nlive_statuses = \"active\"\n",
                  "rooms.live_statuses must be a list of strings in"},
        WrongType{"[rooms]\nlive_statuses = [\"active\", 3]\n",
                  "rooms.live_statuses must be a list of strings in"},
        WrongType{"[livekit]\nurl = 7880\n", "livekit.url must be a string in"},
        WrongType{"provider = true\n", "provider must be a string in"},
        WrongType{"[database]\nurl = [\"x\"]\n", "database.url must be a string in"},
        WrongType{"livekit = \"http://x\"\n", "livekit must be a table"},
        WrongType{"[http]\ntimeout = \"10x\"\n", "http.timeout"},
        WrongType{"[http]\ntimeout = 0\n", "http.timeout must be positive"},
        WrongType{"[recreate]\nempty_timeout = -1\n",
                  "recreate.empty_timeout must not be negative"},
        WrongType{"[recreate]\ndeparture_timeout = 1.5\n",
                  "recreate.departure_timeout must be a duration"},
        WrongType{"[cleanup]\nmin_age = \"-5m\"\n", "cleanup.min_age"},
        WrongType{"[livekit]\napi_secert_file = \"x\"\n", "unknown key livekit.api_secert_file"},
        WrongType{"[rooms]\ntabel = \"x\"\n", "unknown key rooms.tabel"},
        WrongType{"[http]\nproxy = \"x\"\n", "unknown key http.proxy"},
        WrongType{"url = \"http://x\"\n", "unknown key url"},
        WrongType{"[rooms]\ntable = \"\"\n", "rooms.table must not be empty"},
        WrongType{"[rooms]\nlive_statuses = []\n", "rooms.live_statuses must list at least one"}));

// require_media_server and require_database: requirements_test.cpp.

TEST_F(SettingsTest, DescribeNeverShowsSecrets) {
    env["LIVEKIT_URL"] = "http://127.0.0.1:7880";
    env["LIVEKIT_API_KEY"] = "APIvisible";
    env["LIVEKIT_API_SECRET"] = "topsecretvalue";
    env["DATABASE_URL"] = "postgresql://app:dbpassw0rd@db:5432/app";
    const auto lines = describe(resolve());
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    EXPECT_FALSE(contains(all, "topsecretvalue")) << all;
    EXPECT_FALSE(contains(all, "dbpassw0rd")) << all;
    EXPECT_TRUE(contains(all, "livekit.url = http://127.0.0.1:7880 (env LIVEKIT_URL)")) << all;
    EXPECT_TRUE(contains(all, "livekit.api_key = APIvisible (env LIVEKIT_API_KEY)")) << all;
    EXPECT_TRUE(contains(all, "livekit.api_secret = ******** (env LIVEKIT_API_SECRET)")) << all;
    EXPECT_TRUE(
        contains(all, "database.url = postgresql://app:********@db:5432/app (env DATABASE_URL)"))
        << all;
    EXPECT_TRUE(contains(all, "rooms.live_statuses = pending, active (default)")) << all;
    EXPECT_TRUE(contains(all, "cleanup.min_age = 10m (default)")) << all;
}

TEST_F(SettingsTest, DescribeHidesConninfoPasswordAndUrlUserinfo) {
    env["DATABASE_URL"] = "host=db dbname=app password=connpw";
    env["LIVEKIT_URL"] = "http://key:urlpw@host";
    std::string all;
    for (const auto& l : describe(resolve())) all += l + "\n";
    EXPECT_FALSE(contains(all, "connpw")) << all;
    EXPECT_FALSE(contains(all, "urlpw")) << all;
}

TEST(ApiUrl, Conversions) {
    auto conv = [](const char* url) { return api_url(LiveKitSettings{url, "", ""}); };
    EXPECT_EQ(conv("ws://localhost:7880"), "http://localhost:7880");
    EXPECT_EQ(conv("wss://lk.example.com/"), "https://lk.example.com");
    EXPECT_EQ(conv("WSS://lk.example.com"), "https://lk.example.com");
    EXPECT_EQ(conv("http://127.0.0.1:7880/"), "http://127.0.0.1:7880");
    EXPECT_EQ(conv("https://lk.example.com/base//"), "https://lk.example.com/base");
    EXPECT_EQ(conv("https://lk.example.com"), "https://lk.example.com");
}

TEST(SourceToString, Names) {
    EXPECT_EQ(to_string(Source::default_value), "default");
    EXPECT_EQ(to_string(Source::file), "file");
    EXPECT_EQ(to_string(Source::env), "env");
    EXPECT_EQ(to_string(Source::flag), "flag");
    EXPECT_EQ(to_string(Origin{Source::env, "LIVEKIT_URL"}), "env LIVEKIT_URL");
    EXPECT_EQ(to_string(Origin{}), "default");
}

TEST(ProcessEnvironment, SeesProcessVariables) {
    ::setenv("ROOMCTL_SETTINGS_TEST_VAR", "a=b", 1);
    const auto env = process_environment();
    ::unsetenv("ROOMCTL_SETTINGS_TEST_VAR");
    ASSERT_TRUE(env.count("ROOMCTL_SETTINGS_TEST_VAR"));
    EXPECT_EQ(env.at("ROOMCTL_SETTINGS_TEST_VAR"), "a=b");
}

}  // namespace
}  // namespace roomctl::config
