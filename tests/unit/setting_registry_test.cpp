// The settings registry (config/registry.hpp) is the one description of every setting: these
// tests hold it to that. Keys, flags and file keys are unique; every entry is settable from
// each place it names (flag, each variable in order, the config file) and shows up in
// `config show`; secrets never reach its output; and the real binary registers every flag.

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "man_gen.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/report/config_view.hpp"
#include "settings_fixture.hpp"

namespace roomctl::config {
namespace {

using testing::contains;
namespace fs = std::filesystem;

class RegistryTest : public testing::SettingsFixture {
protected:
    // A value `spec` accepts from a flag or a variable, distinct per `tag`.
    std::string text_value(const SettingSpec& spec, const std::string& tag, bool names_file) {
        if (names_file) return write("secret-" + tag, "secret-" + tag + "\n");
        switch (spec.kind) {
            case Kind::provider:
                return "twilio";
            case Kind::url:
                return "https://" + tag + ".example";
            case Kind::database_url:
                return "postgresql://" + tag + "/db";
            case Kind::request_timeout:
                return "7s";
            default:
                break;
        }
        if (spec.key == "rooms.room_name_template") return tag + "-{name}";
        return "value-" + tag;
    }

    // Makes the provider in use the one the entry's flag or secret files need.
    void use_provider_of(const SettingSpec& spec) {
        const auto p = spec.flag_for ? spec.flag_for : spec.credential_of;
        if (p && spec.kind != Kind::provider) env["ROOMCTL_PROVIDER"] = to_string(*p);
    }
};

TEST(SettingRegistry, KeysFlagsAndFileKeysAreUnique) {
    std::set<std::string_view> keys, toml;
    std::map<std::string_view, int> flag_helps;
    std::map<std::string_view, std::set<std::string>> flag_scopes;
    for (const auto& spec : settings_registry()) {
        EXPECT_TRUE(keys.insert(spec.key).second) << "duplicate key " << spec.key;
        EXPECT_FALSE(spec.help.empty()) << spec.key;
        EXPECT_EQ(spec.help.find('\n'), std::string_view::npos) << spec.key;
        EXPECT_NE(spec.get, nullptr) << spec.key;
        EXPECT_NE(spec.set, nullptr) << spec.key;
        for (auto path : {spec.toml, spec.toml_file})
            if (!path.empty()) {
                EXPECT_TRUE(toml.insert(path).second) << "duplicate " << path;
            }
        if (spec.flag.empty()) continue;
        EXPECT_EQ(spec.flag.substr(0, 2), "--") << spec.key;
        flag_helps[spec.flag] += spec.flag_help.empty() ? 0 : 1;
        // Entries sharing a flag must be told apart by the provider in use.
        const std::string scope = spec.flag_for ? to_string(*spec.flag_for) : "any";
        EXPECT_TRUE(flag_scopes[spec.flag].insert(scope).second)
            << spec.flag << " sets two entries for " << scope;
        if (scope == "any") {
            EXPECT_EQ(flag_scopes[spec.flag].size(), 1u) << spec.flag;
        }
    }
    for (const auto& [flag, helps] : flag_helps)
        EXPECT_EQ(helps, 1) << flag << " needs exactly one entry with its --help text";
    EXPECT_NE(find_setting("livekit.url"), nullptr);
    EXPECT_EQ(find_setting("no.such.key"), nullptr);
}

TEST_F(RegistryTest, EveryKeyAppearsInConfigShow) {
    const auto s = resolve();
    const auto doc = report::config_json(s);
    const auto text = report::render_config(s);
    std::set<std::string> shown;
    for (const auto& line : doc["settings"]) shown.insert(line["key"].get<std::string>());
    for (const auto& spec : settings_registry()) {
        const std::string key{spec.key};
        if (!spec.listed) {
            // config_file is the document's header, not a line.
            EXPECT_TRUE(doc.contains(key)) << key;
            continue;
        }
        EXPECT_EQ(shown.count(key), 1u) << key;
        EXPECT_TRUE(contains(text, key + " ")) << key;
        EXPECT_EQ(s.origins.count(key), 1u) << key << " has no origin";
    }
    EXPECT_EQ(shown.size(), doc["settings"].size()) << "a key is listed twice";
}

// Each variable of an entry, highest first: it wins over every variable after it and loses
// to every one before it; a flag beats them all.
TEST_F(RegistryTest, EnvironmentOrderIsHonouredAndFlagsWin) {
    int checked = 0;
    for (const auto& spec : settings_registry()) {
        // config_file and profile choose the file itself (settings_test covers them).
        if (spec.env.empty() || spec.key == "config_file" || spec.key == "profile") continue;
        for (std::size_t first = 0; first < spec.env.size(); ++first) {
            env.clear();
            env["HOME"] = (dir / "home").string();
            flags = {};
            use_provider_of(spec);
            for (std::size_t i = first; i < spec.env.size(); ++i)
                env[std::string{spec.env[i].name}] =
                    text_value(spec, std::to_string(i), spec.env[i].names_file);
            const auto s = resolve();
            const auto& o = s.origins.at(std::string{spec.key});
            EXPECT_EQ(o.source, Source::env) << spec.key;
            EXPECT_EQ(o.detail, spec.env[first].name) << spec.key;
            ++checked;
            if (spec.flag.empty()) continue;
            flags.set(spec.flag, text_value(spec, "flag", spec.flag_names_file));
            const auto f = resolve();
            EXPECT_EQ(f.origins.at(std::string{spec.key}).source, Source::flag) << spec.key;
            EXPECT_EQ(f.origins.at(std::string{spec.key}).detail, spec.flag) << spec.key;
        }
    }
    EXPECT_GE(checked, 14);
}

// Every file key the registry names is read from the config file, at the top level and in a
// profile.
TEST_F(RegistryTest, EveryFileKeyIsRead) {
    for (const auto& spec : settings_registry()) {
        for (const auto path : {spec.toml, spec.toml_file}) {
            if (path.empty()) continue;
            const std::string p{path};
            const auto dot = p.find('.');
            std::string value;
            if (path == spec.toml_file) {
                write("key.secret", "file-secret\n");
                value = "\"key.secret\"";
            } else {
                switch (spec.kind) {
                    case Kind::list:
                        value = "[\"x1\"]";
                        break;
                    case Kind::request_timeout:
                    case Kind::db_timeout:
                    case Kind::seconds:
                        value = "\"7s\"";
                        break;
                    case Kind::count:
                        value = "7";
                        break;
                    case Kind::provider:
                        value = "\"twilio\"";
                        break;
                    default:
                        value = spec.key == "rooms.room_name_template" ? "\"x-{name}\"" : "\"x1\"";
                }
            }
            const std::string line =
                dot == std::string::npos
                    ? p + " = " + value + "\n"
                    : "[" + p.substr(0, dot) + "]\n" + p.substr(dot + 1) + " = " + value + "\n";
            env.clear();
            env["HOME"] = (dir / "home").string();
            flags = {};
            use_provider_of(spec);
            flags.set("--config", write("c.toml", line));
            const auto s = resolve();
            const auto& o = s.origins.at(std::string{spec.key});
            EXPECT_EQ(o.source, Source::file) << path;
            EXPECT_EQ(o.detail, *flags.get("--config")) << path;
        }
    }
}

TEST_F(RegistryTest, SecretEntriesAreNeverPrinted) {
    for (const char* provider : {"livekit", "twilio"}) {
        env.clear();
        env["HOME"] = (dir / "home").string();
        env["ROOMCTL_PROVIDER"] = provider;
        std::vector<std::string> secrets;
        for (const auto& spec : settings_registry()) {
            if (!spec.secret) continue;
            ASSERT_FALSE(spec.env.empty()) << spec.key;
            const std::string secret = "S3CRET-" + std::string{spec.key};
            env[std::string{spec.env.front().name}] = secret;
            secrets.push_back(secret);
        }
        ASSERT_GE(secrets.size(), 3u);
        const auto s = resolve();
        std::string out = report::render_config(s) + report::config_json(s).dump();
        for (const auto& line : describe(s)) out += line;
        for (const auto& spec : settings_registry()) out += show_value(spec, s);
        for (const auto& secret : secrets) EXPECT_FALSE(contains(out, secret)) << secret;
        EXPECT_TRUE(contains(out, "********"));
    }
}

TEST(SettingRegistry, ParseTextNamesTheSourceAndKind) {
    const auto& timeout = *find_setting("request_timeout");
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_text(timeout, "90s", "--timeout", true)),
              std::chrono::seconds{90});
    try {
        parse_text(timeout, "0", "--timeout", true);
        ADD_FAILURE() << "0 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_EQ(std::string{e.what()}, "--timeout must be at least 1s");
    }
    const auto& max = *find_setting("cleanup.max_deletes");
    EXPECT_EQ(std::get<std::int64_t>(parse_text(max, "40", "X", false)), 40);
    try {
        parse_text(max, "many", "ROOMCTL_X", false);
        ADD_FAILURE() << "many accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        EXPECT_TRUE(contains(e.what(), "ROOMCTL_X")) << e.what();
    }
}

TEST(SettingRegistry, CommandFlagOverridesAndRecordsItsOrigin) {
    Settings s;
    apply_command_flag(s, "cleanup.min_age", "--min-age", "");
    EXPECT_EQ(s.min_age, std::chrono::minutes{10});
    apply_command_flag(s, "cleanup.min_age", "--min-age", "1h");
    EXPECT_EQ(s.min_age, std::chrono::hours{1});
    EXPECT_EQ(to_string(s.origins.at("cleanup.min_age")), "flag --min-age");
    apply_command_flag(s, "recreate.empty_timeout", "--empty-timeout", "90s");
    EXPECT_EQ(s.empty_timeout, 90u);
    apply_command_flag(s, "cleanup.max_deletes", "--max-deletes", "3");
    EXPECT_EQ(s.max_deletes, 3u);
    EXPECT_THROW(apply_command_flag(s, "cleanup.min_age", "--min-age", "soon"), Error);
}

// The man page's CONFIGURATION FILE section lists every config file key of the registry.
TEST(SettingRegistry, ManPageListsEveryFileKey) {
    const auto sec = cli::gen::settings_section();
    std::string terms;
    for (const auto& e : sec.entries) terms += e.term + "\n" + e.text + "\n";
    for (const auto& spec : settings_registry()) {
        for (const auto path : {spec.toml, spec.toml_file})
            if (!path.empty()) {
                EXPECT_TRUE(contains(terms, std::string{path})) << path;
            }
        if (!spec.toml.empty() && !spec.flag.empty()) {
            EXPECT_TRUE(contains(terms, std::string{spec.flag})) << spec.flag;
        }
    }
    cli::gen::CommandSpec root;
    root.name = "roomctl";
    const auto page = cli::gen::man_page(root, {});
    EXPECT_TRUE(contains(page, ".SH \"CONFIGURATION FILE\"")) << page;
    EXPECT_TRUE(contains(page, "livekit.api_secret_file")) << page;
}

// The real binary, next to this test in the build tree: every flag of the registry is a
// global option with the entry's help text.
TEST(SettingRegistry, EveryFlagIsRegistered) {
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    const auto bin = self.parent_path().parent_path() / "commands" / "roomctl";
    if (ec || !fs::exists(bin)) GTEST_SKIP() << "no roomctl binary at " << bin;
    const std::string cmd = "env -i HOME=/nonexistent COLUMNS=400 " + bin.string() + " --help";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
    ASSERT_NE(pipe, nullptr);
    std::string help;
    std::array<char, 4096> buf{};
    while (auto n = std::fread(buf.data(), 1, buf.size(), pipe.get())) help.append(buf.data(), n);
    for (const auto& spec : settings_registry()) {
        if (spec.flag.empty()) continue;
        EXPECT_TRUE(contains(help, std::string{spec.flag} + " ")) << spec.flag;
        if (!spec.flag_help.empty()) {
            EXPECT_TRUE(contains(help, std::string{spec.flag_help})) << spec.flag_help;
        }
    }
}

}  // namespace
}  // namespace roomctl::config
