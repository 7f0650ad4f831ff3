// config init / config set's file writing (0600 in a 0700 directory, no overwrite without
// --force, atomic) and the other tools' profiles read in place (lk, twilio-cli), on real
// files under a temporary HOME.

#include "roomctl/config/config_write.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "roomctl/config/external_profiles.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config::testing {
namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777U;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

using ConfigWrite = SettingsFixture;

TEST_F(ConfigWrite, NewFileIs0600InA0700DirectoryItCreates) {
    const auto path = dir / "cfg" / "roomctl" / "config.toml";
    write_private_file(path.string(), "provider = \"livekit\"\n", false);
    EXPECT_EQ(slurp(path), "provider = \"livekit\"\n");
    EXPECT_EQ(mode_of(path), 0600U);
    EXPECT_EQ(mode_of(dir / "cfg" / "roomctl"), 0700U);
    EXPECT_EQ(mode_of(dir / "cfg"), 0700U);
}

TEST_F(ConfigWrite, ExistingFileIsKeptWithoutOverwrite) {
    const auto path = write("config.toml", "old = 1\n");
    try {
        write_private_file(path, "new", false);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "already exists")) << e.what();
        EXPECT_TRUE(contains(e.what(), "--force")) << e.what();
    }
    EXPECT_EQ(slurp(path), "old = 1\n");
    write_private_file(path, "new\n", true);
    EXPECT_EQ(slurp(path), "new\n");
    EXPECT_EQ(mode_of(path), 0600U);  // replaced, so the old 0644 is gone too
}

TEST_F(ConfigWrite, LeavesNoTemporaryFileBehind) {
    write_private_file((dir / "a.toml").string(), "x = 1\n", false);
    write_private_file((dir / "a.toml").string(), "x = 2\n", true);
    EXPECT_THROW(write_private_file((dir / "a.toml").string(), "x = 3\n", false), Error);
    int files = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 1);  // a.toml only: no ".a.toml.XXXXXX"
    EXPECT_EQ(slurp(dir / "a.toml"), "x = 2\n");
}

TEST_F(ConfigWrite, SetKeepsOtherKeysAndValidatesTheValue) {
    const std::string text =
        "provider = \"livekit\"\n[livekit]\nurl = \"wss://a.example\"\n[rooms]\ntable = \"t\"\n";
    const auto out = set_config_value(text, "f.toml", "livekit.url", "wss://b.example", "");
    const auto path = write("c.toml", out);
    flags.set("--config", path);
    const auto s = resolve();
    EXPECT_EQ(s.livekit.url, "wss://b.example");
    EXPECT_EQ(s.rooms.table, "t");

    const auto timeout = set_config_value(out, "f.toml", "cleanup.min_age", "10m", "staging");
    EXPECT_TRUE(contains(timeout, "[profiles.staging.cleanup]")) << timeout;
    EXPECT_THROW(set_config_value(out, "f.toml", "cleanup.min_age", "10", ""), Error);
    EXPECT_THROW(set_config_value(out, "f.toml", "provider", "zoom", ""), Error);
    EXPECT_THROW(set_config_value(out, "f.toml", "no.such_key", "1", ""), Error);
}

TEST_F(ConfigWrite, SetRefusesSecretsWithoutEchoingThem) {
    for (const auto* key : {"livekit.api_secret", "twilio.auth_token"}) {
        try {
            set_config_value("", "f.toml", key, "s3cr3t-value", "");
            FAIL() << key;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::usage);
            EXPECT_FALSE(contains(e.what(), "s3cr3t-value")) << e.what();
            EXPECT_TRUE(contains(e.what(), "_file")) << e.what();
        }
    }
    try {
        set_config_value("", "f.toml", "database.url", "postgresql://u:pw-123@h/db", "");
        FAIL();
    } catch (const Error& e) {
        EXPECT_FALSE(contains(e.what(), "pw-123")) << e.what();
    }
    // The file that holds it is fine, made absolute.
    const auto out = set_config_value("", "f.toml", "livekit.api_secret_file", "/run/s", "");
    EXPECT_TRUE(contains(out, "api_secret_file = '/run/s'") ||
                contains(out, "api_secret_file = \"/run/s\""))
        << out;
}

TEST_F(ConfigWrite, LkProjectsAndTwilioProfilesAreListedAndUsable) {
    write("home/.livekit/cli-config.yaml",
          "default_project: prod\nprojects:\n"
          "  - name: prod\n    url: https://prod.example\n    api_key: APIprod\n"
          "    api_secret: lk-secret-prod\n"
          "  - name: dev\n    url: http://127.0.0.1:7880\n    api_key: devkey\n"
          "    api_secret: devsecret\n",
          fs::perms::owner_read | fs::perms::owner_write);
    write("home/.twilio-cli/config.json",
          R"({"profiles": {"main": {"accountSid": "AC0123", "apiKey": "SK0123",
              "region": "ie1"}}, "activeProfile": "main"})");
    const auto list = list_external_profiles(env);
    ASSERT_EQ(list.size(), 3U);
    EXPECT_EQ(list[0].name, "lk:prod");
    EXPECT_TRUE(list[0].is_default);
    EXPECT_EQ(list[1].name, "lk:dev");
    EXPECT_EQ(list[2].name, "twilio:main");
    EXPECT_EQ(list[2].account_sid, "AC0123");
    EXPECT_FALSE(list[2].has_secret);

    flags.set("--profile", "lk:dev");
    auto s = resolve();  // no roomctl config file at all
    EXPECT_EQ(s.provider, Provider::livekit);
    EXPECT_EQ(s.livekit.url, "http://127.0.0.1:7880");
    EXPECT_EQ(s.livekit.api_key, "devkey");
    EXPECT_EQ(s.livekit.api_secret, "devsecret");
    EXPECT_TRUE(contains(s.origins["livekit.url"].detail, "[lk:dev]"));

    flags.set("--profile", "twilio:main");
    s = resolve();
    EXPECT_EQ(s.provider, Provider::twilio);
    EXPECT_EQ(s.twilio.account_sid, "AC0123");
    EXPECT_EQ(s.twilio.api_key, "SK0123");
    EXPECT_TRUE(s.twilio.api_secret.empty());

    flags.set("--profile", "lk:nope");
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "lk:prod")) << msg;
    EXPECT_FALSE(contains(msg, "lk-secret-prod")) << msg;
}

TEST_F(ConfigWrite, ExternalProfileOverTheConfigFileReplacesItsCredentials) {
    write("home/.livekit/cli-config.yaml",
          "projects:\n  - name: p\n    url: https://p.example\n    api_key: k\n"
          "    api_secret: s\n",
          fs::perms::owner_read | fs::perms::owner_write);
    flags.set("--config", write("c.toml",
                                "[livekit]\nurl = \"https://top.example\"\n"
                                "api_key = \"topkey\"\n[rooms]\ntable = \"mine\"\n"));
    flags.set("--profile", "lk:p");
    const auto s = resolve();
    EXPECT_EQ(s.livekit.api_key, "k");
    EXPECT_EQ(s.livekit.url, "https://p.example");
    EXPECT_EQ(s.rooms.table, "mine");  // the rest of the config file still applies
}

TEST_F(ConfigWrite, ExternalFileWritableByOthersIsRefused) {
    write("home/.livekit/cli-config.yaml", "projects:\n  - name: p\n    url: https://p\n",
          fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
    flags.set("--profile", "lk:p");
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "cli-config.yaml")) << msg;
}

TEST_F(ConfigWrite, ExternalSecretReadableByOthersIsAWarning) {
    write("home/.livekit/cli-config.yaml",
          "projects:\n  - name: p\n    url: https://p.example\n    api_key: k\n"
          "    api_secret: s\n");  // 0644
    flags.set("--profile", "lk:p");
    const auto s = resolve();
    ASSERT_EQ(s.warnings.size(), 1U);
    EXPECT_TRUE(contains(s.warnings[0], "readable by others")) << s.warnings[0];
    EXPECT_TRUE(contains(s.warnings[0], "cli-config.yaml")) << s.warnings[0];
}

TEST_F(ConfigWrite, BrokenYamlIsAConfigErrorNamingTheFile) {
    write("home/.livekit/cli-config.yaml", "projects: [unclosed\n",
          fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_THROW(list_external_profiles(env), Error);
}

}  // namespace
}  // namespace roomctl::config::testing
