#include "roomctl/journal/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "roomctl/report/json.hpp"
#include "roomctl/report/plan_view.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::journal {

namespace fs = std::filesystem;

std::string default_path(const std::map<std::string, std::string>& env) {
    auto get = [&](const char* k) -> std::string {
        auto it = env.find(k);
        return it == env.end() ? std::string{} : it->second;
    };
    fs::path base;
    if (auto x = get("XDG_STATE_HOME"); !x.empty() && fs::path{x}.is_absolute()) {
        base = x;
    } else if (auto home = get("HOME"); !home.empty()) {
        base = fs::path{home} / ".local" / "state";
    } else {
        return {};
    }
    return (base / "roomctl" / "journal.jsonl").string();
}

namespace {

// Creates the missing directories of `dir`, top-down, each 0700 (the journal names rooms and
// SIDs). Directories that already exist keep their mode: `--journal /var/log/x.jsonl` as root
// must not lock other services out of /var/log. Returns the first error, or none.
std::error_code create_private_directories(const fs::path& dir) {
    std::vector<fs::path> missing;
    std::error_code ec;
    for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
        if (fs::exists(p, ec)) break;
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0) {
            if (errno == EEXIST) continue;  // made meanwhile by someone else: not ours to chmod
            return {errno, std::generic_category()};
        }
        // mkdir applied the umask; ours get exactly 0700 whatever it is.
        if (::chmod(it->c_str(), 0700) != 0) return {errno, std::generic_category()};
    }
    return {};
}

// True when the regular file `path` is non-empty and its last byte is not a newline:
// the previous run's last line was torn (disk full, a crash mid-write).
bool ends_torn(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // write-only file: nothing to learn, nothing to fix
    struct stat st {};
    bool torn = false;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        char last = '\n';
        torn = ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
    }
    ::close(fd);
    return torn;
}

}  // namespace

Journal::Journal(const std::string& path) : m_path(path) {
    auto dir = fs::path{path}.parent_path();
    if (!dir.empty()) {
        if (auto ec = create_private_directories(dir)) {
            throw config_error(
                fmt::format("cannot create the journal's directory {}: {} (set "
                            "--journal to a writable file)",
                            dir.string(), ec.message()));
        }
    }
    m_fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        throw config_error(
            fmt::format("cannot open journal {}: {} (set --journal to a writable file)", path,
                        std::strerror(errno)));
    }
    // A torn last line must not merge with this run's first one into a line no reader can
    // parse: end it first. If even that cannot be written, nothing may be done unrecorded.
    if (ends_torn(path)) {
        try {
            write_all("\n");
        } catch (...) {
            ::close(m_fd);
            m_fd = -1;
            throw;
        }
    }
}

Journal::~Journal() {
    if (m_fd >= 0) ::close(m_fd);
}

void Journal::append(const nlohmann::json& line) {
    write_all(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void Journal::append_unsynced(const nlohmann::json& line) {
    write_only(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void Journal::sync() {
    // EINVAL: a special file that cannot be synced (/dev/null); the writes themselves succeeded.
    if (m_sync_failed || (::fsync(m_fd) != 0 && errno != EINVAL)) {
        const int err = m_sync_failed ? EIO : errno;
        m_sync_failed = true;
        throw runtime_error(fmt::format("cannot flush journal {}: {}", m_path, std::strerror(err)));
    }
}

void Journal::write_all(const std::string& text) {
    write_only(text);
    // EINVAL: a special file that cannot be synced (/dev/null); the write itself succeeded.
    if (::fsync(m_fd) != 0 && errno != EINVAL) {
        throw runtime_error(
            fmt::format("cannot flush journal {}: {}", m_path, std::strerror(errno)));
    }
}

void Journal::write_only(const std::string& text) {
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        auto n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw runtime_error(
                fmt::format("cannot write journal {}: {}", m_path, std::strerror(errno)));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

nlohmann::json entry(const std::string& command, const std::string& provider,
                     const std::string& phase, const reconcile::Action& a, std::int64_t unix_time) {
    auto line = report::action_json(a);
    line["time"] = report::iso8601(unix_time);
    line["command"] = command;
    line["provider"] = provider;
    line["phase"] = phase;
    if (a.kind == reconcile::ActionKind::delete_room && a.server_room) {
        // Enough to recreate the room by hand if the delete was a mistake, and what
        // deleted_rooms() gives recreate as the old room's settings. The status callback may
        // carry user:password@: the journal is a file on disk, so only the hidden form is kept
        // (and a hidden value is never replayed).
        const auto& r = *a.server_room;
        line["server_room"] = {{"name", r.name},
                               {"sid", r.sid},
                               {"creation_time", r.creation_time},
                               {"empty_timeout_seconds", r.empty_timeout},
                               {"departure_timeout_seconds", r.departure_timeout},
                               {"max_participants", r.max_participants},
                               {"metadata", r.metadata},
                               {"type", r.type},
                               {"status_callback", hide_userinfo(r.status_callback)},
                               {"status_callback_method", r.status_callback_method},
                               {"media_region", r.media_region}};
    }
    return line;
}

}  // namespace roomctl::journal
