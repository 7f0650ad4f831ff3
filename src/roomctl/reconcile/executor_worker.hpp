#pragma once
// One action of a plan, performed (executor.hpp's contract, action by action): the create's
// two phases and their recovery, the SID update, the delete with its last-moment re-checks.
// execute() (executor.cpp) schedules, journals and counts; this is what each worker runs.

#include <mutex>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/executor.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/reconcile/sid_recorder.hpp"

namespace roomctl::reconcile {

// Performs `a` (status planned) with `server` (this worker's client) and the shared store of
// `ports` (accessed under `store_mutex`; SIDs written through `recorder`), updating its status,
// reason and error in place. Never throws: a failure is recorded in the action (auth_failure,
// lock_lost say why when it matters to the run).
void run_action(Action& a, media::MediaServer& server, const ExecutorPorts& ports,
                std::mutex& store_mutex, SidRecorder& recorder, const ExecuteOptions& options);

}  // namespace roomctl::reconcile
