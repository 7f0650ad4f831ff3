// Writing the config file: atomic private files, and one key set with toml++ (config_write.hpp).

#include "roomctl/config/config_write.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <system_error>

#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"

namespace roomctl::config {

namespace fs = std::filesystem;

std::string default_config_path(const std::map<std::string, std::string>& env) {
    fs::path base;
    if (const auto* x = detail::env_value(env, "XDG_CONFIG_HOME"); x && fs::path{*x}.is_absolute())
        base = *x;
    else if (const auto* home = detail::env_value(env, "HOME"))
        base = fs::path{*home} / ".config";
    else
        throw config_error(
            "no place for the config file: neither XDG_CONFIG_HOME nor HOME is set; name one "
            "with --config PATH");
    return (base / "roomctl" / "config.toml").string();
}

std::optional<std::string> find_config_file(const FlagValues& flags,
                                            const std::map<std::string, std::string>& env) {
    return detail::config_file_path(flags, env);
}

std::string target_config_path(const FlagValues& flags,
                               const std::map<std::string, std::string>& env) {
    if (const auto* p = flags.get("--config")) return *p;
    if (const auto* p = detail::env_value(env, "ROOMCTL_CONFIG")) return *p;
    return default_config_path(env);
}

namespace {

std::string os_error(int err) { return std::strerror(err); }

// Creates the missing directories above `file`, each 0700 (existing ones are left alone).
void make_private_dirs(const fs::path& dir) {
    if (dir.empty()) return;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    make_private_dirs(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw config_error(
            fmt::format("cannot create directory {}: {}", dir.string(), os_error(errno)));
}

// Closes and removes the temporary file unless released (the rename took it).
struct TempFile {
    std::string path;
    int fd = -1;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (!path.empty()) ::unlink(path.c_str());
    }
};

}  // namespace

void write_private_file(const std::string& path, std::string_view content, bool overwrite) {
    const fs::path target{path};
    std::error_code ec;
    if (fs::is_directory(target, ec))
        throw config_error(fmt::format("{} is a directory; name a file", path));
    if (!overwrite && fs::exists(target, ec))
        throw config_error(
            fmt::format("{} already exists; pass --force to replace it (or edit it with "
                        "`roomctl config set KEY VALUE`)",
                        path));
    const fs::path dir = target.parent_path().empty() ? fs::path{"."} : target.parent_path();
    make_private_dirs(dir);

    TempFile tmp;
    std::string pattern = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    tmp.fd = ::mkstemp(pattern.data());  // O_EXCL, mode 0600
    if (tmp.fd < 0)
        throw config_error(fmt::format("cannot write in {}: {}", dir.string(), os_error(errno)));
    tmp.path = pattern;
    if (::fchmod(tmp.fd, 0600) != 0)
        throw config_error(
            fmt::format("cannot set mode 0600 on {}: {}", tmp.path, os_error(errno)));
    std::size_t done = 0;
    while (done < content.size()) {
        const auto n = ::write(tmp.fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw config_error(fmt::format("cannot write {}: {}", tmp.path, os_error(errno)));
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(tmp.fd) != 0)
        throw config_error(fmt::format("cannot write {}: {}", tmp.path, os_error(errno)));
    ::close(tmp.fd);
    tmp.fd = -1;
    if (!overwrite) {
        // link() fails with EEXIST where rename() would replace a file created meanwhile.
        if (::link(tmp.path.c_str(), path.c_str()) != 0) {
            const int err = errno;
            throw config_error(
                err == EEXIST ? fmt::format("{} already exists; pass --force to replace it", path)
                              : fmt::format("cannot write {}: {}", path, os_error(err)));
        }
    } else if (::rename(tmp.path.c_str(), path.c_str()) != 0) {
        throw config_error(fmt::format("cannot write {}: {}", path, os_error(errno)));
    } else {
        tmp.path.clear();
    }
    if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::vector<FileProfile> config_file_profiles(const std::string& path) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw config_error(fmt::format("config file {} is not valid TOML: {} at line {}", path,
                                       e.description(), e.source().begin.line));
    }
    std::vector<FileProfile> out;
    if (const auto* profiles = root["profiles"].as_table())
        for (const auto& [name, node] : *profiles)
            if (const auto* t = node.as_table())
                out.push_back({std::string{name.str()}, (*t)["provider"].value_or(std::string{})});
    return out;
}

std::vector<std::string> settable_keys() {
    std::vector<std::string> out;
    for (const auto& spec : settings_registry()) {
        if (!spec.toml.empty() && !spec.secret) out.emplace_back(spec.toml);
        if (!spec.toml_file.empty()) out.emplace_back(spec.toml_file);
    }
    return out;
}

namespace {

// The table at `parts` under `root`, created where missing; Error(usage) when a non-table
// stands in the way.
toml::table& table_at(toml::table& root, const std::vector<std::string>& parts,
                      const std::string& key) {
    toml::table* cur = &root;
    for (const auto& p : parts) {
        auto* n = cur->get(p);
        if (n == nullptr) {
            cur->insert(p, toml::table{});
            n = cur->get(p);
        }
        cur = n->as_table();
        if (cur == nullptr)
            throw usage_error(
                fmt::format("cannot set {}: {} in the config file is not a table", key, p));
    }
    return *cur;
}

std::string secret_hint(const SettingSpec& spec) {
    std::string env;
    for (const auto& v : spec.env)
        if (!v.names_file) {
            env = std::string{v.name};
            break;
        }
    return fmt::format(
        "{} is a secret and a command line is visible to every user (ps) and kept "
        "in shell history; set {} PATH to a 0600 file holding it{}",
        spec.key, spec.toml_file.empty() ? "its *_file key" : spec.toml_file,
        env.empty() ? "" : fmt::format(", or the variable {}", env));
}

}  // namespace

std::string set_config_value(const std::string& existing, const std::string& path,
                             std::string_view key, std::string_view value,
                             const std::string& profile) {
    const SettingSpec* spec = nullptr;
    bool names_file = false;
    for (const auto& s : settings_registry()) {
        if (!s.toml.empty() && (s.toml == key || s.key == key)) spec = &s;
        if (!s.toml_file.empty() && s.toml_file == key) {
            spec = &s;
            names_file = true;
        }
        if (spec != nullptr) break;
    }
    if (spec == nullptr)
        throw usage_error(fmt::format("unknown config key \"{}\"; keys: {}", key,
                                      fmt::join(settable_keys(), ", ")));
    if (spec->secret && !names_file) throw usage_error(secret_hint(*spec));
    if (value.find('\0') != std::string_view::npos)
        throw usage_error(fmt::format("the value of {} contains a NUL character", key));
    const std::string where = names_file ? std::string{spec->toml_file} : std::string{spec->toml};
    if (spec->kind == Kind::database_url && !names_file &&
        (!database_url_secrets(value).empty() || redact_database_url(value) != value))
        throw usage_error(fmt::format(
            "{} holds a password and a command line is visible to every user (ps); give the URL "
            "without it and put the password in ~/.pgpass (or PGPASSFILE)",
            where));

    toml::table root;
    try {
        root = toml::parse(existing, path);
    } catch (const toml::parse_error& e) {
        throw config_error(fmt::format("config file {} is not valid TOML: {} at line {}", path,
                                       e.description(), e.source().begin.line));
    }
    std::vector<std::string> parts;
    if (!profile.empty()) parts = {"profiles", profile};
    std::string_view rest = where;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
        parts.emplace_back(rest.substr(0, dot));
        rest.remove_prefix(dot + 1);
    }
    auto& table = table_at(root, parts, where);
    const std::string leaf{rest};
    const std::string from = fmt::format("config set {}", where);

    if (names_file || spec->kind == Kind::path) {
        if (value.empty())
            table.insert_or_assign(leaf, std::string{});
        else
            table.insert_or_assign(leaf, fs::absolute(fs::path{value}).lexically_normal().string());
    } else {
        const Value v = parse_text(*spec, value, from, true);
        if (spec->kind == Kind::provider && !parse_provider(std::get<std::string>(v)))
            throw usage_error(
                fmt::format("unknown provider \"{}\": expected \"livekit\" or \"twilio\"", value));
        if (const auto* n = std::get_if<std::int64_t>(&v)) {
            table.insert_or_assign(leaf, *n);
        } else if (spec->kind == Kind::list) {
            // "pending, active": one list, split at the commas.
            toml::array arr;
            std::string_view items = value;
            while (!items.empty()) {
                const auto comma = items.find(',');
                auto item = items.substr(0, comma);
                while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
                while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
                if (!item.empty()) arr.push_back(std::string{item});
                if (comma == std::string_view::npos) break;
                items.remove_prefix(comma + 1);
            }
            table.insert_or_assign(leaf, std::move(arr));
        } else if (std::holds_alternative<std::chrono::milliseconds>(v)) {
            table.insert_or_assign(leaf, std::string{value});  // as given: "10m"
        } else {
            table.insert_or_assign(leaf, std::get<std::string>(v));
        }
    }
    std::ostringstream out;
    out << root << "\n";
    return out.str();
}

namespace {

// The whole file, or nullopt when it does not exist. Read with read(2) so that every failure
// (EACCES, EISDIR, EIO) is seen with its errno, where an ifstream would report an empty file.
std::optional<std::string> read_existing(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return std::nullopt;
    std::string text;
    int error = fd < 0 ? errno : 0;
    char buf[8192];
    while (error == 0) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            text.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            error = errno;
        }
    }
    if (fd >= 0) ::close(fd);
    if (error != 0) {
        throw config_error(fmt::format(
            "cannot read {}: {}; fix it (or its permissions), or give another file with --config",
            path, os_error(error)));
    }
    return text;
}

}  // namespace

void set_config_file(const std::string& path, std::string_view key, std::string_view value,
                     const std::string& profile) {
    const auto existing = read_existing(path).value_or("");
    write_private_file(path, set_config_value(existing, path, key, value, profile), true);
}

}  // namespace roomctl::config
