// Issue 12's settings rules (settings.hpp states them): credentials come as one set from one
// layer, files others could write are refused, no credential over plain http to another
// machine, secret files with stray whitespace are noted, and only the provider in use has its
// secret files read.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/report/config_view.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/url.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::media_failure;

const std::string k_account = "AC0123456789abcdef0123456789abcdef";
const std::string k_prod_account = "ACffffffffffffffffffffffffffffffff";
const std::string k_key = "SKfedcba9876543210fedcba9876543210";

class CredentialSafetyTest : public testing::SettingsFixture {};

// ---- a profile replaces the provider's whole credential set --------------------------------

// The issue's case: staging's key at the top level, prod's account and Auth Token in the profile.
const char* k_staging_and_prod = R"(
provider = "twilio"
[twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
api_key = "SKfedcba9876543210fedcba9876543210"
api_secret_file = "staging.secret"
base_url = "https://video.example.com"

[profiles.prod.twilio]
account_sid = "ACffffffffffffffffffffffffffffffff"
auth_token_file = "prod.token"
)";

TEST_F(CredentialSafetyTest, AProfileAccountDoesNotInheritTheTopLevelKey) {
    write("staging.secret", "staging-secret\n");
    write("prod.token", "prod-token\n");
    const auto cfg = write("c.toml", k_staging_and_prod);
    flags.set("--config", cfg);
    flags.set("--profile", "prod");
    const auto s = resolve();
    EXPECT_EQ(s.twilio.account_sid, k_prod_account);
    EXPECT_EQ(s.twilio.auth_token, "prod-token");
    EXPECT_EQ(s.twilio.api_key, "");     // staging's key is not inherited
    EXPECT_EQ(s.twilio.api_secret, "");  // nor its secret
    EXPECT_FALSE(s.twilio.uses_api_key());
    EXPECT_EQ(s.origins.at("twilio.auth_token").detail, cfg + " [profiles.prod]");
    EXPECT_EQ(s.twilio.base_url, "https://video.example.com");  // not a credential: inherited
    EXPECT_NO_THROW(require_media_server(s));
    EXPECT_EQ(credential_conflict(s), "");

    flags.values.erase("--profile");  // without the profile, the top level's set is used as a whole
    const auto top = resolve();
    EXPECT_EQ(top.twilio.account_sid, k_account);
    EXPECT_EQ(top.twilio.api_secret, "staging-secret");
}

TEST_F(CredentialSafetyTest, AProfileLiveKitKeyDoesNotInheritTheTopLevelSecret) {
    write("top.secret", "top-secret\n");
    flags.set("--config", write("c.toml", R"(
[livekit]
url = "https://lk.example.com"
api_key = "APItop"
api_secret_file = "top.secret"
[profiles.p.livekit]
api_key = "APIprofile"
[profiles.urlonly.livekit]
url = "https://other.example.com"
)"));
    flags.set("--profile", "p");
    auto s = resolve();
    EXPECT_EQ(s.livekit.api_key, "APIprofile");
    EXPECT_EQ(s.livekit.api_secret, "");
    EXPECT_TRUE(contains(media_failure(s), "no LiveKit API secret configured"));

    flags.set("--profile", "urlonly");  // a profile without credentials keeps the top level's set
    s = resolve();
    EXPECT_EQ(s.livekit.api_key, "APItop");
    EXPECT_EQ(s.livekit.api_secret, "top-secret");
    EXPECT_NO_THROW(require_media_server(s));
}

// ---- one layer per Twilio account -------------------------------------------------------------

TEST_F(CredentialSafetyTest, AnAuthTokenInTheEnvironmentWithAProfileKeyIsRefused) {
    write("prod.secret", "prod-secret\n");
    const auto cfg = write("c.toml", R"(
provider = "twilio"
[profiles.prod.twilio]
account_sid = "ACffffffffffffffffffffffffffffffff"
api_key = "SKfedcba9876543210fedcba9876543210"
api_secret_file = "prod.secret"
)");
    flags.set("--config", cfg);
    flags.set("--profile", "prod");
    env["TWILIO_AUTH_TOKEN"] = "env-token";
    const auto s = resolve();  // resolving works: config show can still show where each came from
    const auto msg = media_failure(s);
    EXPECT_EQ(msg, "Twilio credentials come from two places: twilio.account_sid from file " + cfg +
                       " [profiles.prod] but twilio.auth_token from env TWILIO_AUTH_TOKEN; set the "
                       "Account SID with its API key or Auth Token in one place (one profile, the "
                       "environment or flags) and remove the other");
    EXPECT_EQ(credential_conflict(s), msg);
    EXPECT_FALSE(contains(msg, "env-token"));
    const auto doc = report::config_json(s);
    EXPECT_EQ(doc["credential_conflict"], msg);
    EXPECT_TRUE(contains(report::render_config(s), "refused: " + msg));
}

TEST_F(CredentialSafetyTest, TopLevelAndProfileAreDifferentLayers) {
    write("prod.token", "prod-token\n");
    const auto cfg = write("c.toml", R"(
provider = "twilio"
[twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
[profiles.prod.twilio]
auth_token_file = "prod.token"
)");
    flags.set("--config", cfg);
    flags.set("--profile", "prod");
    // The profile sets a credential, so the top level's account is not inherited at all.
    const auto s = resolve();
    EXPECT_EQ(s.twilio.account_sid, "");
    EXPECT_TRUE(contains(media_failure(s), "no Twilio Account SID configured"));
    // The account from the environment with the profile's token: two layers.
    env["TWILIO_ACCOUNT_SID"] = k_account;
    const auto msg = media_failure(resolve());
    EXPECT_TRUE(contains(msg,
                         "twilio.account_sid from env TWILIO_ACCOUNT_SID but "
                         "twilio.auth_token from file " +
                             cfg + " [profiles.prod]"))
        << msg;
}

TEST_F(CredentialSafetyTest, AFlagAccountWithAnEnvironmentKeyIsRefused) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    env["TWILIO_ACCOUNT_SID"] = k_account;
    env["TWILIO_API_KEY"] = k_key;
    env["TWILIO_API_SECRET"] = "secret";
    EXPECT_NO_THROW(require_media_server(resolve()));  // one layer: fine

    flags.set("--account-sid", k_prod_account);
    const auto msg = media_failure(resolve());
    EXPECT_TRUE(contains(msg,
                         "twilio.account_sid from flag --account-sid but twilio.api_key "
                         "from env TWILIO_API_KEY"))
        << msg;
}

TEST_F(CredentialSafetyTest, TheSecretMayComeFromAnotherLayerThanItsKey) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    env["TWILIO_ACCOUNT_SID"] = k_account;
    env["TWILIO_API_KEY"] = k_key;
    flags.set("--api-secret-file", write("s", "secret\n"));
    const auto s = resolve();
    EXPECT_EQ(s.origins.at("twilio.api_secret").source, Source::flag);
    EXPECT_NO_THROW(require_media_server(s));
}

TEST_F(CredentialSafetyTest, LiveKitCommandsIgnoreMixedTwilioCredentials) {
    env["TWILIO_ACCOUNT_SID"] = k_account;
    flags.set("--config", write("c.toml", "[twilio]\nauth_token = \"t\"\n",
                                fs::perms::owner_read | fs::perms::owner_write));
    env["LIVEKIT_URL"] = "https://lk.example.com";
    env["LIVEKIT_API_KEY"] = "APIkey";
    env["LIVEKIT_API_SECRET"] = "secret";
    const auto s = resolve();
    EXPECT_EQ(credential_conflict(s), "");
    EXPECT_NO_THROW(require_media_server(s));
}

// ---- files others could write -----------------------------------------------------------------

TEST_F(CredentialSafetyTest, AGroupOrWorldWritableConfigFileIsRefused) {
    const auto cfg = write("c.toml", "[rooms]\ntable = \"t\"\n");
    flags.set("--config", cfg);
    EXPECT_NO_THROW(resolve());  // 0644
    fs::permissions(cfg, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::group_write | fs::perms::others_read);
    EXPECT_EQ(config_failure(), "config file " + cfg +
                                    " is writable by its group, so someone else could redirect "
                                    "roomctl's credentials: chmod go-w " +
                                    cfg);
    fs::permissions(cfg, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
    EXPECT_EQ(config_failure(), "config file " + cfg +
                                    " is writable by others, so someone else could redirect "
                                    "roomctl's credentials: chmod go-w " +
                                    cfg);
    // Found by ROOMCTL_CONFIG or as the XDG default: the same.
    flags.values.erase("--config");
    env["ROOMCTL_CONFIG"] = cfg;
    EXPECT_TRUE(contains(config_failure(), "chmod go-w"));
    env.erase("ROOMCTL_CONFIG");
    const auto xdg = write("home/.config/roomctl/config.toml", "",
                           fs::perms::owner_all | fs::perms::others_write);
    EXPECT_TRUE(contains(config_failure(), "config file " + xdg + " is writable by others"));
}

TEST_F(CredentialSafetyTest, ASymlinkToAWritableConfigFileIsRefused) {
    const auto target = write("real.toml", "", fs::perms::owner_all | fs::perms::others_write);
    fs::create_symlink(target, dir / "link.toml");
    flags.set("--config", (dir / "link.toml").string());
    EXPECT_TRUE(contains(config_failure(), "is writable by others")) << config_failure();
}

TEST_F(CredentialSafetyTest, AConfigFileOwnedByAnotherUserIsRefused) {
    const auto cfg = write("c.toml", "[rooms]\ntable = \"t\"\n");
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
    ASSERT_EQ(::chown(cfg.c_str(), 4242, 4242), 0);
    flags.set("--config", cfg);
    EXPECT_EQ(config_failure(),
              "config file " + cfg +
                  " is owned by uid 4242, not by you (uid 0) or root, so someone else decides "
                  "roomctl's credentials: chown 0 " +
                  cfg + " (or use a copy of your own)");
    ASSERT_EQ(::chown(cfg.c_str(), 0, 4242), 0);  // root-owned: fine, as for ssh
    EXPECT_NO_THROW(resolve());
}

TEST_F(CredentialSafetyTest, AWritableSecretFileIsRefused) {
    const auto secret = write(
        "s", "secret\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
    env["LIVEKIT_API_SECRET_FILE"] = secret;
    EXPECT_EQ(config_failure(), "secret file " + secret +
                                    " is writable by its group, so someone else could redirect "
                                    "roomctl's credentials: chmod go-w " +
                                    secret);
    env.erase("LIVEKIT_API_SECRET_FILE");
    flags.set("--config", write("c.toml", "[livekit]\napi_secret_file = \"s\"\n"));
    EXPECT_TRUE(contains(config_failure(), "secret file " + secret + " is writable"));
}

// ---- no credential over plain http to another machine ------------------------------------------

Settings livekit_at(const std::string& url) {
    Settings s;
    s.livekit.url = url;
    s.livekit.api_key = "APIkey";
    s.livekit.api_secret = "secret";
    s.origins["livekit.url"] = Origin{Source::env, "LIVEKIT_URL"};
    return s;
}

TEST(PlainHttp, LoopbackHostsMayUsePlainHttp) {
    for (const char* url : {"http://127.0.0.1:7880", "http://127.1.2.3", "ws://localhost:7880",
                            "http://LOCALHOST", "http://[::1]:7880/", "https://lk.example.com",
                            "wss://lk.example.com", "http://127.0.0.255:80/base"}) {
        EXPECT_FALSE(plain_text_to_remote(url)) << url;
        EXPECT_NO_THROW(require_media_server(livekit_at(url))) << url;
        EXPECT_NO_THROW(require_livekit_url(livekit_at(url))) << url;
    }
}

TEST(PlainHttp, OtherHostsAreRefusedBeforeAnyRequest) {
    for (const char* url :
         {"http://lk.example.com", "ws://10.0.0.5:7880", "HTTP://Host", "http://127.0.0.256",
          "http://127.evil.example", "http://128.0.0.1", "http://localhost.evil.example",
          "http://[::2]:7880", "http://127.0.0.1.nip.io"}) {
        EXPECT_TRUE(plain_text_to_remote(url)) << url;
        const auto msg = media_failure(livekit_at(url));
        EXPECT_EQ(msg, std::string{"LiveKit URL \""} + url +
                           "\" (env LIVEKIT_URL) would send credentials unencrypted to another "
                           "machine: use https:// (wss:// for LiveKit); plain http:// is only for "
                           "127.0.0.1, [::1] and localhost")
            << url;
        EXPECT_THROW(require_livekit_url(livekit_at(url)), Error) << url;
    }
}

TEST(PlainHttp, TwilioBaseUrl) {
    Settings s;
    s.provider = Provider::twilio;
    s.twilio.account_sid = k_account;
    s.twilio.auth_token = "token";
    s.twilio.base_url = "http://127.0.0.1:9000";
    EXPECT_NO_THROW(require_media_server(s));
    s.twilio.base_url = "http://user:pw@video.example.com";  // userinfo: malformed first
    EXPECT_TRUE(contains(media_failure(s), "malformed Twilio Video base URL"));
    s.twilio.base_url = "http://video.example.com";
    s.origins["twilio.base_url"] = Origin{Source::file, "/etc/roomctl.toml"};
    EXPECT_EQ(media_failure(s),
              "Twilio Video base URL \"http://video.example.com\" (file /etc/roomctl.toml) would "
              "send credentials unencrypted to another machine: use https:// (wss:// for "
              "LiveKit); plain http:// is only for 127.0.0.1, [::1] and localhost");
}

// ---- secret files say what they hold ------------------------------------------------------------

TEST_F(CredentialSafetyTest, TrailingWhitespaceBeyondOneNewlineIsStrippedWithAWarning) {
    for (const char* content :
         {"s3cr3t\r\n", "s3cr3t\n\n", "s3cr3t  \n", "s3cr3t\t", "s3cr3t \r\n\n"}) {
        const auto path = write("secret", content);
        env["LIVEKIT_API_SECRET_FILE"] = path;
        const auto s = resolve();
        EXPECT_EQ(s.livekit.api_secret, "s3cr3t") << content;
        ASSERT_EQ(s.warnings.size(), 1u) << content;
        EXPECT_EQ(s.warnings[0], "secret file " + path +
                                     " (from LIVEKIT_API_SECRET_FILE) ends in whitespace beyond "
                                     "one final newline (CRLF, spaces or blank lines); roomctl "
                                     "ignores it: remove it from the file");
    }
}

TEST_F(CredentialSafetyTest, WhitespaceOnlySecretFileIsEmpty) {
    const auto path = write("secret", "\n\n \r\n");
    env["LIVEKIT_API_SECRET_FILE"] = path;
    EXPECT_EQ(config_failure(),
              "API secret file " + path + " (from LIVEKIT_API_SECRET_FILE) is empty");
}

TEST_F(CredentialSafetyTest, TwilioSecretFilesWarnToo) {
    const auto token = write("tw.token", "token\r\n");
    flags.set("--config", write("c.toml", "provider = \"twilio\"\n[twilio]\naccount_sid = \"" +
                                              k_account + "\"\nauth_token_file = \"tw.token\"\n"));
    const auto s = resolve();
    EXPECT_EQ(s.twilio.auth_token, "token");
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_TRUE(
        contains(s.warnings[0], "secret file " + token + " (from twilio.auth_token_file in"))
        << s.warnings[0];
}

// ---- only the provider in use has its secret files read
// -------------------------------------------

TEST_F(CredentialSafetyTest, AnUnreadableTwilioSecretFileDoesNotBreakLiveKit) {
    const auto cfg = write("c.toml", R"(
[livekit]
url = "https://lk.example.com"
api_key = "APIkey"
api_secret = "inline"
[twilio]
api_secret_file = "missing.secret"
auth_token_file = "/nonexistent/token"
)",
                           fs::perms::owner_read | fs::perms::owner_write);
    flags.set("--config", cfg);
    const auto s = resolve();
    EXPECT_NO_THROW(require_media_server(s));
    EXPECT_EQ(s.twilio.api_secret, "");
    const auto missing = (dir / "missing.secret").string();
    EXPECT_EQ(s.unread_secret_files.at("twilio.api_secret"), missing);
    bool shown = false;
    for (const auto& l : describe_settings(s))
        if (l.key == "twilio.api_secret") {
            EXPECT_EQ(l.value, "(file " + missing + " not read: provider is livekit)");
            EXPECT_EQ(l.detail, cfg);
            shown = true;
        }
    EXPECT_TRUE(shown);

    // With Twilio, the same file is read, and its absence is an error naming it.
    env["ROOMCTL_PROVIDER"] = "twilio";
    EXPECT_TRUE(contains(config_failure(), "cannot read API secret file " + missing));
}

TEST_F(CredentialSafetyTest, AnUnreadableLiveKitSecretFileDoesNotBreakTwilio) {
    env["ROOMCTL_PROVIDER"] = "twilio";
    env["TWILIO_ACCOUNT_SID"] = k_account;
    env["TWILIO_AUTH_TOKEN"] = "token";
    env["LIVEKIT_API_SECRET_FILE"] = (dir / "missing").string();
    flags.set("--config", write("c.toml", "[livekit]\napi_secret_file = \"gone\"\n"));
    auto s = resolve();
    EXPECT_NO_THROW(require_media_server(s));
    EXPECT_EQ(s.unread_secret_files.at("livekit.api_secret"), (dir / "missing").string());
    env.erase("LIVEKIT_API_SECRET_FILE");
    s = resolve();
    EXPECT_EQ(s.unread_secret_files.at("livekit.api_secret"), (dir / "gone").string());
}

}  // namespace
}  // namespace roomctl::config
