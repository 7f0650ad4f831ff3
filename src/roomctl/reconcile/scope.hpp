#pragma once
// Scoped runs: `recreate NAME…`, `cleanup NAME…`, `audit NAME…`, `--session ID` and
// `audit --kind KIND`. A scope narrows the FINDINGS (and so the plan), never the inputs: the
// audit still reads every row and every server room, so that name_mismatch, duplicate_name
// and foreign-SID evidence stay what they are in a full run, and the safety gate
// (safety.hpp: assess) and cleanup's --max-deletes cap are still judged on the whole picture
// (they decide whether the picture can be trusted at all; naming one room never lifts them).
// Pure, except session_rooms(), which reads the session's rows through store::RoomStore.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

struct Scope {
    // Server room names (what `rooms list` shows); empty: every room. A finding is about a
    // name when its room is the name, or, for a name_mismatch, the room the row expects is.
    std::vector<std::string> rooms;
    std::set<FindingKind> kinds;  // empty: every kind
    bool everything() const { return rooms.empty() && kinds.empty(); }
};

// Every finding kind's to_string(), in FindingKind's order (for --kind's help and completion).
std::vector<std::string> finding_kind_names();

// "missing" -> FindingKind::missing, for every to_string(FindingKind) value. Throws
// Error(usage) naming the accepted values for anything else.
FindingKind finding_kind(std::string_view text);

// True when `f` is in `scope`.
bool in_scope(const Finding& f, const Scope& scope);

// What one named room is in the whole picture.
enum class NameState {
    finding,  // at least one finding is about it (NamedRoom::kinds)
    in_sync,  // a live row owns it and the server has it with the row's SID: no finding
    ended,    // only ended rows name it and the server has no room of that name
    unknown,  // no row and no server room has that name
};

struct NamedRoom {
    std::string name;
    NameState state = NameState::unknown;
    std::vector<FindingKind> kinds;     // the kinds of its findings, in the audit's order
    std::vector<FindingKind> in_scope;  // those the scope keeps (--kind)
    std::optional<std::string> status;  // in_sync/ended: a row's status
};

// Each scope.rooms name, in the order given (duplicates once), classified over the whole
// picture: the full audit and the inventory it was made from.
std::vector<NamedRoom> name_rooms(const AuditResult& whole, const Inventory& inventory,
                                  const Scope& scope);

// Throws Error(runtime) (exit 1) when any name is NameState::unknown, in one line naming them
// all: a typo must not pass for "nothing to do". Nothing has been changed at that point.
void require_known(const std::vector<NamedRoom>& names);

// Keeps only the findings in `scope` and recounts the summary's finding counters (missing ..
// not_yet_due, unnamed_rows) from them, so in_sync/exit codes speak of the scope. The
// picture's size (database_rooms, live_rooms, server_rooms, in_sync), live_with_sid,
// ended_foreign_sids and unclassified_statuses stay the whole picture's: they are what
// --apply's safety gate judges. Returns how many findings were dropped.
std::size_t scope_findings(AuditResult& audit, const Scope& scope);

enum class ScopedCommand { audit, recreate, cleanup };

// One line about a named room the run does not act on, for the operator.
struct ScopeNote {
    std::string room;
    // True when the run declines what the name asked for (cleanup of a room a live row owns,
    // recreate of an orphan): printed as a warning, never hidden by -q. False for "nothing to
    // do" (in sync, not due yet): a status line.
    bool declined = false;
    std::string message;
};

// For each named room that `plan` has no action about (audit: that has no finding in the
// scope), why: in sync, ended, another command's business, not due yet, left out by --kind.
// `plan` is ignored for ScopedCommand::audit.
std::vector<ScopeNote> scope_notes(const std::vector<NamedRoom>& names, const AuditResult& scoped,
                                   const Plan& plan, ScopedCommand command);

// The server rooms of a session's rows (store.find_session: [rooms] session_column), live or
// not, in the table's order, each once. Throws Error(runtime) when no row has that session, or
// when none of its rows has a room name; what find_session throws (Error(config) when the
// mapping's session column does not exist).
std::vector<std::string> session_rooms(store::RoomStore& store, const config::RoomMapping& mapping,
                                       const std::string& session);

}  // namespace roomctl::reconcile
