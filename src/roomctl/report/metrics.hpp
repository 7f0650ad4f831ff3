#pragma once
// Run metrics in the Prometheus text exposition format, for node_exporter's textfile
// collector: the file is written to a temporary name in the same directory and renamed, so
// the collector never reads half a file. Give each scheduled job its own file.
//
//   roomctl_rooms{provider,kind}                 rooms by audit finding (and in_sync)
//   roomctl_actions{provider,command,kind,status} actions of this run
//   roomctl_last_run_timestamp_seconds{provider,command}
//   roomctl_run_duration_seconds{provider,command}
//   roomctl_exit_code{provider,command}

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"

namespace roomctl::report {

struct RunMetrics {
    std::string command;
    std::string provider;
    std::optional<reconcile::AuditSummary> audit;
    std::map<std::tuple<std::string, std::string>, std::size_t> actions;  // (kind, status) -> n
    std::int64_t finished_at = 0;  // unix seconds
    double duration_seconds = 0;
    int exit_code = 0;

    void count(const reconcile::Plan& plan);
};

// The text of the metrics file (ends with a newline; label values escaped).
std::string render_prometheus(const RunMetrics& m);

// Writes `text` to `path` atomically (temp file in the same directory, fsync, rename).
// Throws Error(runtime) naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace roomctl::report
