// roomctl rooms list|create|delete|participants: plain room administration on the server.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "commands.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::cli {

namespace {

struct RoomsFlags {
    std::vector<std::string> names;
    std::string name;
    std::string empty_timeout, departure_timeout, metadata;
    // create: Twilio's room settings (each provider's validate() refuses what it lacks).
    std::string type, status_callback, status_callback_method, media_region;
    unsigned max_participants = 0;
    bool ignore_not_found = false;
    bool force = false;  // delete: even with participants or a live row owning the room
};

report::TextStyle style(Context& ctx) { return ctx.text_style(); }

int run_list(const RoomsFlags& f, Context& ctx) {
    for (const auto& n : f.names) media::require_room_name(n);
    auto rooms = ctx.media_server()->list_rooms(f.names);
    std::sort(rooms.begin(), rooms.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    auto doc = report::envelope("rooms list");
    doc["rooms"] = nlohmann::json::array();
    for (const auto& r : rooms) doc["rooms"].push_back(report::room_json(r));
    ctx.printer().result(doc, report::render_rooms(rooms, style(ctx)));
    return 0;
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
    for (const auto& row : store->load_rooms()) {
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
    const std::uint32_t participants =
        server->reports_participant_counts()
            ? room.num_participants
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

int run_participants(const RoomsFlags& f, Context& ctx) {
    media::require_room_name(f.name);
    auto ps = ctx.media_server()->list_participants(f.name);
    auto doc = report::envelope("rooms participants");
    doc["room"] = f.name;
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(report::participant_json(p));
    ctx.printer().result(doc, report::render_participants(ps, style(ctx)));
    return 0;
}

}  // namespace

void register_rooms(CLI::App& root, Context& ctx) {
    auto* rooms = root.add_subcommand("rooms", "Administer rooms on the media server");
    rooms->require_subcommand(1);
    auto f = std::make_shared<RoomsFlags>();

    auto* list = rooms->add_subcommand("list", "List rooms on the server");
    list->add_option("names", f->names, "Only these rooms (by name)");
    list->footer("Examples:\n  roomctl rooms list\n  roomctl rooms list session-42 --json");
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

    auto* parts = rooms->add_subcommand("participants", "List the participants of a room");
    parts->add_option("name", f->name, "Room name")->required();
    parts->footer("Examples:\n  roomctl rooms participants session-42 --json");
    parts->callback([f, &ctx] {
        ctx.command = "rooms participants";
        ctx.exit_code = run_participants(*f, ctx);
    });
}

}  // namespace roomctl::cli
