#pragma once
// `roomctl recreate|cleanup`: a plan (dry run) or its outcome (--apply) as a JSON document
// and as text, with the safety gate's refusals. The journal writes action_json too. Pure:
// data in, JSON or string out.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/reconcile/safety.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// One action: {"kind", "room", "database_name", "status", "reason", "error" (null when none),
// "database_sid", "server_sid", "new_sid", "num_participants", "compensated"}.
// "num_participants": connected participants of the action's server room (0 when there is
// none, e.g. a create), or null when it is not known; never a made-up 0.
nlohmann::json action_json(const reconcile::Action& a);

// recreate/cleanup: {"applied": bool, "summary": {...}, "refusals": ["one line", ...],
// "actions": [...]}. `refusals` are the safety gate's (reconcile::assess), in its order; an
// empty array when the run was not refused.
nlohmann::json plan_json(const std::string& command, const reconcile::Plan& plan, bool applied,
                         const reconcile::AuditSummary& audit,
                         const std::vector<reconcile::Refusal>& refusals = {});

// `command` is "recreate" or "cleanup"; `applied` false renders the plan of a dry run.
// `refusals` (reconcile::assess) are listed after the plan, one per line, under "--apply is
// refused as unsafe"; with any, the closing line says that nothing was changed, even when
// `applied` (the executor did not run). style.all_rows false (a terminal) leaves out the done
// rows, counted in the summary; style.quiet keeps only failed rows (planned ones in a dry run)
// and prints nothing at all when none is left and nothing was refused; TableFormat::tsv gives
// the table of the shown rows alone.
std::string render_plan(const std::string& command, const reconcile::Plan& plan, bool applied,
                        const TextStyle& style,
                        const std::vector<reconcile::Refusal>& refusals = {});

}  // namespace roomctl::report
