// roomctl audit: compare the database's live rooms with the server's rooms.

#include <fmt/format.h>

#include "apply_guard.hpp"
#include "commands.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "roomctl/report/audit_view.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

reconcile::AuditResult audit_now(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                                 std::unique_ptr<media::MediaServer>& server,
                                 const config::Settings& settings) {
    if (!server) server = ctx.media_server();  // config errors first, before connecting anywhere
    if (!store) store = ctx.room_store();
    auto inventory = reconcile::gather_inventory(*server, *store, settings.rooms);
    if (!settings.rooms.starts_column.empty()) {
        inventory.due_within_seconds = settings.starting_within.count();
    }
    ctx.printer().status(fmt::format("read {} database row(s) and {} server room(s)",
                                     inventory.database.size(), inventory.server.size()));
    return reconcile::audit(inventory);
}

namespace {

// The run's settings: --starting-within over the resolved ones (parsed by the settings
// registry; a malformed value is Error(usage), checked before any config file is read).
config::Settings audit_settings(Context& ctx, const std::string& starting_within) {
    config::Settings scratch;
    config::apply_command_flag(scratch, "recreate.starting_within", "--starting-within",
                               starting_within);
    auto s = ctx.settings();
    config::apply_command_flag(s, "recreate.starting_within", "--starting-within", starting_within);
    config::require_schedules(s, !starting_within.empty());
    return s;
}

int run_audit(Context& ctx, const std::string& starting_within) {
    const auto settings = audit_settings(ctx, starting_within);
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
    auto result = audit_now(ctx, store, server, settings);
    // What an --apply run would refuse, said here too: a read-only run still reports, but
    // its picture may be partial.
    const auto facts = read_only_facts(ctx, *store);
    if (facts.rls_applies && !facts.rls_sees_all) {
        ctx.printer().warn(
            "row-level security may hide rows from this role (" + facts.rls_explanation +
            "): rooms of rows it cannot see look orphaned; recreate and cleanup --apply will "
            "refuse (see roomctl check)");
    }
    ctx.metrics.provider = config::to_string(ctx.settings().provider);
    ctx.metrics.audit = result.summary;
    auto& printer = ctx.printer();
    printer.result(report::audit_json(result),
                   report::render_audit(result, {printer.options().color, ctx.now()}));
    // Sessions that start later are no drift: with only those left the app is in sync (the
    // report's "in_sync" says the same).
    return to_int(result.summary.findings() == 0 ? ExitCode::ok : ExitCode::drift);
}

}  // namespace

void register_audit(CLI::App& root, Context& ctx) {
    auto starting_within = std::make_shared<std::string>();
    auto* cmd = root.add_subcommand(
        "audit", "List database rooms missing on the server, orphaned server rooms, SID drift");
    cmd->add_option("--starting-within", *starting_within,
                    "With [rooms] starts_column: sessions starting later than this are not yet "
                    "due, not missing (default 15m)");
    cmd->footer(
        "Findings:\n"
        "  missing    live in the database (status in [rooms] live_statuses), absent on the "
        "server\n"
        "  orphaned   on the server, and no live row owns it (no row, or the row says ended)\n"
        "  sid_drift  on both sides, but the stored SID is empty or differs from the server's\n"
        "  name_mismatch  a row and a room that belong together under another name: the\n"
        "             room's SID is the one the row recorded, or a missing row and an orphaned\n"
        "             room differ only by a prefix/suffix; the room_name_template that would\n"
        "             match is suggested. Never recreated or deleted.\n"
        "  unclassified  a row whose status is in neither [rooms] live_statuses nor\n"
        "             ended_statuses (compared case-insensitively); its room is never\n"
        "             recreated or deleted, and --apply runs refuse until the lists cover it\n"
        "  duplicate_name  two or more live rows name one server room: never in sync, and\n"
        "             nothing is created, recorded or deleted for it until it is resolved\n"
        "  not_yet_due  with [rooms] starts_column: the session starts later than\n"
        "             --starting-within ([recreate] starting_within, default 15m)\n"
        "Exit 0 when in sync (sessions not yet due are no drift), 5 when anything is found.\n"
        "Read-only.\n\n"
        "Examples:\n"
        "  roomctl audit\n"
        "  roomctl audit --json | jq '.findings[] | select(.kind == \"missing\") | .room'");
    cmd->callback([starting_within, &ctx] {
        ctx.command = "audit";
        ctx.exit_code = run_audit(ctx, *starting_within);
    });
}

}  // namespace roomctl::cli
