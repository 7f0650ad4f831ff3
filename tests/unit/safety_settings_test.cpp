// Settings that keep a destructive run safe: [rooms] ended_statuses, [database]
// lock_timeout / statement_timeout, the DATABASE_URL-over-a-named-config conflict, and the
// permission warning for a database URL that holds a password.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::contains;

class SafetySettingsTest : public testing::SettingsFixture {
protected:
    std::map<std::string, SettingLine> described(const Settings& s) {
        std::map<std::string, SettingLine> out;
        for (const auto& l : describe_settings(s)) out[l.key] = l;
        return out;
    }
};

// ---- [rooms] ended_statuses ----------------------------------------------------------------

TEST_F(SafetySettingsTest, EndedStatusesHaveDefaultsForBothProviders) {
    auto s = resolve();
    EXPECT_EQ(s.rooms.ended_statuses,
              (std::vector<std::string>{"ended", "completed", "closed", "cancelled", "canceled",
                                        "expired", "finished", "archived", "inactive", "false"}));
    EXPECT_EQ(s.origins.at("rooms.ended_statuses").source, Source::default_value);
    env["ROOMCTL_PROVIDER"] = "twilio";
    s = resolve();
    // Seed 001's boolean is_active: true is live, false is ended.
    EXPECT_EQ(s.rooms.live_statuses, (std::vector<std::string>{"true"}));
    EXPECT_TRUE(std::count(s.rooms.ended_statuses.begin(), s.rooms.ended_statuses.end(), "false"));
}

TEST_F(SafetySettingsTest, EndedStatusesFromFileAndProfile) {
    const auto cfg = write("c.toml",
                           "[rooms]\nlive_statuses = [\"ACTIVE\", \"SCHEDULED\"]\n"
                           "ended_statuses = [\"DONE\"]\n"
                           "[profiles.p.rooms]\nended_statuses = [\"FINISHED\", \"ABORTED\"]\n");
    flags.set("--config", cfg);
    auto s = resolve();
    EXPECT_EQ(s.rooms.ended_statuses, (std::vector<std::string>{"DONE"}));
    EXPECT_EQ(to_string(s.origins.at("rooms.ended_statuses")), "file " + cfg);
    flags.set("--profile", "p");
    s = resolve();
    EXPECT_EQ(s.rooms.ended_statuses, (std::vector<std::string>{"FINISHED", "ABORTED"}));
    EXPECT_EQ(to_string(s.origins.at("rooms.ended_statuses")), "file " + cfg + " [profiles.p]");
    const auto lines = described(s);
    ASSERT_TRUE(lines.count("rooms.ended_statuses"));
    EXPECT_EQ(lines.at("rooms.ended_statuses").value, "FINISHED, ABORTED");
    EXPECT_EQ(lines.at("rooms.ended_statuses").source, "file");
}

TEST_F(SafetySettingsTest, EmptyEndedStatusesAreAllowed) {
    // Then every row that is not live is unclassified: nothing is ever deleted for its status.
    flags.set("--config", write("c.toml", "[rooms]\nended_statuses = []\n"));
    EXPECT_TRUE(resolve().rooms.ended_statuses.empty());
}

TEST_F(SafetySettingsTest, EndedStatusesOfTheWrongTypeNameTheKey) {
    for (const char* body :
         {"[rooms]\nended_statuses = \"ended\"\n", "[rooms]\nended_statuses = [\"ended\", 3]\n"}) {
        flags.set("--config", write("c.toml", body));
        const auto msg = config_failure();
        EXPECT_TRUE(contains(msg, "rooms.ended_statuses must be a list of strings")) << msg;
    }
}

TEST_F(SafetySettingsTest, AWordInBothListsIsRefusedCaseInsensitively) {
    const auto cfg = write("c.toml",
                           "[rooms]\nlive_statuses = [\"active\", \"Open\"]\n"
                           "ended_statuses = [\"ended\", \"OPEN\"]\n");
    flags.set("--config", cfg);
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "status \"Open\" is in both rooms.live_statuses")) << msg;
    EXPECT_TRUE(contains(msg, "rooms.ended_statuses (file " + cfg + ")")) << msg;
    EXPECT_TRUE(contains(msg, "remove it from one of them")) << msg;
}

TEST_F(SafetySettingsTest, ALiveWordThatIsAnEndedDefaultIsRefused) {
    // "inactive" is an ended default: listing it as live without changing ended_statuses
    // would make the same rows both.
    flags.set("--config", write("c.toml", "[rooms]\nlive_statuses = [\"INACTIVE\"]\n"));
    const auto msg = config_failure();
    EXPECT_TRUE(contains(msg, "\"INACTIVE\"")) << msg;
    EXPECT_TRUE(contains(msg, "rooms.ended_statuses (default)")) << msg;
}

// ---- [database] lock_timeout / statement_timeout --------------------------------------------

TEST_F(SafetySettingsTest, DatabaseTimeoutsDefaultToFiveAndThirtySeconds) {
    const auto s = resolve();
    EXPECT_EQ(s.database_lock_timeout, 5s);
    EXPECT_EQ(s.database_statement_timeout, 30s);
    const auto lines = described(s);
    EXPECT_EQ(lines.at("database.lock_timeout").value, "5s");
    EXPECT_EQ(lines.at("database.lock_timeout").source, "default");
    EXPECT_EQ(lines.at("database.statement_timeout").value, "30s");
}

TEST_F(SafetySettingsTest, DatabaseTimeoutsFromFileAsDurationsOrSeconds) {
    const auto cfg = write("c.toml",
                           "[database]\nlock_timeout = \"2s\"\nstatement_timeout = 90\n"
                           "[profiles.slow.database]\nstatement_timeout = \"5m\"\n");
    flags.set("--config", cfg);
    auto s = resolve();
    EXPECT_EQ(s.database_lock_timeout, 2s);
    EXPECT_EQ(s.database_statement_timeout, 90s);
    EXPECT_EQ(to_string(s.origins.at("database.lock_timeout")), "file " + cfg);
    flags.set("--profile", "slow");
    s = resolve();
    EXPECT_EQ(s.database_lock_timeout, 2s);
    EXPECT_EQ(s.database_statement_timeout, 5min);
    EXPECT_EQ(to_string(s.origins.at("database.statement_timeout")),
              "file " + cfg + " [profiles.slow]");
    EXPECT_EQ(described(s).at("database.statement_timeout").value, "5m");
}

TEST_F(SafetySettingsTest, BadDatabaseTimeoutsAreConfigErrorsNamingTheKey) {
    const std::pair<const char*, const char*> cases[] = {
        {"[database]\nlock_timeout = \"0s\"\n", "database.lock_timeout must be positive"},
        {"[database]\nlock_timeout = 0\n", "database.lock_timeout must be positive"},
        {"[database]\nstatement_timeout = -5\n", "database.statement_timeout must not be negative"},
        {"[database]\nstatement_timeout = \"soon\"\n", "database.statement_timeout in "},
        {"[database]\nstatement_timeout = true\n", "database.statement_timeout must be a duration"},
        {"[database]\nlock_timeout = 1.5\n", "database.lock_timeout must be a duration"},
        {"[database]\nlock_timeout = \"2d\"\n", "database.lock_timeout must be at most 24h"},
        {"[database]\nlock_timout = \"5s\"\n", "unknown key database.lock_timout"},
    };
    for (const auto& [body, expected] : cases) {
        flags.set("--config", write("c.toml", body));
        const auto msg = config_failure();
        EXPECT_TRUE(contains(msg, expected)) << body << " -> " << msg;
        EXPECT_TRUE(contains(msg, *flags.get("--config"))) << msg;
    }
}

// ---- DATABASE_URL overriding a named config's [database] url --------------------------------

constexpr const char* k_prod_url = "postgresql://roomctl@prod-db/app";
constexpr const char* k_dev_url = "postgresql://me@localhost/dev";

TEST_F(SafetySettingsTest, DatabaseUrlOverridingANamedProfileIsAConflict) {
    const auto cfg = write("roomctl.toml",
                           std::string{"[profiles.prod.database]\nurl = \""} + k_prod_url + "\"\n");
    flags.set("--config", cfg);
    flags.set("--profile", "prod");
    env["DATABASE_URL"] = k_dev_url;
    const auto s = resolve();
    EXPECT_EQ(s.database_url, k_dev_url);  // the documented precedence still holds
    EXPECT_EQ(s.database_url_conflict,
              "DATABASE_URL from the environment overrides [database] url of " + cfg +
                  " [profiles.prod]; unset DATABASE_URL or pass --database-url to choose");
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0], s.database_url_conflict);
}

TEST_F(SafetySettingsTest, EachWayOfNamingTheConfigCounts) {
    const auto cfg = write(
        "roomctl.toml", std::string{"[database]\nurl = \""} + k_prod_url + "\"\n[profiles.prod]\n");
    env["DATABASE_URL"] = k_dev_url;
    const std::string expected =
        "DATABASE_URL from the environment overrides [database] url of " + cfg + "; unset";
    flags.set("--config", cfg);  // --config
    EXPECT_TRUE(contains(resolve().database_url_conflict, expected)) << "--config";
    flags.values.erase("--config");
    env["ROOMCTL_CONFIG"] = cfg;
    EXPECT_TRUE(contains(resolve().database_url_conflict, expected)) << "ROOMCTL_CONFIG";
    env.erase("ROOMCTL_CONFIG");
    // The XDG file found by default, with the profile named by ROOMCTL_PROFILE.
    write("home/.config/roomctl/config.toml",
          std::string{"[database]\nurl = \""} + k_prod_url + "\"\n[profiles.prod]\n");
    env["ROOMCTL_PROFILE"] = "prod";
    EXPECT_TRUE(contains(resolve().database_url_conflict, "overrides [database] url of "))
        << "ROOMCTL_PROFILE";
}

TEST_F(SafetySettingsTest, NoConflictWhenNothingWasNamedOrTheChoiceIsExplicit) {
    // The XDG default file, found without being named: the documented precedence, silently.
    write("home/.config/roomctl/config.toml",
          std::string{"[database]\nurl = \""} + k_prod_url + "\"\n");
    env["DATABASE_URL"] = k_dev_url;
    auto s = resolve();
    EXPECT_TRUE(s.database_url_conflict.empty());
    EXPECT_TRUE(s.warnings.empty());

    const auto cfg = write("c.toml", std::string{"[database]\nurl = \""} + k_prod_url + "\"\n");
    flags.set("--config", cfg);
    // --database-url and ROOMCTL_DATABASE_URL are explicit choices of roomctl's database.
    flags.set("--database-url", k_dev_url);
    EXPECT_TRUE(resolve().database_url_conflict.empty());
    flags.values.erase("--database-url");
    env["ROOMCTL_DATABASE_URL"] = k_dev_url;
    EXPECT_TRUE(resolve().database_url_conflict.empty());
    env.erase("ROOMCTL_DATABASE_URL");
    // The same database either way.
    env["DATABASE_URL"] = k_prod_url;
    EXPECT_TRUE(resolve().database_url_conflict.empty());
    // A file without [database] url: DATABASE_URL overrides nothing.
    env["DATABASE_URL"] = k_dev_url;
    flags.set("--config", write("d.toml", "[rooms]\ntable = \"t\"\n"));
    EXPECT_TRUE(resolve().database_url_conflict.empty());
}

TEST_F(SafetySettingsTest, TheConflictNeverShowsAPassword) {
    flags.set("--config",
              write("c.toml", "[database]\nurl = \"postgresql://app:prod-pw@prod/app\"\n"));
    env["DATABASE_URL"] = "postgresql://me:dev-pw@localhost/dev";
    const auto s = resolve();
    ASSERT_FALSE(s.database_url_conflict.empty());
    EXPECT_FALSE(contains(s.database_url_conflict, "prod-pw"));
    EXPECT_FALSE(contains(s.database_url_conflict, "dev-pw"));
}

// ---- a password inside a database URL: the mode-0600 warning --------------------------------

constexpr auto k_0644 =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

TEST_F(SafetySettingsTest, ADatabasePasswordOfAnyShapeWarnsLikeAnyOtherSecret) {
    for (const char* url : {
             "postgresql://app:pw@db/app",
             "postgres://app:p%40ss@db:5432/app",
             "postgresql://app:pa#ss@db/app",  // libpq: userinfo ends at the first '@'
             "postgresql://app:pa?ss@db/app",
             "postgresql://app:a:b@db/app",
             "POSTGRESQL://app:pw@db/app",
             "postgresql://app:gr\xc3\xbcn@db/app",  // non-ASCII
             "postgresql://db/app?user=app&password=pw",
             "postgresql:///app?host=/run/postgresql&password=pw",
             "host=db password=pw",
             "host=db password = 'p w'",
             "password=pw host=db",
             "host=db\tpassword=pw",
         }) {
        const auto cfg =
            write("c.toml", std::string{"[database]\nurl = \""} + url + "\"\n", k_0644);
        flags.set("--config", cfg);
        const auto s = resolve();
        ASSERT_EQ(s.warnings.size(), 1u) << url;
        EXPECT_EQ(s.warnings[0], "config file " + cfg +
                                     " is readable by others and holds a secret; chmod 600 " + cfg)
            << url;
    }
}

TEST_F(SafetySettingsTest, ADatabaseUrlWithoutAPasswordDoesNotWarn) {
    for (const char* url : {
             "postgresql://app@db/app",
             "postgresql://db/app?user=app",
             "postgresql://db/app?sslpassword_file=x",
             "host=db user=app",
             "host=db mypassword=x",
         }) {
        flags.set("--config",
                  write("c.toml", std::string{"[database]\nurl = \""} + url + "\"\n", k_0644));
        EXPECT_TRUE(resolve().warnings.empty()) << url;
    }
}

TEST_F(SafetySettingsTest, ADatabasePasswordInAnUnselectedProfileWarnsToo) {
    flags.set("--config",
              write("c.toml", "[profiles.prod.database]\nurl = 'postgresql://app:pa#ss@db/app'\n",
                    k_0644));
    EXPECT_EQ(resolve().warnings.size(), 1u);
}

}  // namespace
}  // namespace roomctl::config
