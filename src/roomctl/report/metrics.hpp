#pragma once
// Run metrics in the Prometheus text exposition format, for node_exporter's textfile
// collector: the file is written to a temporary name in the same directory and renamed, so
// the collector never reads half a file. Give each scheduled job its own file.
//
//   roomctl_rooms{provider,kind}                 rooms by audit finding (and in_sync)
//   roomctl_actions{provider,command,kind,status} actions of this run
//   roomctl_last_run_timestamp_seconds{provider,command}      every run, failed or not
//   roomctl_last_success_timestamp_seconds{provider,command}  the last run that did its work
//   roomctl_run_duration_seconds{provider,command}
//   roomctl_exit_code{provider,command}
//
// Alert on `time() - roomctl_last_success_timestamp_seconds`: a run that did not do its work
// (lock refused, database down, refused as unsafe, interrupted, partial) refreshes only the
// last-run timestamp; the success timestamp is carried over from the file's previous content
// (0 when no run ever succeeded). The provider label is "unknown" only when not even the
// flags, environment or config file name one.

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
    std::int64_t finished_at = 0;                                         // unix seconds
    double duration_seconds = 0;
    int exit_code = 0;
    // Unix seconds of the last successful run: this one's finished_at when it succeeded (see
    // run_succeeded), else the previous file's value (read_last_success); nullopt renders 0.
    std::optional<std::int64_t> last_success;

    void count(const reconcile::Plan& plan);
};

// Whether a run of `command` that ended with `exit_code` did its work: exit 0, or exit 5 from
// `audit` (drift found is a completed audit: alert on roomctl_rooms for it, not on staleness).
// Everything else failed to do its work: 1, 3, 4, 6 (partial), 7 (locked out), 8 (refused as
// unsafe), 130 (interrupted), and 5 from `check` (a failed probe).
bool run_succeeded(const std::string& command, int exit_code);

// The roomctl_last_success_timestamp_seconds value in the metrics file at `path`; nullopt when
// the file is missing or unreadable, or holds no such sample. Never throws.
std::optional<std::int64_t> read_last_success(const std::string& path);

// The text of the metrics file (ends with a newline; label values escaped).
std::string render_prometheus(const RunMetrics& m);

// Writes `text` to `path` atomically (temp file in the same directory, fsync, rename).
// Throws Error(runtime) naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace roomctl::report
