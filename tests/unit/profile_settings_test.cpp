// Config file profiles ([profiles.NAME]), the permission warning, and describe_settings /
// `config show` rendering (secrets redacted, origins named).

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/report/config_view.hpp"
#include "roomctl/util/error.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;
using namespace std::chrono_literals;

using testing::contains;

// Config files here are written 0600 unless a test says otherwise, so that only the tests of
// the permission warning see one.
class ProfileTest : public testing::SettingsFixture {
protected:
    std::string write(const std::string& name, const std::string& content,
                      fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
        return SettingsFixture::write(name, content, perms);
    }
};

const char* k_profiles = R"(
provider = "livekit"
[livekit]
url = "http://top:7880"
api_key = "APItop"
api_secret_file = "top.secret"
[rooms]
table = "top_rooms"
sid_column = "top_sid"
[http]
timeout = "20s"

[profiles.staging]
[profiles.staging.livekit]
url = "http://staging:7880"
api_secret = "staging-inline-secret"
[profiles.staging.rooms]
table = "staging.rooms"
[profiles.staging.http]
timeout = "45s"
[profiles.staging.cleanup]
min_age = "1h"

[profiles.tw]
provider = "twilio"
[profiles.tw.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_file = "tw.token"
)";

TEST_F(ProfileTest, NoProfileReadsOnlyTheTopLevel) {
    write("top.secret", "top-secret\n");
    flags.set("--config", write("c.toml", k_profiles));
    const auto s = resolve();
    EXPECT_EQ(s.profile, "");
    EXPECT_EQ(s.livekit.url, "http://top:7880");
    EXPECT_EQ(s.livekit.api_secret, "top-secret");
    EXPECT_EQ(s.rooms.table, "top_rooms");
    EXPECT_EQ(s.request_timeout, 20s);
    EXPECT_EQ(s.origins.at("profile").source, Source::default_value);
    EXPECT_EQ(s.origins.at("livekit.url").detail, *flags.get("--config"));
}

TEST_F(ProfileTest, ProfileOverridesTheTopLevelKeyByKey) {
    write("top.secret", "top-secret\n");
    const auto cfg = write("c.toml", k_profiles);
    flags.set("--config", cfg);
    flags.set("--profile", "staging");
    const auto s = resolve();
    EXPECT_EQ(s.profile, "staging");
    EXPECT_EQ(s.origins.at("profile").source, Source::flag);
    EXPECT_EQ(s.origins.at("profile").detail, "--profile");
    // from the profile
    EXPECT_EQ(s.livekit.url, "http://staging:7880");
    EXPECT_EQ(s.livekit.api_secret, "staging-inline-secret");  // inline beats the top's file
    EXPECT_EQ(s.rooms.table, "staging.rooms");
    EXPECT_EQ(s.request_timeout, 45s);
    EXPECT_EQ(s.min_age, 3600s);
    const std::string in_profile = cfg + " [profiles.staging]";
    for (const char* key : {"livekit.url", "livekit.api_secret", "rooms.table", "request_timeout",
                            "cleanup.min_age"}) {
        EXPECT_EQ(s.origins.at(key).source, Source::file) << key;
        EXPECT_EQ(s.origins.at(key).detail, in_profile) << key;
    }
    EXPECT_EQ(to_string(s.origins.at("livekit.url")), "file " + in_profile);
    // The profile sets a LiveKit credential, so the top level's key is not inherited: a
    // profile's credentials come as one set.
    EXPECT_EQ(s.livekit.api_key, "");
    EXPECT_EQ(s.origins.at("livekit.api_key").source, Source::default_value);
    // from the top level, untouched by the profile
    EXPECT_EQ(s.rooms.sid_column, "top_sid");
    EXPECT_EQ(s.origins.at("rooms.sid_column").detail, cfg);
    EXPECT_EQ(s.provider, Provider::livekit);
    EXPECT_EQ(s.origins.at("provider").detail, cfg);
}

TEST_F(ProfileTest, EnvAndFlagsStillBeatTheProfile) {
    write("top.secret", "top-secret\n");
    flags.set("--config", write("c.toml", k_profiles));
    env["ROOMCTL_PROFILE"] = "staging";
    env["LIVEKIT_URL"] = "http://env:7880";
    flags.set("--table", "flag_rooms");
    const auto s = resolve();
    EXPECT_EQ(s.profile, "staging");
    EXPECT_EQ(s.origins.at("profile").source, Source::env);
    EXPECT_EQ(s.origins.at("profile").detail, "ROOMCTL_PROFILE");
    EXPECT_EQ(s.livekit.url, "http://env:7880");
    EXPECT_EQ(s.origins.at("livekit.url").source, Source::env);
    EXPECT_EQ(s.rooms.table, "flag_rooms");
    EXPECT_EQ(s.origins.at("rooms.table").source, Source::flag);
    EXPECT_EQ(s.request_timeout, 45s);  // nothing above the profile for this one
}

TEST_F(ProfileTest, ProfileFlagBeatsProfileEnv) {
    write("top.secret", "top-secret\n");
    write("tw.token", "tw-token\n");
    flags.set("--config", write("c.toml", k_profiles));
    env["ROOMCTL_PROFILE"] = "staging";
    flags.set("--profile", "tw");
    const auto s = resolve();
    EXPECT_EQ(s.profile, "tw");
    EXPECT_EQ(s.provider, Provider::twilio);
    EXPECT_TRUE(contains(to_string(s.origins.at("provider")), "[profiles.tw]"));
    EXPECT_EQ(s.rooms.table, "top_rooms");  // the top level's mapping still applies
    EXPECT_EQ(s.twilio.auth_token, "tw-token");
    EXPECT_EQ(s.origins.at("twilio.auth_token").detail, *flags.get("--config") + " [profiles.tw]");
}

TEST_F(ProfileTest, UnknownProfileListsTheAvailableOnes) {
    write("top.secret", "top-secret\n");
    const auto cfg = write("c.toml", k_profiles);
    flags.set("--config", cfg);
    flags.set("--profile", "prod");
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "unknown profile \"prod\"")) << msg;
    EXPECT_TRUE(contains(msg, "flag --profile")) << msg;
    EXPECT_TRUE(contains(msg, cfg)) << msg;
    EXPECT_TRUE(contains(msg, "staging, tw")) << msg;
}

TEST_F(ProfileTest, UnknownProfileInAFileWithoutProfiles) {
    flags.set("--config", write("c.toml", "[livekit]\nurl = \"http://x\"\n"));
    env["ROOMCTL_PROFILE"] = "prod";
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "unknown profile \"prod\" (env ROOMCTL_PROFILE)")) << msg;
    EXPECT_TRUE(contains(msg, "defines no [profiles.NAME] sections")) << msg;
}

TEST_F(ProfileTest, ProfileWithoutAConfigFileIsAnError) {
    flags.set("--profile", "staging");
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "profile \"staging\"")) << msg;
    EXPECT_TRUE(contains(msg, "needs a config file")) << msg;
}

TEST_F(ProfileTest, DefaultConfigPathStillXdg) {
    env["XDG_CONFIG_HOME"] = (dir / "xdg").string();
    write("xdg/roomctl/config.toml",
          "[rooms]\ntable = \"top\"\n[profiles.p.rooms]\ntable = \"from_profile\"\n");
    env["ROOMCTL_PROFILE"] = "p";
    const auto s = resolve();
    EXPECT_EQ(s.config_path, (dir / "xdg" / "roomctl" / "config.toml").string());
    EXPECT_EQ(s.rooms.table, "from_profile");
}

TEST_F(ProfileTest, ProfileKeysAreValidatedLikeTheTopLevel) {
    flags.set("--config", write("c.toml", "[profiles.p.livekit]\napi_secert_file = \"x\"\n"));
    flags.set("--profile", "p");
    auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "unknown key livekit.api_secert_file")) << msg;
    EXPECT_TRUE(contains(msg, "[profiles.p] (line 2)")) << msg;

    flags.set("--config", write("d.toml", "[profiles.p.http]\ntimeout = 0\n"));
    msg = config_failure();
    EXPECT_TRUE(contains(msg, "http.timeout must be positive")) << msg;

    flags.set("--config", write("e.toml", "[profiles.p]\nurl = \"http://misplaced\"\n"));
    msg = config_failure();
    EXPECT_TRUE(contains(msg, "unknown key url")) << msg;

    flags.set("--config", write("f.toml", "[profiles.p.profiles.q]\n"));
    msg = config_failure();
    EXPECT_TRUE(contains(msg, "profiles cannot be nested")) << msg;

    flags.values.erase("--profile");
    flags.set("--config", write("g.toml", "profiles = 3\n"));
    msg = config_failure();
    EXPECT_TRUE(contains(msg, "profiles must be a table")) << msg;
}

TEST_F(ProfileTest, UnselectedProfilesAreNotRead) {
    // A broken profile nobody selected does not stop the others from working.
    flags.set("--config", write("c.toml",
                                "[profiles.broken.livekit]\napi_secret_file = \"/nonexistent\"\n"
                                "[profiles.ok.rooms]\ntable = \"t\"\n"));
    flags.set("--profile", "ok");
    EXPECT_EQ(resolve().rooms.table, "t");
}

TEST_F(ProfileTest, ProfileSecretFileReplacesTopLevelInlineSecret) {
    write("p.secret", "from-profile-file\n");
    flags.set(
        "--config",
        write("c.toml",
              "[livekit]\napi_secret = \"top-inline\"\n[profiles.p.livekit]\napi_secret_file = "
              "\"p.secret\"\n"));
    flags.set("--profile", "p");
    EXPECT_EQ(resolve().livekit.api_secret, "from-profile-file");
}

// ---- permission warning -----------------------------------------------------------------

constexpr auto k_0644 =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr auto k_0640 = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;

TEST_F(ProfileTest, WorldReadableFileWithASecretWarnsOnce) {
    const auto cfg = write("c.toml", "[livekit]\napi_secret = \"s3cret\"\n", k_0644);
    flags.set("--config", cfg);
    const auto s = resolve();
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0],
              "config file " + cfg + " is readable by others and holds a secret; chmod 600 " + cfg);
    EXPECT_FALSE(contains(s.warnings[0], "s3cret"));
}

TEST_F(ProfileTest, GroupReadableCountsToo) {
    flags.set("--config", write("c.toml", "[twilio]\nauth_token = \"tok\"\n", k_0640));
    EXPECT_EQ(resolve().warnings.size(), 1u);
}

TEST_F(ProfileTest, PrivateFileDoesNotWarn) {
    flags.set("--config", write("c.toml", "[livekit]\napi_secret = \"s3cret\"\n"));  // 0600
    EXPECT_TRUE(resolve().warnings.empty());
}

TEST_F(ProfileTest, ReadableFileWithoutSecretsDoesNotWarn) {
    write("lk.secret", "s\n");
    flags.set("--config", write("c.toml",
                                "[livekit]\nurl = \"http://x\"\napi_secret_file = \"lk.secret\"\n"
                                "[database]\nurl = \"postgresql://app@db/app\"\n",
                                k_0644));
    EXPECT_TRUE(resolve().warnings.empty());
}

TEST_F(ProfileTest, EachKindOfSecretCounts) {
    for (const char* body :
         {"[livekit]\napi_secret = \"x\"\n", "[twilio]\napi_secret = \"x\"\n",
          "[twilio]\nauth_token = \"x\"\n", "[database]\nurl = \"postgresql://u:pw@db/app\"\n",
          "[database]\nurl = \"host=db password=pw\"\n",
          // in a profile that is not even selected
          "[profiles.other.livekit]\napi_secret = \"x\"\n"}) {
        flags.set("--config", write("c.toml", body, k_0644));
        EXPECT_EQ(resolve().warnings.size(), 1u) << body;
    }
}

// ---- describe_settings / config show ----------------------------------------------------

TEST_F(ProfileTest, ConfigViewRedactsSecretsAndNamesOrigins) {
    const auto cfg = write("c.toml", R"(
[livekit]
api_secret = "lk-inline-secret"
[twilio]
api_secret = "tw-inline-secret"
auth_token = "tw-inline-token"
[database]
url = "postgresql://app:db-password@db/app"
[profiles.staging.rooms]
table = "staging.rooms"
)");
    flags.set("--config", cfg);
    flags.set("--profile", "staging");
    env["LIVEKIT_URL"] = "http://env:7880";
    flags.set("--api-key", "APIflag");
    const auto s = resolve();
    const auto doc = report::config_json(s);
    const auto text = report::render_config(s);
    const auto dumped = doc.dump();
    for (const char* secret :
         {"lk-inline-secret", "tw-inline-secret", "tw-inline-token", "db-password"}) {
        EXPECT_FALSE(contains(dumped, secret)) << secret;
        EXPECT_FALSE(contains(text, secret)) << secret;
    }
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["command"], "config show");
    EXPECT_EQ(doc["config_file"], cfg);
    EXPECT_EQ(doc["profile"], "staging");
    std::map<std::string, nlohmann::json> by_key;
    for (const auto& e : doc["settings"]) by_key[e["key"].get<std::string>()] = e;
    EXPECT_EQ(by_key["livekit.url"]["source"], "env");
    EXPECT_EQ(by_key["livekit.url"]["detail"], "LIVEKIT_URL");
    EXPECT_EQ(by_key["livekit.api_key"]["source"], "flag");
    EXPECT_EQ(by_key["livekit.api_key"]["detail"], "--api-key");
    EXPECT_EQ(by_key["livekit.api_secret"]["value"], "********");
    EXPECT_EQ(by_key["twilio.auth_token"]["value"], "********");
    EXPECT_EQ(by_key["database.url"]["value"], "postgresql://app:********@db/app");
    EXPECT_EQ(by_key["rooms.table"]["detail"], cfg + " [profiles.staging]");
    EXPECT_EQ(by_key["rooms.name_column"]["source"], "default");
    EXPECT_TRUE(by_key["ca_file"]["value"].is_null());
    EXPECT_EQ(by_key["profile"]["source"], "flag");
    EXPECT_TRUE(contains(text, "config file: " + cfg)) << text;
    EXPECT_TRUE(contains(text, "profile:     staging")) << text;
    EXPECT_TRUE(contains(text, "file " + cfg + " [profiles.staging]")) << text;
    EXPECT_TRUE(contains(text, "env LIVEKIT_URL")) << text;
}

TEST_F(ProfileTest, ConfigViewWithoutFileOrProfile) {
    const auto doc = report::config_json(resolve());
    EXPECT_TRUE(doc["config_file"].is_null());
    EXPECT_TRUE(doc["profile"].is_null());
}

}  // namespace
}  // namespace roomctl::config
