#pragma once
// The safety gate of --apply: decides, before anything is changed, whether the run's picture
// of the database and the server can be trusted enough for recreate or cleanup to act. Pure:
// audit findings and facts the command layer gathered in, refusals out. The command layer
// turns any refusal into Error(ErrorKind::unsafe) (exit 8, "refused as unsafe: nothing was
// changed") before the executor runs, printing every refusal.
//
// Rules (recreate and cleanup unless said):
//   settings_conflict   DatabaseFacts::settings_conflict is not empty (the text is the reason)
//   row_level_security  RLS applies to the role and it is not shown to see every row
//   pooled_session      roomctl's statements do not share one server session (a
//                       transaction-mode pooler: the run lock cannot be held)
//   unclassified_rows   any row's status is in neither live_statuses nor ended_statuses
//   unnamed_rows        cleanup only: live rows have no room name (a column that
//                       room_name_template reads is NULL or empty; AuditSummary::unnamed_rows):
//                       their rooms, whatever the app named them, would look orphaned
//   name_mismatch       audit reports a name_mismatch, unless allow_name_mismatch (the
//                       mismatched rooms and rows themselves are still never acted on: the
//                       planners skip them)
//   foreign_sids        audit reports at least 3 foreign_sid findings and they are more than
//                       half of the live rooms whose row records a SID
//                       (AuditSummary::live_with_sid): the [rooms] mapping is another
//                       provider's (a profile switched provider but kept [rooms]). No flag
//                       overrides it: the fix is the mapping. A minority is only reported (the
//                       planners leave those rows alone) so a table shared across a migration
//                       still works. Live rows only: ended rows of the old provider are history.
//   unbelievable_database  cleanup only: rooms that no row names (not rooms whose own row says
//                       ended: that is positive evidence) exist while the table shows no live
//                       row, or they are more than half of the server's rooms and at least 10;
//                       unless allow_empty_database or max_deletes_explicit
//   max_deletes         cleanup only: more cleanup_candidates() than max_deletes
//
// Without a SID column ([rooms] sid_column = "") every rule stays, judged on name evidence:
// audit matches rows and rooms by name only, so there are no foreign_sid findings and
// live_with_sid is 0 (foreign_sids cannot refuse; nothing is overwritten either: no SID is
// written), name_mismatch pairs only by names, and unbelievable_database and max_deletes
// count rooms no row names, as always. The executor replaces the SID compare-and-set by a
// fresh is_live() look right before each create (executor.hpp). The run says so once:
// name_only_notice().

#include <cstdint>
#include <string>
#include <vector>

#include "roomctl/reconcile/audit.hpp"

namespace roomctl::reconcile {

// What the command layer learned about the database, for assess().
struct DatabaseFacts {
    // Row-level security: applies when it is enabled on the table and the role is neither
    // superuser, BYPASSRLS, nor the owner (or FORCE ROW LEVEL SECURITY is set).
    bool rls_applies = false;
    bool rls_sees_all = true;     // the role's SELECT policies were shown to see every row
    std::string rls_explanation;  // one clause: table, role, policies, rows seen vs estimated
    // False when two of roomctl's connections (or one across transactions) reported different
    // server sessions than one session would: a transaction-mode pooler.
    bool shared_session = true;
    std::string session_evidence;  // one clause: e.g. "backend pid changed from 41 to 57"
    // One line naming both sources and the fix, e.g. DATABASE_URL overriding the config
    // file's [database] url; empty when there is none.
    std::string settings_conflict;
};

struct SafetyOptions {
    enum class Command { recreate, cleanup };
    Command command = Command::recreate;
    bool allow_empty_database = false;  // --allow-empty-database
    bool max_deletes_explicit = false;  // --max-deletes was given on the command line
    std::uint32_t max_deletes = 25;     // cleanup: the effective --max-deletes
    bool allow_name_mismatch = false;   // --allow-name-mismatch
    std::vector<std::string> keep;      // cleanup: keep patterns (their rooms are no candidates)
};

enum class RefusalRule {
    settings_conflict,
    row_level_security,
    pooled_session,
    unclassified_rows,
    unnamed_rows,
    name_mismatch,
    foreign_sids,
    unbelievable_database,
    max_deletes,
};
std::string to_string(RefusalRule r);  // "row_level_security", ...

struct Refusal {
    RefusalRule rule = RefusalRule::settings_conflict;
    std::string reason;  // one line in operator words: what is wrong, then the fix
};

// Every refusal of an --apply run of `options.command`, in the order of RefusalRule; empty
// when it may act. Never throws.
std::vector<Refusal> assess(const AuditResult& audit, const DatabaseFacts& database,
                            const SafetyOptions& options);

// The one status line (stderr) of a recreate or cleanup run whose mapping records no SID:
// "[rooms] sid_column is not set: rooms are matched by name only; ...". Audit's report says
// the same in its own words.
std::string name_only_notice();

// At least this many foreign_sid findings before the foreign_sids rule can refuse: one or two
// stray values are reported, not taken as the signature of another provider's table.
inline constexpr std::size_t k_min_foreign_sids = 3;

// The unclassified status values with their row counts, for messages:
// "\"PAUSED\" (3 rows), NULL (1 row)". Long values are shortened; at most 10 are named.
std::string describe_unclassified(const AuditSummary& summary);

}  // namespace roomctl::reconcile
