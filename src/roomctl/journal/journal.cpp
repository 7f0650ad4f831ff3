#include "roomctl/journal/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "roomctl/report/json.hpp"
#include "roomctl/util/error.hpp"

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

Journal::Journal(const std::string& path) : m_path(path) {
    std::error_code ec;
    auto dir = fs::path{path}.parent_path();
    if (!dir.empty()) {
        fs::create_directories(dir, ec);
        if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    m_fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        throw config_error(fmt::format("cannot open journal {}: {} (set --journal to a writable file)",
                                       path, std::strerror(errno)));
    }
}

Journal::~Journal() {
    if (m_fd >= 0) ::close(m_fd);
}

void Journal::append(const nlohmann::json& line) {
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        auto n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw runtime_error(fmt::format("cannot write journal {}: {}", m_path, std::strerror(errno)));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(m_fd) != 0) {
        throw runtime_error(fmt::format("cannot flush journal {}: {}", m_path, std::strerror(errno)));
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
        // Enough to recreate the room by hand if the delete was a mistake.
        const auto& r = *a.server_room;
        line["server_room"] = {{"name", r.name},
                               {"sid", r.sid},
                               {"creation_time", r.creation_time},
                               {"empty_timeout_seconds", r.empty_timeout},
                               {"departure_timeout_seconds", r.departure_timeout},
                               {"max_participants", r.max_participants},
                               {"metadata", r.metadata}};
    }
    return line;
}

}  // namespace roomctl::journal
