#pragma once
// The journal of applied actions: one JSON line per event, appended to a file and flushed to
// disk (fsync) before the action it describes proceeds, so a crash or kill -9 loses nothing.
// (The executor group-commits these fsyncs across its workers: append_unsynced + sync; an
// "end" line is written at once and made durable with that worker's next "start" line or
// before the run ends, so only a machine crash in that window could lose it, leaving a start
// without an end: "may or may not have happened", which is the safe reading.)
// Each action writes a "start" line before it touches anything and an "end" line with its
// outcome; a start without an end is an action that may or may not have happened. Deleted
// rooms carry their settings and metadata, so they could be recreated from the journal.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/journal/deleted_rooms.hpp"  // reading the deleted rooms back
#include "roomctl/reconcile/plan.hpp"

namespace roomctl::journal {

// $XDG_STATE_HOME/roomctl/journal.jsonl ($HOME/.local/state/... when unset); empty when
// neither variable gives an absolute directory.
std::string default_path(const std::map<std::string, std::string>& env);

class Journal {
public:
    // Opens `path` for appending: a new file gets mode 0600; missing parent directories are
    // created 0700, while existing ones keep their mode (roomctl changes no directory it did
    // not create). When the file's last line is torn (it does not end with a newline: disk
    // full, a crash mid-write) a newline is written first, so this run's lines never merge
    // with it. Throws Error(config) naming the path when it cannot be opened or a directory
    // cannot be created, Error(runtime) when that newline cannot be written.
    explicit Journal(const std::string& path);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Appends one line and fsyncs. Throws Error(runtime) when the write fails: the caller
    // must not act on something it could not record.
    void append(const nlohmann::json& line);
    // Appends one line without the fsync, for a caller that group-commits: it must call
    // sync() before the action the line describes proceeds. Throws Error(runtime) when the
    // write fails. A line written is in the file even if the process is killed right after.
    void append_unsynced(const nlohmann::json& line);
    // fsyncs every line appended so far. Throws Error(runtime) when that fails; once it has
    // failed it keeps failing (the kernel reports a lost write once). May run while another
    // thread appends (that line may or may not be covered; append it, then sync again).
    void sync();
    const std::string& path() const { return m_path; }

private:
    void write_all(const std::string& text);   // write + fsync; Error(runtime) on failure
    void write_only(const std::string& text);  // write; Error(runtime) on failure

    std::string m_path;
    int m_fd = -1;
    bool m_sync_failed = false;
};

// The line for `action` at `phase` ("start" or "end") of `command` against `provider`.
nlohmann::json entry(const std::string& command, const std::string& provider,
                     const std::string& phase, const reconcile::Action& action,
                     std::int64_t unix_time);

}  // namespace roomctl::journal
