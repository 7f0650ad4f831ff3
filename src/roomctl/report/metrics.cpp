#include "roomctl/report/metrics.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "roomctl/util/error.hpp"

namespace roomctl::report {

namespace {

// Label values escape backslash, double quote and newline (text format 0.0.4).
std::string label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

}  // namespace

void RunMetrics::count(const reconcile::Plan& plan) {
    for (const auto& a : plan.actions) {
        ++actions[{reconcile::to_string(a.kind), reconcile::to_string(a.status)}];
    }
}

std::string render_prometheus(const RunMetrics& m) {
    const std::string base =
        fmt::format("provider=\"{}\",command=\"{}\"", label(m.provider), label(m.command));
    std::string out;
    if (m.audit) {
        const auto& a = *m.audit;
        out += "# HELP roomctl_rooms Rooms by audit finding in the last run.\n";
        out += "# TYPE roomctl_rooms gauge\n";
        for (const auto& [kind, n] : {std::pair{"in_sync", a.in_sync},
                                      {"missing", a.missing},
                                      {"orphaned", a.orphaned},
                                      {"sid_drift", a.sid_drift},
                                      {"name_mismatch", a.name_mismatch},
                                      {"unclassified", a.unclassified},
                                      {"foreign_sid", a.foreign_sid}}) {
            out += fmt::format("roomctl_rooms{{{},kind=\"{}\"}} {}\n", base, kind, n);
        }
    }
    out += "# HELP roomctl_actions Actions of the last run by kind and result.\n";
    out += "# TYPE roomctl_actions gauge\n";
    for (const auto& [key, n] : m.actions) {
        out += fmt::format("roomctl_actions{{{},kind=\"{}\",status=\"{}\"}} {}\n", base,
                           label(std::get<0>(key)), label(std::get<1>(key)), n);
    }
    out += "# HELP roomctl_last_run_timestamp_seconds When the last run finished.\n";
    out += "# TYPE roomctl_last_run_timestamp_seconds gauge\n";
    out += fmt::format("roomctl_last_run_timestamp_seconds{{{}}} {}\n", base, m.finished_at);
    out +=
        "# HELP roomctl_last_success_timestamp_seconds When the last run that did its work "
        "finished (0: never).\n";
    out += "# TYPE roomctl_last_success_timestamp_seconds gauge\n";
    out += fmt::format("roomctl_last_success_timestamp_seconds{{{}}} {}\n", base,
                       m.last_success.value_or(0));
    out += "# HELP roomctl_run_duration_seconds How long the last run took.\n";
    out += "# TYPE roomctl_run_duration_seconds gauge\n";
    out += fmt::format("roomctl_run_duration_seconds{{{}}} {:.3f}\n", base, m.duration_seconds);
    out += "# HELP roomctl_exit_code Exit code of the last run (see roomctl --help).\n";
    out += "# TYPE roomctl_exit_code gauge\n";
    out += fmt::format("roomctl_exit_code{{{}}} {}\n", base, m.exit_code);
    return out;
}

bool run_succeeded(const std::string& command, int exit_code) {
    return exit_code == 0 || (exit_code == 5 && command == "audit");
}

std::optional<std::int64_t> read_last_success(const std::string& path) {
    static const std::string k_name = "roomctl_last_success_timestamp_seconds";
    try {
        std::ifstream in(path);
        std::string line;
        // A textfile-collector file is small; a huge one is not ours to trust.
        for (int n = 0; n < 10'000 && std::getline(in, line); ++n) {
            if (line.compare(0, k_name.size(), k_name) != 0) continue;
            auto rest = line.substr(k_name.size());
            if (rest.empty() || (rest[0] != '{' && rest[0] != ' ')) continue;
            if (rest[0] == '{') {
                auto close = rest.rfind('}');
                if (close == std::string::npos) continue;
                rest = rest.substr(close + 1);
            }
            std::istringstream value(rest);
            double v = 0;  // the text format allows floats ("1.7e+09")
            if (value >> v && v > 0 && v < 1e12) return static_cast<std::int64_t>(v);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

void write_file_atomically(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    fs::path target{path};
    std::string tmp = (target.parent_path() /
                       ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid())))
                          .string();
    auto fail = [&](const char* what) {
        int err = errno;
        ::unlink(tmp.c_str());
        return runtime_error(
            fmt::format("cannot write metrics file {}: {} ({})", path, what, std::strerror(err)));
    };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw fail("open");
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        auto n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw fail("write");
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        throw fail("fsync");
    }
    ::close(fd);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw fail("rename");
}

}  // namespace roomctl::report
