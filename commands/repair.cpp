// roomctl recreate / cleanup: plan by default, act with --apply.

#include <fmt/format.h>

#include "commands.hpp"
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
};

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
        options.on_finished = [&printer](const reconcile::Action& a) {
            printer.status(fmt::format("{} {} {}: {}", reconcile::to_string(a.status),
                                       reconcile::to_string(a.kind), a.room,
                                       a.error.empty() ? a.reason : a.error));
        };
        code = exit_code_after(reconcile::execute(plan, ports, options));
    }
    printer.result(report::plan_json(command, plan, f.apply, audit.summary),
                   report::render_plan(command, plan, f.apply, {printer.options().color, ctx.now()}));
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
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
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
