// roomctl audit: compare the database's live rooms with the server's rooms.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "apply_guard.hpp"
#include "commands.hpp"
#include "roomctl/config/registry.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/scope_view.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

reconcile::AuditResult audit_now(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                                 std::unique_ptr<media::MediaServer>& server,
                                 const config::Settings& settings, reconcile::Inventory* kept,
                                 const reconcile::GatherOptions& gather) {
    if (!server) server = ctx.media_server();  // config errors first, before connecting anywhere
    if (!store) store = ctx.room_store();
    auto options = gather;
    if (!options.counts.make_server)
        options.counts.make_server = [&ctx] { return ctx.media_server(); };
    if (!options.counts.interrupted) options.counts.interrupted = &ctx.interrupted;
    auto inventory = reconcile::gather_inventory(*server, *store, settings.rooms, options);
    if (!settings.rooms.starts_column.empty()) {
        inventory.due_within_seconds = settings.starting_within.count();
    }
    // Rows read, not the table's size: ended rows the server does not name are only counted.
    const auto unread =
        inventory.unread_rows == 0
            ? std::string()
            : fmt::format(" ({} ended row(s) not needed, only counted)", inventory.unread_rows);
    ctx.printer().status(fmt::format("read {} database row(s){} and {} server room(s)",
                                     inventory.database.size(), unread, inventory.server.size()));
    auto result = reconcile::audit(inventory);
    if (kept) *kept = std::move(inventory);
    return result;
}

void add_scope_args(CLI::App* cmd, ScopeArgs& args, const std::string& what, bool kinds) {
    cmd->add_option("name", args.rooms,
                    "Server room names (as rooms list shows them): " + what +
                        " only these; the whole picture is still read and judged");
    cmd->add_option("--session", args.session,
                    "Only the rooms of this session's rows ([rooms] session_column)");
    if (kinds) {
        // The kinds in the type name, as CLI::IsMember writes them, so that completion offers
        // them; the value is checked by reconcile::finding_kind (one line naming them all).
        cmd->add_option("--kind", args.kinds, "Only findings of this kind (repeatable)")
            ->type_name(
                fmt::format("KIND:{{{}}}", fmt::join(reconcile::finding_kind_names(), ",")));
    }
}

ScopedAudit audit_scoped(Context& ctx, std::unique_ptr<store::RoomStore>& store,
                         std::unique_ptr<media::MediaServer>& server,
                         const config::Settings& settings, const ScopeArgs& args,
                         const reconcile::GatherOptions& gather) {
    ScopedAudit out;
    for (const auto& k : args.kinds) out.scope.kinds.insert(reconcile::finding_kind(k));
    out.scope.rooms = args.rooms;
    out.narrowed = !args.rooms.empty() || !args.session.empty() || !args.kinds.empty();
    if (!out.narrowed) {
        out.whole = audit_now(ctx, store, server, settings, nullptr, gather);
        out.scoped = out.whole;
        return out;
    }
    reconcile::Inventory inventory;
    out.whole = audit_now(ctx, store, server, settings, &inventory, gather);
    if (!args.session.empty()) {
        for (auto& room : reconcile::session_rooms(*store, settings.rooms, args.session)) {
            if (std::find(out.scope.rooms.begin(), out.scope.rooms.end(), room) ==
                out.scope.rooms.end()) {
                out.scope.rooms.push_back(std::move(room));
            }
        }
    }
    out.names = reconcile::name_rooms(out.whole, inventory, out.scope);
    reconcile::require_known(out.names);
    out.scoped = out.whole;
    out.dropped = reconcile::scope_findings(out.scoped, out.scope);
    return out;
}

nlohmann::json report_scope(Context& ctx, const ScopedAudit& audit, const ScopeArgs& args,
                            const reconcile::Plan& plan, reconcile::ScopedCommand command) {
    if (!audit.narrowed) return nullptr;
    auto& printer = ctx.printer();
    printer.status(report::scope_summary(audit.scoped.findings.size(), audit.whole.findings.size(),
                                         audit.scope, args.kinds));
    const auto notes = reconcile::scope_notes(audit.names, audit.scoped, plan, command);
    for (const auto& n : notes) {
        if (n.declined) {
            printer.warn(n.message);
        } else {
            printer.status(n.message);
        }
    }
    return report::scope_json(audit.scope, args.session, notes);
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

int run_audit(Context& ctx, const std::string& starting_within, const ScopeArgs& args) {
    // A --kind that is no finding kind is a usage error before any connection.
    for (const auto& k : args.kinds) reconcile::finding_kind(k);
    const auto settings = audit_settings(ctx, starting_within);
    std::unique_ptr<store::RoomStore> store;
    std::unique_ptr<media::MediaServer> server;
    auto scoped = audit_scoped(ctx, store, server, settings, args);
    const auto& result = scoped.scoped;
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
    auto doc = report::audit_json(result);
    auto scope = report_scope(ctx, scoped, args, {}, reconcile::ScopedCommand::audit);
    if (!scope.is_null()) doc["scope"] = scope;
    printer.result(doc, report::render_audit(result, ctx.text_style()));
    // Sessions that start later are no drift: with only those left the app is in sync (the
    // report's "in_sync" says the same).
    return to_int(result.summary.findings() == 0 ? ExitCode::ok : ExitCode::drift);
}

}  // namespace

void register_audit(CLI::App& root, Context& ctx) {
    auto starting_within = std::make_shared<std::string>();
    auto scope = std::make_shared<ScopeArgs>();
    auto* cmd = root.add_subcommand(
        "audit", "List database rooms missing on the server, orphaned server rooms, SID drift");
    cmd->add_option("--starting-within", *starting_within,
                    "With [rooms] starts_column: sessions starting later than this are not yet "
                    "due, not missing (default 15m)");
    add_scope_args(cmd, *scope, "report", true);
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
        "With NAME..., --session or --kind only those findings are reported (and decide the\n"
        "exit code); every row and server room is still read, so the findings are the same\n"
        "as in a full audit. A NAME no row and no server room has is an error (exit 1).\n"
        "Read-only.\n\n"
        "Examples:\n"
        "  roomctl audit\n"
        "  roomctl audit session-42 --json\n"
        "  roomctl audit --kind missing --kind sid_drift\n"
        "  roomctl audit --json | jq '.findings[] | select(.kind == \"missing\") | .room'");
    cmd->callback([starting_within, scope, &ctx] {
        ctx.command = "audit";
        ctx.exit_code = run_audit(ctx, *starting_within, *scope);
    });
}

}  // namespace roomctl::cli
