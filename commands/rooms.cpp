// roomctl rooms list|get|create|update|delete|participants: room administration on the server.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "commands.hpp"
#include "participants.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/exit_code.hpp"

namespace roomctl::cli {

namespace {

struct RoomsFlags {
    std::vector<std::string> names;
    std::string name;
    std::string empty_timeout, departure_timeout, metadata;
    bool metadata_given = false;  // update: --metadata "" clears it
    std::string older_than;       // list: only rooms created at least this long ago
    bool empty_only = false;      // list: only rooms nobody is in
    unsigned concurrency = 4;     // list: parallel participant reads (Twilio)
    // create: Twilio's room settings (each provider's validate() refuses what it lacks).
    std::string type, status_callback, status_callback_method, media_region;
    unsigned max_participants = 0;
    bool ignore_not_found = false;
    bool force = false;  // delete: even with participants or a live row owning the room
};

report::TextStyle style(Context& ctx) { return ctx.text_style(); }

bool is_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// `rooms list [NAME|GLOB...] [--empty] [--older-than D]`. A NAME that is not a glob is a
// lookup: a room that does not exist is an error. Globs and the flags only filter.
int run_list(const RoomsFlags& f, Context& ctx) {
    for (const auto& n : f.names) media::require_room_name(n);
    const bool globs = std::any_of(f.names.begin(), f.names.end(), is_glob);
    const auto older_than =
        f.older_than.empty() ? std::chrono::seconds{-1} : parse_duration(f.older_than);
    auto server = ctx.media_server();
    // ListRooms filters by exact name only: with a glob, all rooms are listed and matched here.
    auto rooms = server->list_rooms(globs ? std::vector<std::string>{} : f.names);
    if (!globs) {
        std::vector<std::string> missing;
        for (const auto& n : f.names) {
            if (std::none_of(rooms.begin(), rooms.end(),
                             [&](const auto& r) { return r.name == n; }))
                missing.push_back(n);
        }
        if (missing.size() == 1)
            throw runtime_error(fmt::format(
                "room {} does not exist (roomctl rooms list shows the rooms on the server)",
                missing.front()));
        if (!missing.empty())
            throw runtime_error(fmt::format(
                "rooms {} do not exist (roomctl rooms list shows the rooms on the server)",
                fmt::join(missing, ", ")));
    } else {
        std::erase_if(rooms, [&](const media::ServerRoom& r) {
            return std::none_of(f.names.begin(), f.names.end(), [&](const std::string& g) {
                return fnmatch(g.c_str(), r.name.c_str(), 0) == 0;
            });
        });
    }
    if (older_than.count() >= 0) {
        // Ages on the server's clock: creation_time is the server's.
        const std::int64_t server_now = ctx.now() + server->clock_offset().value_or(0);
        std::erase_if(rooms, [&](const media::ServerRoom& r) {
            return r.creation_time == 0 || server_now - r.creation_time < older_than.count();
        });
    }
    // Twilio's room resource has no count: the remaining rooms' participants are read, in
    // parallel. A count that cannot be read stays unknown (`?`, null), never 0.
    reconcile::CountLookup lookup;
    lookup.make_server = [&ctx] { return ctx.media_server(); };
    lookup.concurrency = f.concurrency;
    lookup.interrupted = &ctx.interrupted;
    const auto unread = reconcile::fill_participant_counts(rooms, lookup);
    // --empty: only rooms known to be empty; an unknown count may hide participants.
    if (f.empty_only) {
        std::erase_if(rooms, [](const media::ServerRoom& r) {
            return media::may_have_participants(r.num_participants);
        });
    }
    std::sort(rooms.begin(), rooms.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    if (!unread.empty()) {
        const auto& [room, why] = *unread.begin();
        ctx.printer().warn(fmt::format(
            "could not read the participants of {} ({}{}): {} unknown{}, so this list is "
            "incomplete (exit 6); run roomctl rooms list again",
            unread.size() == 1 ? "room " + room : fmt::format("{} rooms", unread.size()),
            unread.size() == 1 ? "" : room + ": ", why,
            unread.size() == 1 ? "its count is" : "their counts are",
            f.empty_only ? " and left out of --empty" : " (shown as ?)"));
    }
    auto doc = report::envelope("rooms list");
    doc["rooms"] = nlohmann::json::array();
    for (const auto& r : rooms) doc["rooms"].push_back(report::room_json(r));
    ctx.printer().result(doc, report::render_rooms(rooms, style(ctx)));
    return to_int(unread.empty() ? ExitCode::ok : ExitCode::partial);
}

int run_create(const RoomsFlags& f, Context& ctx) {
    auto server = ctx.media_server();
    media::require_room_name(f.name, "room name", server->max_room_name_length());
    media::CreateRoomOptions o;
    o.name = f.name;
    o.empty_timeout = f.empty_timeout.empty()
                          ? ctx.settings().empty_timeout
                          : parse_seconds_u32(f.empty_timeout, "--empty-timeout");
    o.departure_timeout = f.departure_timeout.empty()
                              ? 0
                              : parse_seconds_u32(f.departure_timeout, "--departure-timeout");
    o.max_participants = f.max_participants;
    o.metadata = f.metadata;
    o.type = f.type;
    o.status_callback = f.status_callback;
    o.status_callback_method = f.status_callback_method;
    o.media_region = f.media_region;
    server->validate(o);  // exit 2, one line, before any request
    auto room = server->create_room(o);
    auto doc = report::envelope("rooms create");
    doc["room"] = report::room_json(room);
    ctx.printer().status(fmt::format("room {} is on the server (sid {})", room.name, room.sid));
    ctx.printer().result(doc, report::render_room(room, style(ctx)));
    return 0;
}

// What `rooms delete` is about to delete, in one line: "room session-42 (sid RM..., created
// 5m ago, 2 participants)".
std::string describe_target(const media::ServerRoom& room, std::int64_t server_now,
                            std::uint32_t participants) {
    const auto age = std::max<std::int64_t>(0, server_now - room.creation_time);
    return fmt::format("room {} (sid {}, created {} ago, {} participant{})", room.name,
                       room.sid.empty() ? "unknown" : room.sid,
                       format_duration(std::chrono::seconds{age}), participants,
                       participants == 1 ? "" : "s");
}

// Why the database forbids deleting `room`, or "" when no row that is live (or whose status
// is in neither list: doubt means no) owns it. A row owns the room by name (through the
// template) or by its recorded SID, whatever the room is called.
std::string database_owner(Context& ctx, const media::ServerRoom& room) {
    const auto& m = ctx.settings().rooms;
    auto store = ctx.room_store();
    // A role that row-level security filters may simply not see the owner.
    const auto visibility = store->row_visibility();
    if (visibility.applies && !visibility.sees_all_rows) {
        return "row-level security may hide the row that owns it (" + visibility.explanation + ")";
    }
    // Only rows that are not ended can own it: the table's ended history is not read.
    const auto rows = store->read_inventory()->open_rows([] {});
    for (const auto& row : rows) {
        const bool by_name = row.room == room.name;  // the template applied by the store
        const bool by_sid = !room.sid.empty() && row.sid && *row.sid == room.sid;
        if (!by_name && !by_sid) continue;
        if (row.liveness == store::Liveness::ended) continue;
        const std::string status = row.status ? "\"" + *row.status + "\"" : "NULL";
        const std::string how = by_sid && !by_name ? fmt::format(" (by its SID {})", room.sid) : "";
        if (row.liveness == store::Liveness::live)
            return fmt::format("it belongs to a live row of {} ({} = \"{}\", {} {}){}", m.table,
                               m.name_column, row.name, config::status_source(m), status, how);
        return fmt::format(
            "it belongs to a row of {} ({} = \"{}\") whose {} {} is in neither "
            "[rooms] live_statuses nor ended_statuses{}",
            m.table, m.name_column, row.name, config::status_source(m), status, how);
    }
    return {};
}

// Deleting a room disconnects everyone in it and, when the app's row still says the session is
// on, breaks the session. So the room is looked at first and shown; a room with participants,
// or one a live row owns, is refused (exit 8, nothing changed) unless --force.
int run_delete(const RoomsFlags& f, Context& ctx) {
    media::require_room_name(f.name);
    auto server = ctx.media_server();
    auto& printer = ctx.printer();
    auto doc = report::envelope("rooms delete");
    doc["room"] = f.name;

    const auto found = server->list_rooms({f.name});
    const auto it =
        std::find_if(found.begin(), found.end(), [&](const auto& r) { return r.name == f.name; });
    if (it == found.end()) {
        if (!f.ignore_not_found) {
            throw runtime_error(fmt::format(
                "room \"{}\" does not exist on the server (pass --ignore-not-found to accept that)",
                f.name));
        }
        doc["status"] = "already_gone";
        printer.result(doc, fmt::format("already gone: room {}\n", f.name));
        return 0;
    }
    const media::ServerRoom room = *it;
    // Twilio lists no count: read it (a failure fails the command: never taken as empty).
    const std::uint32_t participants =
        room.num_participants
            ? *room.num_participants
            : static_cast<std::uint32_t>(server->list_participants(room.name).size());
    // Ages on the server's clock: creation_time is the server's.
    const std::int64_t server_now = ctx.now() + server->clock_offset().value_or(0);
    const std::string target = describe_target(room, server_now, participants);
    doc["sid"] = room.sid;
    doc["creation_time"] = room.creation_time;
    doc["age_seconds"] = std::max<std::int64_t>(0, server_now - room.creation_time);
    doc["participants"] = participants;

    if (!f.force) {
        std::vector<std::string> reasons;
        if (participants > 0)
            reasons.push_back(fmt::format("{} participant{} would be disconnected", participants,
                                          participants == 1 ? "" : "s"));
        if (!ctx.settings().database_url_conflict.empty()) {
            // Which database would say who owns the room is itself in doubt.
            reasons.push_back("roomctl cannot tell which database owns it: " +
                              ctx.settings().database_url_conflict);
        } else if (ctx.settings().database_url.empty()) {
            reasons.push_back(
                "no database is configured, so roomctl cannot check that no live row owns it "
                "(set ROOMCTL_DATABASE_URL or [database] url)");
        } else if (auto owner = database_owner(ctx, room); !owner.empty()) {
            reasons.push_back(owner);
        }
        if (!reasons.empty()) {
            throw unsafe_error(fmt::format("not deleting {}: {}; pass --force to delete it anyway",
                                           target, fmt::join(reasons, "; ")));
        }
    }
    printer.status("deleting " + target);
    // By SID where the provider can: the room shown is the room ended, not a newer namesake.
    const auto outcome = server->delete_room(room.name, room.sid);
    const bool gone = outcome == media::DeleteOutcome::already_gone;
    doc["status"] = gone ? "already_gone" : "deleted";
    printer.result(doc, fmt::format("{} {}\n", gone ? "already gone:" : "deleted", target));
    return 0;
}

// `rooms get NAME|SID`: the room as the server has it, and who is in it.
int run_get(const RoomsFlags& f, Context& ctx) {
    media::require_room_name(f.name);
    auto server = ctx.media_server();
    auto room = require_room(*server, f.name);
    const auto ps = server->list_participants(room.name);
    if (!room.num_participants) room.num_participants = static_cast<std::uint32_t>(ps.size());
    auto doc = report::envelope("rooms get");
    doc["room"] = report::room_json(room);
    if (!room.status.empty()) doc["room"]["status"] = room.status;
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(report::participant_json(p));
    auto text = report::render_room(room, style(ctx));
    if (!ps.empty()) text += "\n" + report::render_participants(ps, style(ctx));
    ctx.printer().result(doc, text);
    return 0;
}

// `rooms update NAME --metadata M` (LiveKit UpdateRoomMetadata; Twilio refuses, exit 2).
int run_update(const RoomsFlags& f, Context& ctx) {
    media::require_room_name(f.name);
    if (!f.metadata_given) throw usage_error("rooms update: give --metadata (\"\" clears it)");
    auto server = ctx.media_server();
    // Twilio refuses (Error(usage), one line) without a request.
    const auto room = server->update_room_metadata(f.name, f.metadata);
    auto doc = report::envelope("rooms update");
    doc["room"] = report::room_json(room);
    ctx.printer().status(fmt::format("room {} has new metadata", room.name));
    ctx.printer().result(doc, report::render_room(room, style(ctx)));
    return 0;
}

}  // namespace

void register_rooms(CLI::App& root, Context& ctx) {
    auto* rooms = root.add_subcommand("rooms", "Administer rooms on the media server");
    rooms->require_subcommand(1);
    auto f = std::make_shared<RoomsFlags>();

    auto* list = rooms->add_subcommand("list", "List rooms on the server");
    list->add_option("names", f->names,
                     "Only these rooms: names (each must exist) or globs such as 'session-*'");
    list->add_flag("--empty", f->empty_only, "Only rooms nobody is in");
    list->add_option("--older-than", f->older_than,
                     "Only rooms created at least this long ago on the server's clock (e.g. 2h)");
    list->add_option("--concurrency", f->concurrency,
                     "Parallel participant reads on Twilio, whose rooms carry no count "
                     "(default 4)")
        ->check(CLI::Range(1u, 64u));
    list->footer(
        "A NAME that is not a glob must exist: otherwise the command fails (exit 1) with\n"
        "\"room NAME does not exist\".\n\nOn Twilio the participants of each listed room are\n"
        "read; a count that cannot be read shows as ? (JSON null) with a warning, and the\n"
        "command exits 6 (the list is incomplete).\n\nExamples:\n  roomctl rooms list\n"
        "  roomctl rooms list session-42 --json\n"
        "  roomctl rooms list 'session-*' --empty --older-than 1h");
    list->callback([f, &ctx] {
        ctx.command = "rooms list";
        ctx.exit_code = run_list(*f, ctx);
    });

    auto* create = rooms->add_subcommand("create", "Create a room (idempotent on LiveKit)");
    create->add_option("name", f->name, "Room name")->required();
    create->add_option("--empty-timeout", f->empty_timeout,
                       "Seconds the room lives while nobody has joined (e.g. 3600 or 1h; "
                       "default 3600)");
    create->add_option("--departure-timeout", f->departure_timeout,
                       "Seconds the room lives after the last participant leaves");
    create->add_option("--max-participants", f->max_participants,
                       "Most participants at once (0 = the server's default; Twilio: at most 50)");
    create->add_option("--metadata", f->metadata, "Room metadata (LiveKit only)");
    create->add_option("--type", f->type,
                       "Room type (Twilio only): group, group-small, peer-to-peer or go; "
                       "default group");
    create->add_option("--status-callback", f->status_callback,
                       "The app's webhook for room events, an absolute http(s) URL (Twilio only)");
    create->add_option("--status-callback-method", f->status_callback_method,
                       "GET or POST (Twilio only; default POST)");
    create->add_option("--media-region", f->media_region,
                       "Twilio Video media region, e.g. us1, de1, gll (Twilio only)");
    create->footer(
        "Creating a room that exists returns it unchanged (same SID); LiveKit ignores the new\n"
        "settings. A setting the provider does not have is refused (exit 2) before any\n"
        "request.\n\nExamples:\n  roomctl rooms create session-42 --empty-timeout 1h\n"
        "  roomctl rooms create session-42 --type go --max-participants 2 \\\n"
        "      --status-callback https://app.example.com/twilio/rooms");
    create->callback([f, &ctx] {
        ctx.command = "rooms create";
        ctx.exit_code = run_create(*f, ctx);
    });

    auto* del = rooms->add_subcommand("delete", "Delete a room by name (disconnects everyone)");
    del->add_option("name", f->name, "Room name (not the SID)")->required();
    del->add_flag("--ignore-not-found", f->ignore_not_found,
                  "Succeed when the room does not exist");
    del->add_flag("--force", f->force,
                  "Delete even a room with participants or one that a live row of the room "
                  "table owns (or when no database is configured to check)");
    del->footer(
        "The room is looked up first and shown (SID, age, participants). A room with\n"
        "participants, or one that a live row of the room table owns (by name or by its SID),\n"
        "is refused with exit 8 and nothing is changed, unless --force. Without a configured\n"
        "database (or when DATABASE_URL overrides the [database] url of a config file named\n"
        "with --config or --profile) roomctl cannot check the owner, and asks for --force.\n\n"
        "Examples:\n  roomctl rooms delete session-42\n  roomctl rooms delete session-42 --force");
    del->callback([f, &ctx] {
        ctx.command = "rooms delete";
        ctx.exit_code = run_delete(*f, ctx);
    });

    auto* get = rooms->add_subcommand(
        "get", "Show everything the server knows about a room, and who is in it");
    get->add_option("room", f->name, "Room name or SID (LiveKit RM_..., Twilio RM + 32 hex)")
        ->required();
    get->footer(
        "Examples:\n  roomctl rooms get session-42\n  roomctl rooms get RM_x8Kd2mQp7 --json");
    get->callback([f, &ctx] {
        ctx.command = "rooms get";
        ctx.exit_code = run_get(*f, ctx);
    });

    auto* update = rooms->add_subcommand("update", "Set a room's metadata (LiveKit)");
    update->add_option("name", f->name, "Room name")->required();
    update->add_option("--metadata", f->metadata, "The new metadata (\"\" clears it)")
        ->each([f](const std::string&) { f->metadata_given = true; });
    update->footer(
        "Twilio rooms have no metadata: refused there (exit 2).\n\n"
        "Examples:\n  roomctl rooms update session-42 --metadata '{\"topic\":\"standup\"}'");
    update->callback([f, &ctx] {
        ctx.command = "rooms update";
        ctx.exit_code = run_update(*f, ctx);
    });

    auto* parts = rooms->add_subcommand("participants", "List the participants of a room");
    parts->add_option("name", f->name, "Room name")->required();
    parts->footer(
        "The same as roomctl participants list ROOM (see roomctl participants --help).\n\n"
        "Examples:\n  roomctl rooms participants session-42 --json");
    parts->callback([f, &ctx] {
        ctx.command = "rooms participants";
        ctx.exit_code = run_participants_list(f->name, "rooms participants", ctx);
    });

    register_participants(root, ctx);
}

}  // namespace roomctl::cli
