#pragma once
// The one place that acts. Runs a plan's `planned` actions against the media server and the
// database, updating each action's status in place; never throws for one failed action (it
// is recorded, the rest go on). Before each delete it re-checks that no live row claims the
// room and that nobody joined since the audit, because the audit's view may be minutes old.
//
// Creating is two-phase: create on the server, then record the SID (conditional on the SID
// the row held when read). SIDs that workers finish together are written in one statement;
// when that statement fails for a reason of its rows (a UNIQUE conflict, a SID too long for
// the column, a held row's timeout), each row is written alone, so one bad row fails alone (a
// lost connection or a commit in doubt is shared by the whole batch). Writes never truncate:
// a SID the column cannot hold exactly is an error (store::SidRejected).
// If recording fails or changes no row, the executor reads the row back: recorded after all
// -> done; unchanged -> one more write; the app's own SID -> left alone (skipped); no live
// row any more (the session ended while its room was being created) -> the room is deleted
// again when nobody is in it (ActionStatus::compensated); the second write changes no row
// either while the row still reads back live and unchanged (a BEFORE UPDATE trigger returned
// NULL) -> deleted again too (ActionStatus::compensated, reason "a trigger on the table
// ignored the update (names)" or "the database ignored the update"); still unrecorded after
// a failed write -> deleted again too (failed, Action::compensated). An update_sid action
// whose write the database ignored fails saying so (nothing is deleted: the room predates
// the run). When deleting is impossible (or
// the row cannot be read back after an in-doubt or lost write) it fails with an error naming
// the room, its SID and the row. It stops starting actions when the journal cannot be
// written or another run took the advisory lock (ExecutionSummary::halted).
//
// Without a SID column (ExecuteOptions::record_sids false) no SID is ever written and no
// compare-and-set protects a create: right before CreateRoom the executor asks the store
// afresh whether a live row still wants the room (is_live); when none does, the action is
// skipped and nothing is created. Once created, the row is asked again: still live -> done
// ("nothing recorded"); ended meanwhile -> the room is deleted again when nobody is in it
// (ActionStatus::compensated, as with a SID column); unreadable -> failed naming the room and
// its SID (it is kept). An update_sid action is skipped without a write.
//
// Interrupts: `interrupted` only stops new actions from starting; cancelling calls in flight
// is the job of the server client's and the store's cancel paths (an action they cut short
// fails with an Error(interrupted) message).

#include <atomic>
#include <functional>
#include <memory>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

struct ExecutorPorts {
    // Called once per worker thread: each worker gets its own server client (and connection).
    std::function<std::unique_ptr<media::MediaServer>()> make_server;
    // Shared; the executor serialises access to it. Rows are addressed by their server room
    // (store::RoomStore: the template is applied by the server).
    store::RoomStore* store = nullptr;
};

struct ExecuteOptions {
    unsigned concurrency = 4;  // parallel server calls, >= 1
    // Seconds, for create_room actions without their own Action::empty_timeout.
    std::uint32_t empty_timeout = 0;
    std::uint32_t departure_timeout = 0;  // seconds, for create_room
    bool include_occupied = false;        // delete_room: allow rooms with participants
    // False when the mapping has no SID column ([rooms] sid_column = "",
    // config::RoomMapping::records_sids()): see above.
    bool record_sids = true;
    const std::atomic<bool>* interrupted = nullptr;  // set by SIGINT: stop starting actions
    // Called under a lock right before an action touches anything (the journal's "start"
    // line). If it throws, the action is not performed, it fails with that message, and no
    // further action starts: nothing may happen that could not be recorded.
    std::function<void(const Action&)> on_started;
    std::function<void(const Action&)> on_finished;  // outcome and progress; under a lock
    // When set, on_started and on_finished only append their record (the journal line, no
    // fsync) and this makes every record appended so far durable (the journal's fsync). The
    // executor calls it outside its locks, one call at a time, and workers waiting together
    // share one call (group commit, util/group_commit.hpp): an action still starts only once
    // its start record is durable; a worker's end record becomes durable with its next start
    // record or, for its last action, before execute() returns. When it throws, no further
    // action starts (as when on_started throws), and an action whose end record it did not
    // make durable gets "outcome not recorded: ..." as its error. Unset: each callback must
    // make its own record durable, and workers take turns.
    std::function<void()> sync;
};

struct ExecutionSummary {
    // Counts by final status; not_started counts actions that never started (reported as
    // skipped with a reason starting "not started:"; they are not in `skipped`).
    std::size_t done = 0, failed = 0, skipped = 0, not_started = 0, compensated = 0;
    bool interrupted = false;   // the interrupt flag was set (exit 130)
    bool auth_refused = false;  // at least one failure was refused credentials
    // The run stopped starting actions on its own: the journal could not be written (before or
    // after an action: halt_kind runtime, exit 1) or another run took the advisory lock
    // (halt_kind locked, exit 7). halt_reason is one line for the error output: the cause, the
    // action it stopped at, what to do, and how many actions were not started.
    bool halted = false;
    std::string halt_reason;
    ErrorKind halt_kind = ErrorKind::runtime;
};

ExecutionSummary execute(Plan& plan, const ExecutorPorts& ports, const ExecuteOptions& options);

}  // namespace roomctl::reconcile
