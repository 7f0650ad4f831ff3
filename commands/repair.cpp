// roomctl recreate / cleanup: plan by default, act with --apply.

#include <fmt/format.h>

#include "apply_guard.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/journal/deleted_rooms.hpp"
#include "roomctl/journal/journal.hpp"
#include "roomctl/reconcile/executor.hpp"
#include "roomctl/reconcile/planner.hpp"
#include "roomctl/reconcile/previous_rooms.hpp"
#include "roomctl/reconcile/safety.hpp"
#include "roomctl/report/plan_view.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

struct RepairFlags {
    bool apply = false;
    unsigned concurrency = 4;
    std::string empty_timeout, departure_timeout;  // recreate
    std::string starting_within;                   // recreate (and audit): with starts_column
    std::string min_age;                           // cleanup
    bool include_occupied = false;                 // cleanup
    std::vector<std::string> keep;                 // cleanup: glob patterns never deleted
    unsigned max_deletes = 0;                      // cleanup: see CleanupPolicy::max_deletes
    CLI::Option* max_deletes_opt = nullptr;
    bool allow_empty_database = false;  // cleanup: see reconcile/safety.hpp
    bool allow_name_mismatch = false;
    ScopeArgs scope;  // NAME..., --session: act on those rooms only (reconcile/scope.hpp)
};

// --journal, else the XDG state file; empty when there is none.
std::string journal_path(const Context& ctx) {
    return ctx.globals.journal.empty() ? journal::default_path(config::process_environment())
                                       : ctx.globals.journal;
}

// Opens the journal of an --apply run.
std::unique_ptr<journal::Journal> open_journal(Context& ctx) {
    auto path = journal_path(ctx);
    if (path.empty()) {
        ctx.printer().warn("no journal: neither --journal, XDG_STATE_HOME nor HOME is set");
        return nullptr;
    }
    return std::make_unique<journal::Journal>(path);
}

// The executor's summary -> exit code: all good 0; some failed, or a room was created and
// deleted again because its row stopped wanting it, 6; nothing succeeded 1 (4 if the
// credentials were refused); the run stopped itself 1 (journal) or 7 (lock lost);
// interrupted 130.
int exit_code_after(const reconcile::ExecutionSummary& s) {
    if (s.interrupted) return to_int(ExitCode::interrupted);
    if (s.halted) return to_int(exit_code_for(s.halt_kind));
    if (s.failed == 0) return to_int(s.compensated > 0 ? ExitCode::partial : ExitCode::ok);
    if (s.done > 0 || s.compensated > 0) return to_int(ExitCode::partial);
    return to_int(s.auth_refused ? ExitCode::auth : ExitCode::failure);
}

void apply_flags(config::Settings& s, const RepairFlags& f) {
    config::apply_command_flag(s, "recreate.empty_timeout", "--empty-timeout", f.empty_timeout);
    config::apply_command_flag(s, "recreate.departure_timeout", "--departure-timeout",
                               f.departure_timeout);
    config::apply_command_flag(s, "recreate.starting_within", "--starting-within",
                               f.starting_within);
    config::apply_command_flag(s, "cleanup.min_age", "--min-age", f.min_age);
    if (f.max_deletes_opt && f.max_deletes_opt->count() > 0)
        config::apply_command_flag(s, "cleanup.max_deletes", "--max-deletes",
                                   std::to_string(f.max_deletes));
}

// The run's settings: the resolved ones with this command's flags over them, parsed by the
// settings registry as the global flags are (a malformed value is Error(usage)). The flags are
// checked on a scratch copy first, so that a malformed one is a usage error (exit 2) before any
// config file is read, as a malformed global flag is.
config::Settings command_settings(Context& ctx, const RepairFlags& f) {
    config::Settings scratch;
    apply_flags(scratch, f);
    auto s = ctx.settings();
    apply_flags(s, f);
    config::require_schedules(s, !f.starting_within.empty());
    return s;
}

// What one recreate or cleanup run holds: its connections, and for --apply the guard that
// named the targets and holds the table's run lock.
struct Run {
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
    std::unique_ptr<ApplyGuard> guard;
    std::vector<reconcile::Refusal> refusals;
};

// Connects and, for --apply, passes the guard (targets, pooler, lock) before reading
// anything the plan depends on.
void open_run(Context& ctx, const RepairFlags& f, Run& run) {
    if (!run.server) run.server = ctx.media_server();
    if (!f.apply) return;
    run.store = ctx.room_store();
    run.guard = std::make_unique<ApplyGuard>(ctx, *run.store, *run.server);
}

reconcile::SafetyOptions safety_options(const config::Settings& s, const RepairFlags& f,
                                        reconcile::SafetyOptions::Command command) {
    reconcile::SafetyOptions o;
    o.command = command;
    o.allow_empty_database = f.allow_empty_database;
    o.allow_name_mismatch = f.allow_name_mismatch;
    o.max_deletes_explicit = s.origins.at("cleanup.max_deletes").source == config::Source::flag;
    o.max_deletes = s.max_deletes;
    o.keep = s.keep;
    o.keep.insert(o.keep.end(), f.keep.begin(), f.keep.end());
    return o;
}

// The write limiter's account of the run (for LiveKit the one limit of every call).
report::RateSummary rate_summary(Context& ctx) {
    const auto& limits = ctx.rate_limits();
    const auto stats = limits.writes->stats();
    report::RateSummary r;
    r.counts = limits.writes == limits.reads ? "requests" : "writes";
    r.limit = stats.limit;
    r.effective = stats.effective;
    r.requests = stats.requests;
    r.refused = stats.refused;
    r.slowdowns = stats.slowdowns;
    r.paused_ms = stats.paused.count();
    return r;
}

int finish(Context& ctx, const std::string& command, reconcile::Plan& plan,
           const reconcile::AuditResult& audit, const RepairFlags& f, Run& run,
           reconcile::ExecuteOptions options, const nlohmann::json& scope) {
    auto& printer = ctx.printer();
    int code = 0;
    const bool refused = f.apply && !run.refusals.empty();
    std::optional<reconcile::ExecutionSummary> executed;
    std::optional<report::RateSummary> rate;  // what the rate limit did, once acted
    if (run.guard) printer.status("acting on " + run.guard->summary());
    // Said once per run, not per row: without a SID column nothing is recorded and rows and
    // rooms are matched by name.
    if (!ctx.settings().rooms.records_sids()) printer.status(reconcile::name_only_notice());
    if (f.apply && !refused && plan.count(reconcile::ActionStatus::planned) > 0) {
        reconcile::ExecutorPorts ports;
        ports.make_server = [&ctx] { return ctx.media_server(); };
        ports.store = run.store.get();
        options.concurrency = f.concurrency;
        options.record_sids = ctx.settings().rooms.records_sids();
        options.interrupted = &ctx.interrupted;
        // A progress bar on a terminal, else one status line per action (progress.hpp).
        ActionProgress progress(ctx, command, plan.count(reconcile::ActionStatus::planned));
        auto journal = open_journal(ctx);
        const auto provider = config::to_string(ctx.settings().provider);
        // The executor group-commits the journal's fsyncs (options.sync): 32 workers share one
        // fsync instead of queueing for one each, and a start line is still durable before
        // its action touches anything.
        options.on_started = [&](const reconcile::Action& a) {
            if (journal) {
                journal->append_unsynced(journal::entry(command, provider, "start", a, ctx.now()));
            }
        };
        options.on_finished = [&](const reconcile::Action& a) {
            if (journal) {
                journal->append_unsynced(journal::entry(command, provider, "end", a, ctx.now()));
            }
            progress.finished(a);
        };
        if (journal) options.sync = [&] { journal->sync(); };
        executed = reconcile::execute(plan, ports, options);
        code = exit_code_after(*executed);
        progress.close();
        rate = rate_summary(ctx);
        if (rate->refused > 0) printer.status(report::render_rate_summary(*rate));
    }
    ctx.metrics.provider = config::to_string(ctx.settings().provider);
    ctx.metrics.audit = audit.summary;
    ctx.metrics.count(plan);
    const auto& shown_refusals = f.apply ? run.refusals : std::vector<reconcile::Refusal>{};
    // "applied" says whether the run acted: a refused run did not.
    const bool applied = f.apply && !refused;
    auto doc = report::plan_json(command, plan, applied, audit.summary, shown_refusals);
    if (run.guard) doc["targets"] = run.guard->targets();
    if (rate) doc["rate"] = report::rate_json(*rate);
    if (!scope.is_null()) doc["scope"] = scope;
    if (refused) {
        doc["error"] = {{"message", "refused as unsafe: nothing was changed"},
                        {"exit_code", to_int(ExitCode::unsafe)}};
    }
    printer.result(doc,
                   report::render_plan(command, plan, applied, ctx.text_style(), shown_refusals));
    if (refused) {
        for (const auto& r : run.refusals) printer.error("refused as unsafe: " + r.reason);
        return to_int(ExitCode::unsafe);
    }
    if (executed && executed->halted) printer.error(executed->halt_reason);
    return code;
}

// Where the settings of the rooms recreate creates come from (reconcile/room_settings.hpp):
// [recreate]'s explicit values, checked against what the provider accepts before anything is
// read, then each missing row's old room.
reconcile::RoomSettingSources settings_sources(Context& ctx, const config::Settings& s,
                                               const RepairFlags& f, media::MediaServer& server,
                                               const reconcile::AuditResult& audit) {
    auto sources = reconcile::room_setting_sources(s, server.provider());
    journal::DeletedRoomIndex journal_rooms(journal_path(ctx), server.provider());
    reconcile::PreviousRoomLookup lookup;
    lookup.make_server = [&ctx] { return ctx.media_server(); };
    lookup.concurrency = f.concurrency;
    lookup.journal = [&journal_rooms](const std::string& sid, const std::string& room) {
        return journal_rooms.find(sid, room);
    };
    lookup.interrupted = &ctx.interrupted;
    sources.previous = reconcile::find_previous_rooms(audit, sources, reconcile::mapped_settings(s),
                                                      !s.rooms.records_sids(), lookup);
    return sources;
}

// [recreate]'s values alone, before any work: a value the provider cannot honour is the
// configuration's fault (exit 3), named as the file names it.
void check_fixed_settings(const config::Settings& s, const media::MediaServer& server) {
    const auto fixed = reconcile::resolve_room_settings(
        reconcile::room_setting_sources(s, server.provider()), {}, nullptr);
    try {
        server.validate(fixed.options);
    } catch (const Error& e) {
        throw config_error(fmt::format("[recreate]: {}", e.what()));
    }
}

int run_recreate(const RepairFlags& f, Context& ctx) {
    const auto s = command_settings(ctx, f);
    reconcile::ExecuteOptions options;
    options.empty_timeout = s.empty_timeout;
    options.departure_timeout = s.departure_timeout;
    if (options.empty_timeout == 0) {
        throw usage_error("--empty-timeout must be at least 1s (LiveKit treats 0 as its default)");
    }
    Run run;
    // Options the provider cannot honour (Twilio: whole minutes 1-60) fail before any work.
    run.server = ctx.media_server();
    media::CreateRoomOptions sample;
    sample.empty_timeout = options.empty_timeout;
    sample.departure_timeout = options.departure_timeout;
    run.server->validate(sample);
    check_fixed_settings(s, *run.server);
    open_run(ctx, f, run);
    // A scope narrows the findings, not what is read: the safety gate judges the whole.
    reconcile::GatherOptions gather;
    gather.counts.concurrency = f.concurrency;
    const auto scoped = audit_scoped(ctx, run.store, run.server, s, f.scope, gather);
    const auto& audit = scoped.scoped;
    reconcile::RecreatePolicy policy;
    policy.max_name_length = run.server->max_room_name_length();
    policy.records_sids = s.rooms.records_sids();
    // Scheduled sessions get rooms that last until their start plus the margin.
    policy.schedules = !s.rooms.starts_column.empty();
    policy.now = ctx.now();
    policy.empty_timeout = options.empty_timeout;
    policy.max_empty_timeout = run.server->max_empty_timeout();
    policy.empty_timeout_step = run.server->empty_timeout_step();
    policy.provider = run.server->provider();
    policy.room_settings = settings_sources(ctx, s, f, *run.server, audit);
    policy.validate = [&server = *run.server](const media::CreateRoomOptions& o) {
        server.validate(o);
    };
    auto plan = reconcile::plan_recreate(audit, policy);
    const auto guessed = reconcile::settings_guess_warning(plan);
    if (!guessed.empty()) ctx.printer().warn(guessed);
    if (run.guard) {
        run.refusals =
            reconcile::assess(scoped.whole, run.guard->facts(),
                              safety_options(s, f, reconcile::SafetyOptions::Command::recreate));
    }
    const auto scope = report_scope(ctx, scoped, f.scope, plan, reconcile::ScopedCommand::recreate);
    return finish(ctx, "recreate", plan, audit, f, run, options, scope);
}

int run_cleanup(const RepairFlags& f, Context& ctx) {
    const auto s = command_settings(ctx, f);
    reconcile::CleanupPolicy policy;
    policy.min_age = s.min_age;
    policy.include_occupied = f.include_occupied;
    const auto safety = safety_options(s, f, reconcile::SafetyOptions::Command::cleanup);
    policy.keep = safety.keep;
    policy.max_deletes = safety.max_deletes;
    Run run;
    open_run(ctx, f, run);
    // A scope narrows the findings, not what is read: the safety gate and the --max-deletes
    // cap judge the whole picture. Kept rooms are never deleted: their occupancy is not read.
    reconcile::GatherOptions gather;
    gather.keep = policy.keep;
    gather.counts.concurrency = f.concurrency;
    const auto scoped = audit_scoped(ctx, run.store, run.server, s, f.scope, gather);
    const auto& audit = scoped.scoped;
    if (scoped.narrowed)
        policy.picture_candidates = reconcile::cleanup_candidates(scoped.whole, policy.keep);
    // Ages are measured on the server's clock: a local clock that runs ahead must not make a
    // room created a minute ago look old enough to delete.
    policy.now = ctx.now() + run.server->clock_offset().value_or(0);
    auto plan = reconcile::plan_cleanup(audit, policy);
    if (run.guard) run.refusals = reconcile::assess(scoped.whole, run.guard->facts(), safety);
    reconcile::ExecuteOptions options;
    options.include_occupied = f.include_occupied;
    const auto scope = report_scope(ctx, scoped, f.scope, plan, reconcile::ScopedCommand::cleanup);
    return finish(ctx, "cleanup", plan, audit, f, run, options, scope);
}

void add_allow_name_mismatch(CLI::App* cmd, RepairFlags& f) {
    cmd->add_flag("--allow-name-mismatch", f.allow_name_mismatch,
                  "Act on the rest while audit reports name_mismatch (those rooms and rows are "
                  "still left alone)");
}

void add_common(CLI::App* cmd, RepairFlags& f) {
    cmd->add_flag("--apply", f.apply, "Act on the plan (without it, nothing is changed)");
    cmd->add_option("--concurrency", f.concurrency, "Parallel server calls (default 4)")
        ->check(CLI::Range(1u, 64u));
}

}  // namespace

void register_recreate(CLI::App& root, Context& ctx) {
    auto f = std::make_shared<RepairFlags>();
    auto* cmd = root.add_subcommand("recreate",
                                    "Recreate rooms missing on the server and record their SIDs");
    add_common(cmd, *f);
    add_scope_args(cmd, f->scope, "recreate (or record the SID of)", false);
    cmd->add_option("--empty-timeout", f->empty_timeout,
                    "Seconds a recreated room lives while nobody joins (default 3600; 1h works)");
    cmd->add_option("--departure-timeout", f->departure_timeout,
                    "Seconds a room lives after its last participant leaves (default: server's)");
    cmd->add_option("--starting-within", f->starting_within,
                    "With [rooms] starts_column: create only rooms of sessions starting within "
                    "this, e.g. 15m from cron (default 15m)");
    add_allow_name_mismatch(cmd, *f);
    cmd->footer(
        "For each missing room: CreateRoom on the server, then write the server's SID into the\n"
        "live row, but only if the row still holds the SID that was read. For SID drift: write\n"
        "the server's SID under the same condition. Plans by default; --apply acts.\n"
        "Without [rooms] sid_column nothing is recorded: each row is re-checked right before\n"
        "its room is created. With [rooms] starts_column only sessions starting within\n"
        "--starting-within get a room (started ones too), each with an empty timeout covering\n"
        "the wait until the start plus --empty-timeout (Twilio keeps an unused room at most\n"
        "60 minutes: later sessions are skipped, run recreate from cron instead).\n"
        "--apply first names its targets and refuses (exit 8, nothing changed) when the\n"
        "picture cannot be trusted: row-level security hiding rows, unknown status words, a\n"
        "name_mismatch, a transaction-mode pooler, DATABASE_URL overriding --config.\n"
        "NAME... or --session ID acts on those rooms only, as a full run would (the SID is\n"
        "recorded); every row and room is still read, and the refusals above still judge the\n"
        "whole picture. A NAME no row and no server room has is an error (exit 1, nothing\n"
        "changed); one in sync is said so (exit 0).\n"
        "Exit 0 all done, 6 some actions failed (or a room was deleted again because its\n"
        "session ended meanwhile), 1 all failed, 4 credentials refused, 7 locked, 8 refused.\n\n"
        "Examples:\n"
        "  roomctl recreate                        # show the plan\n"
        "  roomctl recreate session-42 --apply     # just that room, SID recorded\n"
        "  roomctl recreate --session 42 --apply\n"
        "  roomctl recreate --apply --empty-timeout 2h --concurrency 8\n"
        "  roomctl recreate --apply --starting-within 45m --empty-timeout 15m   # from cron");
    cmd->callback([f, &ctx] {
        ctx.command = "recreate";
        ctx.exit_code = run_recreate(*f, ctx);
    });
}

void register_cleanup(CLI::App& root, Context& ctx) {
    auto f = std::make_shared<RepairFlags>();
    auto* cmd = root.add_subcommand("cleanup", "Delete orphaned rooms from the server, safely");
    add_common(cmd, *f);
    add_scope_args(cmd, f->scope, "delete (when orphaned)", false);
    cmd->add_option("--min-age", f->min_age, "Never delete rooms younger than this (default 10m)");
    cmd->add_flag("--include-occupied", f->include_occupied,
                  "Also delete orphaned rooms that have participants");
    cmd->add_option("--keep", f->keep,
                    "Never delete rooms matching this glob (repeatable; also [cleanup] keep)");
    f->max_deletes_opt =
        cmd->add_option("--max-deletes", f->max_deletes,
                        "Delete nothing when more than N rooms are orphan candidates, young and "
                        "occupied ones included (default 25)")
            ->check(CLI::Range(0u, 1'000'000u));
    cmd->add_flag("--allow-empty-database", f->allow_empty_database,
                  "Delete rooms no row names even when the table shows no live row, or such "
                  "rooms are most of the server's");
    add_allow_name_mismatch(cmd, *f);
    cmd->footer(
        "Deletes server rooms no live row owns. Skips rooms younger than --min-age and rooms\n"
        "with participants; right before each delete it re-checks the database and the\n"
        "participant list. A room that is already gone counts as done. Ages are measured on\n"
        "the server's clock. A room whose own row says ended is deleted; a room that no row\n"
        "names only when the database is believable: --apply refuses (exit 8, nothing\n"
        "changed) when the table shows no live row, or such rooms are more than half of the\n"
        "server's (and at least 10), unless --allow-empty-database or an explicit\n"
        "--max-deletes; also when there are more orphan candidates than --max-deletes, and\n"
        "for the reasons recreate gives (row-level security, unknown status words, ...).\n"
        "NAME... or --session ID deletes only those rooms, and only when they are orphaned (a\n"
        "room a live row owns is named and left alone). The refusals, --max-deletes and\n"
        "--allow-empty-database still count the whole table and server: they judge whether\n"
        "the picture can be trusted, and naming a room does not change that.\n\n"
        "Examples:\n"
        "  roomctl cleanup                         # show the plan\n"
        "  roomctl cleanup old-room-7 --apply      # just that orphan\n"
        "  roomctl cleanup --apply --min-age 30m");
    cmd->callback([f, &ctx] {
        ctx.command = "cleanup";
        ctx.exit_code = run_cleanup(*f, ctx);
    });
}

}  // namespace roomctl::cli
