#pragma once
// One register function per command (one file each). Each binds its flags to an options
// struct owned by the callback, calls the core, and hands a report to the printer; the
// callback stores the command's exit code in Context::exit_code.

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace roomctl::cli {

void register_check(CLI::App& root, Context& ctx);
void register_token(CLI::App& root, Context& ctx);
// `token inspect`, added under the `token` command by register_token.
void register_token_inspect(CLI::App& token, Context& ctx);
void register_rooms(CLI::App& root, Context& ctx);
void register_audit(CLI::App& root, Context& ctx);
void register_explain(CLI::App& root, Context& ctx);
// The token an argument gives: the JWT itself, or "-"/empty to read it from stdin (at most
// about 1 MiB); a pasted "Bearer <jwt>" is accepted. Error(usage) when there is none.
std::string read_token_argument(const std::string& arg, Context& ctx);
void register_recreate(CLI::App& root, Context& ctx);
void register_cleanup(CLI::App& root, Context& ctx);
// `completion bash|zsh|fish`, and `man` (not in --help): both generated from `root` as it is
// when they run, so register them after every other command.
void register_completion(CLI::App& root, Context& ctx);
// `config show`, `config set`, `config profiles`: the effective settings and where each came
// from; one key of the config file; the profiles --profile can select.
void register_config(CLI::App& root, Context& ctx);
// `config init`, added under `config` by register_config: writes a new config file (prompts
// on a terminal, flags otherwise), then runs `check`.
void register_config_init(CLI::App& config, Context& ctx);
// `check` with its default flags, printing its report; returns its exit code.
int run_default_check(Context& ctx);
// The global settings flags given, as resolution takes them.
config::FlagValues given_flags(const Context& ctx);

}  // namespace roomctl::cli

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "roomctl/reconcile/scope.hpp"

namespace roomctl::cli {

// Reads the database and the server and compares them (shared by audit, recreate, cleanup).
// `store` receives the open database connection for reuse by the executor.
// `server` receives the media-server client (for its limits and for reuse).
// `settings` are the run's (its command flags applied): with [rooms] starts_column, sessions
// starting later than settings.starting_within are not_yet_due (Inventory::due_within_seconds).
// `inventory`, when given, receives what was read (scoped runs classify the names with it).
// `gather`: keep patterns whose rooms' occupancy is not read (cleanup) and how many participant
// reads run at once; its counts.make_server and interrupted default to the context's.
reconcile::AuditResult audit_now(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                                 std::unique_ptr<media::MediaServer>& server,
                                 const config::Settings& settings,
                                 reconcile::Inventory* inventory = nullptr,
                                 const reconcile::GatherOptions& gather = {});

// A scoped run's command line: NAME… positionals, --session ID, --kind KIND (audit only).
struct ScopeArgs {
    std::vector<std::string> rooms;
    std::string session;
    std::vector<std::string> kinds;
};

// Binds NAME… and --session (and, with `kinds`, --kind) to `args`; `what` says what the
// command does to the named rooms, for the help.
void add_scope_args(CLI::App* cmd, ScopeArgs& args, const std::string& what, bool kinds);

// audit_now, then the scope (reconcile/scope.hpp): `whole` is the full audit (the safety gate
// and the --max-deletes cap judge it), `scoped` only the findings about the named rooms and
// kinds (the plan is made from it). Without any scope argument both are the full audit.
// Throws Error(usage) for a --kind that is no finding kind (before connecting anywhere), and
// Error(runtime) for a session without rows or a name that no row and no server room has.
struct ScopedAudit {
    reconcile::AuditResult whole, scoped;
    reconcile::Scope scope;
    std::vector<reconcile::NamedRoom> names;
    bool narrowed = false;  // any scope argument was given
    std::size_t dropped = 0;
};
ScopedAudit audit_scoped(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                         std::unique_ptr<media::MediaServer>& server,
                         const config::Settings& settings, const ScopeArgs& args,
                         const reconcile::GatherOptions& gather = {});

// Prints scope_notes() (declined ones as warnings, the rest as status lines) and returns
// report::scope_json, the document's "scope" object; null when the run was not scoped.
nlohmann::json report_scope(Context& ctx, const ScopedAudit& audit, const ScopeArgs& args,
                            const reconcile::Plan& plan, reconcile::ScopedCommand command);

}  // namespace roomctl::cli
