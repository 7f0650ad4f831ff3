// fuzz_config: the config loader (config::resolve_settings) on an untrusted config file.
// Input: the bytes of a roomctl config file (TOML). The loader only reads files, so the input
// is written to <tmpdir>/config.toml and loaded with --config, as `roomctl --config FILE` does.
// A first line "#profile NAME" (a TOML comment) selects [profiles.NAME] through
// ROOMCTL_PROFILE. After a successful load it runs what commands do with settings: the
// require_* checks, `config show` (JSON and text), api_url and the room-name template, whose
// round trip must hold.
//
// Secret files: the loader reads livekit/twilio *_file paths. The temp directory holds
// regular files for the corpus to name ("livekit.secret", "twilio.secret", "token.secret",
// "empty.secret"); an input naming any path outside it (absolute, or with "..") is skipped, so
// the fuzzer never reads /dev/zero, a FIFO or a file of this machine.

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "common.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/report/config_view.hpp"

namespace {

using namespace roomctl;
namespace fs = std::filesystem;

struct Sandbox {
    fs::path dir;
    fs::path config;
    Sandbox() {
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string{tmp != nullptr && *tmp != '\0' ? tmp : "/tmp"} +
                           "/roomctl-fuzz-config.XXXXXX";
        const char* made = mkdtemp(tmpl.data());
        if (made == nullptr) {
            std::perror("mkdtemp");
            std::abort();
        }
        dir = made;
        config = dir / "config.toml";
        auto put = [&](const char* name, const char* content) {
            std::ofstream{dir / name, std::ios::binary} << content;
        };
        put("livekit.secret", "fuzz-livekit-secret-0123456789abcdef\n");
        put("twilio.secret", "fuzz-twilio-secret-0123456789abcdef\r\n");
        put("token.secret", "fuzz-auth-token-0123456789abcdef");
        put("empty.secret", "");
        fs::create_directory(dir / "secrets.d");  // a *_file naming a directory
    }
    ~Sandbox() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

Sandbox& sandbox() {
    static Sandbox s;
    return s;
}

// A path the loader may open: relative, no "..", so it stays inside the sandbox.
bool safe_path(std::string_view p) {
    if (p.empty()) return true;  // the loader refuses empty paths itself
    const fs::path path{std::string{p}};
    if (path.is_absolute()) return false;
    for (const auto& part : path)
        if (part == "..") return false;
    return true;
}

// True when every *_file value the loader could open is safe. Inputs that are not TOML cannot
// name a file; the loader rejects them before reading any.
bool secret_files_safe(std::string_view text) {
    if (text.find("_file") == std::string_view::npos) return true;
    toml::table root;
    try {
        root = toml::parse(text);
    } catch (const toml::parse_error&) {
        return true;
    }
    auto check_tables = [](const toml::table& root) {
        for (const char* t : {"livekit", "twilio"}) {
            const auto* table = root.get_as<toml::table>(t);
            if (table == nullptr) continue;
            for (const auto& [k, v] : *table) {
                const std::string_view key = k.str();
                if (key.size() < 5 || key.substr(key.size() - 5) != "_file") continue;
                if (const auto* s = v.as_string(); s != nullptr && !safe_path(s->get()))
                    return false;
            }
        }
        return true;
    };
    if (!check_tables(root)) return false;
    if (const auto* profiles = root.get_as<toml::table>("profiles")) {
        for (const auto& [name, p] : *profiles)
            if (const auto* t = p.as_table(); t != nullptr && !check_tables(*t)) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    if (!secret_files_safe(text)) return -1;  // -1: keep it out of the corpus

    auto& box = sandbox();
    {
        std::ofstream out{box.config, std::ios::binary | std::ios::trunc};
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out) std::abort();
    }

    config::FlagValues flags;
    flags.set("--config", box.config.string());
    std::map<std::string, std::string> env{{"HOME", box.dir.string()}};
    constexpr std::string_view k_profile = "#profile ";
    if (text.substr(0, k_profile.size()) == k_profile) {
        const auto line = text.substr(k_profile.size(), text.find('\n') - k_profile.size());
        env["ROOMCTL_PROFILE"] = std::string{line};
    }

    fuzz::expect_only_roomctl_errors("config show", [&] {
        const config::Settings s = config::resolve_settings(flags, env);
        fuzz::print_result(report::config_json(s), report::render_config(s));
        (void)config::describe(s);
        fuzz::expect_only_roomctl_errors("check", [&] { config::require_media_server(s); });
        fuzz::expect_only_roomctl_errors("check", [&] { config::require_database(s); });
        fuzz::expect_only_roomctl_errors("check", [&] {
            config::require_livekit_url(s);
            (void)config::api_url(s.livekit);
        });
        // resolve_settings guarantees a template that parses. Where {name} is its only
        // placeholder, a name maps to a room and back; otherwise the name alone names no room,
        // and no reverse mapping may be claimed.
        const auto parts = config::parse_room_template(s.rooms);
        const auto& t = s.rooms.room_name_template;
        const bool name_only =
            std::count(t.begin(), t.end(), '{') == 1 && t.find("{name}") != std::string::npos;
        if (parts.empty()) __builtin_trap();
        for (const std::string name : {"P46odHdPO0wJ", "", "{name}"}) {
            const auto room = config::room_name_for(s.rooms, name);
            const auto back = config::database_name_for(s.rooms, room);
            if (name_only && (!back || *back != name)) __builtin_trap();
            if (!name_only && back) __builtin_trap();
        }
    });
    return 0;
}
