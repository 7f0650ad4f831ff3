// roomctl recreate / cleanup: plan by default, act with --apply.

#include <fmt/format.h>

#include "commands.hpp"
#include "progress.hpp"
#include "roomctl/journal/journal.hpp"
#include "roomctl/reconcile/executor.hpp"
#include "roomctl/reconcile/planner.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/text.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

struct RepairFlags {
    bool apply = false;
    unsigned concurrency = 4;
    std::string empty_timeout, departure_timeout;  // recreate
    std::string min_age;                           // cleanup
    bool include_occupied = false;                 // cleanup
    std::vector<std::string> keep;                 // cleanup: glob patterns never deleted
    unsigned max_deletes = 0;                      // cleanup: see CleanupPolicy::max_deletes
    CLI::Option* max_deletes_opt = nullptr;
};

// --apply runs of recreate and cleanup exclude each other per provider and table (cron jobs
// that overlap, an operator running by hand during a scheduled run). The lock lives on the
// store's connection until the run ends.
void lock_for_apply(Context& ctx, store::RoomStore& store) {
    const auto& s = ctx.settings();
    auto key = store::advisory_lock_key(s.provider, s.rooms.table);
    if (!store.try_advisory_lock(key)) {
        throw locked_error(fmt::format(
            "another roomctl run holds the lock for {} rooms in {} (advisory lock {}); nothing was "
            "changed, try again when it has finished",
            s.provider, s.rooms.table, key));
    }
}

// Opens the journal of an --apply run: --journal, else the XDG state file.
std::unique_ptr<journal::Journal> open_journal(Context& ctx) {
    auto path = ctx.globals.journal.empty() ? journal::default_path(config::process_environment())
                                            : ctx.globals.journal;
    if (path.empty()) {
        ctx.printer().warn("no journal: neither --journal, XDG_STATE_HOME nor HOME is set");
        return nullptr;
    }
    return std::make_unique<journal::Journal>(path);
}

// done/failed counts -> exit code: all good 0, some failed 6, nothing succeeded 1 (4 if the
// credentials were refused), interrupted 130.
int exit_code_after(const reconcile::ExecutionSummary& s) {
    if (s.interrupted) return to_int(ExitCode::interrupted);
    if (s.failed == 0) return to_int(ExitCode::ok);
    if (s.done > 0) return to_int(ExitCode::partial);
    return to_int(s.auth_refused ? ExitCode::auth : ExitCode::failure);
}

std::uint32_t seconds_or(const std::string& text, std::uint32_t fallback, const char* flag) {
    return text.empty() ? fallback : parse_seconds_u32(text, flag);
}

int finish(Context& ctx, const std::string& command, reconcile::Plan& plan,
           const reconcile::AuditResult& audit, const RepairFlags& f,
           std::unique_ptr<store::RoomStore>& store, reconcile::ExecuteOptions options) {
    auto& printer = ctx.printer();
    int code = 0;
    if (f.apply && plan.count(reconcile::ActionStatus::planned) > 0) {
        reconcile::ExecutorPorts ports;
        ports.make_server = [&ctx] { return ctx.media_server(); };
        ports.store = store.get();
        ports.database_name_for = [&ctx](const std::string& room) {
            return config::database_name_for(ctx.settings().rooms, room);
        };
        options.concurrency = f.concurrency;
        options.interrupted = &ctx.interrupted;
        // A progress bar on a terminal, else one status line per action (progress.hpp).
        ActionProgress progress(ctx, command, plan.count(reconcile::ActionStatus::planned));
        auto journal = open_journal(ctx);
        const auto provider = ctx.settings().provider;
        options.on_started = [&](const reconcile::Action& a) {
            if (journal) journal->append(journal::entry(command, provider, "start", a, ctx.now()));
        };
        options.on_finished = [&](const reconcile::Action& a) {
            if (journal) journal->append(journal::entry(command, provider, "end", a, ctx.now()));
            progress.finished(a);
        };
        code = exit_code_after(reconcile::execute(plan, ports, options));
        progress.close();
    }
    ctx.metrics.provider = ctx.settings().provider;
    ctx.metrics.audit = audit.summary;
    ctx.metrics.count(plan);
    printer.result(report::plan_json(command, plan, f.apply, audit.summary),
                   report::render_plan(command, plan, f.apply, {printer.options().color, ctx.now()}));
    if (plan.capped && f.apply) {
        printer.error(fmt::format(
            "cleanup refused to delete {} rooms: more than --max-deletes {}; nothing was deleted",
            plan.capped_deletes,
            f.max_deletes_opt && f.max_deletes_opt->count() ? f.max_deletes
                                                            : ctx.settings().max_deletes));
        return to_int(ExitCode::failure);
    }
    return code;
}

int run_recreate(const RepairFlags& f, Context& ctx) {
    const auto& s = ctx.settings();
    reconcile::ExecuteOptions options;
    options.empty_timeout = seconds_or(f.empty_timeout, s.empty_timeout, "--empty-timeout");
    options.departure_timeout =
        seconds_or(f.departure_timeout, s.departure_timeout, "--departure-timeout");
    if (options.empty_timeout == 0) {
        throw usage_error("--empty-timeout must be at least 1s (LiveKit treats 0 as its default)");
    }
    // Options the provider cannot honour (Twilio: whole minutes 1-60) fail before any work.
    auto probe_server = ctx.media_server();
    media::CreateRoomOptions sample;
    sample.empty_timeout = options.empty_timeout;
    sample.departure_timeout = options.departure_timeout;
    probe_server->validate(sample);
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
    if (f.apply) {
        server = std::move(probe_server);
        store = ctx.room_store();
        lock_for_apply(ctx, *store);
    }
    auto audit = audit_now(ctx, store, server);
    reconcile::RecreatePolicy policy;
    policy.max_name_length = server->max_room_name_length();
    auto plan = reconcile::plan_recreate(audit, policy);
    return finish(ctx, "recreate", plan, audit, f, store, options);
}

int run_cleanup(const RepairFlags& f, Context& ctx) {
    reconcile::CleanupPolicy policy;
    policy.min_age = f.min_age.empty() ? ctx.settings().min_age : parse_duration(f.min_age);
    policy.include_occupied = f.include_occupied;
    policy.now = ctx.now();
    policy.keep = ctx.settings().keep;
    policy.keep.insert(policy.keep.end(), f.keep.begin(), f.keep.end());
    policy.max_deletes = f.max_deletes_opt->count() ? f.max_deletes : ctx.settings().max_deletes;
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
    if (f.apply) {
        server = ctx.media_server();
        store = ctx.room_store();
        lock_for_apply(ctx, *store);
    }
    auto audit = audit_now(ctx, store, server);
    auto plan = reconcile::plan_cleanup(audit, policy);
    reconcile::ExecuteOptions options;
    options.include_occupied = f.include_occupied;
    return finish(ctx, "cleanup", plan, audit, f, store, options);
}

void add_common(CLI::App* cmd, RepairFlags& f) {
    cmd->add_flag("--apply", f.apply, "Act on the plan (without it, nothing is changed)");
    cmd->add_option("--concurrency", f.concurrency, "Parallel server calls (default 4)")
        ->check(CLI::Range(1u, 64u));
}

}  // namespace

void register_recreate(CLI::App& root, Context& ctx) {
    auto f = std::make_shared<RepairFlags>();
    auto* cmd = root.add_subcommand(
        "recreate", "Recreate rooms missing on the server and record their SIDs");
    add_common(cmd, *f);
    cmd->add_option("--empty-timeout", f->empty_timeout,
                    "Seconds a recreated room lives while nobody joins (default 3600; 1h works)");
    cmd->add_option("--departure-timeout", f->departure_timeout,
                    "Seconds a room lives after its last participant leaves (default: server's)");
    cmd->footer(
        "For each missing room: CreateRoom on the server, then write the server's SID into the\n"
        "live row, but only if the row still holds the SID that was read. For SID drift: write\n"
        "the server's SID under the same condition. Plans by default; --apply acts.\n"
        "Exit 0 all done, 6 some actions failed, 1 all failed, 4 credentials refused.\n\n"
        "Examples:\n"
        "  roomctl recreate                        # show the plan\n"
        "  roomctl recreate --apply --empty-timeout 2h --concurrency 8");
    cmd->callback([f, &ctx] {
        ctx.command = "recreate";
        ctx.exit_code = run_recreate(*f, ctx);
    });
}

void register_cleanup(CLI::App& root, Context& ctx) {
    auto f = std::make_shared<RepairFlags>();
    auto* cmd = root.add_subcommand("cleanup", "Delete orphaned rooms from the server, safely");
    add_common(cmd, *f);
    cmd->add_option("--min-age", f->min_age,
                    "Never delete rooms younger than this (default 10m)");
    cmd->add_flag("--include-occupied", f->include_occupied,
                  "Also delete orphaned rooms that have participants");
    cmd->add_option("--keep", f->keep,
                    "Never delete rooms matching this glob (repeatable; also [cleanup] keep)");
    f->max_deletes_opt =
        cmd->add_option("--max-deletes", f->max_deletes,
                        "Delete nothing when more than N deletes are planned (default 25)")
            ->check(CLI::Range(0u, 1'000'000u));
    cmd->footer(
        "Deletes server rooms no live row owns. Skips rooms younger than --min-age and rooms\n"
        "with participants; right before each delete it re-checks the database and the\n"
        "participant list. A room that is already gone counts as done.\n\n"
        "Examples:\n"
        "  roomctl cleanup                         # show the plan\n"
        "  roomctl cleanup --apply --min-age 30m");
    cmd->callback([f, &ctx] {
        ctx.command = "cleanup";
        ctx.exit_code = run_cleanup(*f, ctx);
    });
}

}  // namespace roomctl::cli
