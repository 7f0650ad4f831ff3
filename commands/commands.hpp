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
void register_recreate(CLI::App& root, Context& ctx);
void register_cleanup(CLI::App& root, Context& ctx);
// `completion bash|zsh|fish`, and `man` (not in --help): both generated from `root` as it is
// when they run, so register them after every other command.
void register_completion(CLI::App& root, Context& ctx);
// `config show`: the effective settings and where each came from.
void register_config(CLI::App& root, Context& ctx);

}  // namespace roomctl::cli

#include "roomctl/reconcile/audit.hpp"

namespace roomctl::cli {

// Reads the database and the server and compares them (shared by audit, recreate, cleanup).
// `store` receives the open database connection for reuse by the executor.
// `server` receives the media-server client (for its limits and for reuse).
// `settings` are the run's (its command flags applied): with [rooms] starts_column, sessions
// starting later than settings.starting_within are not_yet_due (Inventory::due_within_seconds).
reconcile::AuditResult audit_now(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                                 std::unique_ptr<media::MediaServer>& server,
                                 const config::Settings& settings);

}  // namespace roomctl::cli
