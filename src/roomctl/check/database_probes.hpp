#pragma once
// `check`'s database layers (probes.hpp lists them all):
//   database.connect   a connection with the configured URL (server version)
//   database.mapping   the table and columns of [rooms] exist, and every status value in the
//                      table is in [rooms] live_statuses or ended_statuses (unknown words are
//                      named with their row counts: while any exist, --apply runs refuse)
//   database.rls       whether row-level security filters what this role reads, the policies
//                      that apply, and the rows seen against the catalog's estimate; failed
//                      when it applies and cannot be shown to let the role see every row
//   database.session   whether roomctl's statements share one server session; failed behind a
//                      transaction-mode pooler (PgBouncer pool_mode=transaction, Supabase's port
//                      6543), where read-only commands work and --apply is refused
// A failed layer marks the ones that need it as skipped.

#include <vector>

#include "roomctl/check/probes.hpp"
#include "roomctl/config/settings.hpp"

namespace roomctl::check {

// Appends the database probes to `out`. Never throws: every failure is a failed probe.
void run_database_probes(const config::Settings& settings, std::vector<Probe>& out);

}  // namespace roomctl::check
