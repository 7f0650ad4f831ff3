// roomctl rooms list|create|delete|participants: plain room administration on the server.

#include <fmt/format.h>

#include "commands.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/text.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::cli {

namespace {

struct RoomsFlags {
    std::vector<std::string> names;
    std::string name;
    std::string empty_timeout, departure_timeout, metadata;
    unsigned max_participants = 0;
    bool ignore_not_found = false;
};

report::TextStyle style(Context& ctx) { return {ctx.printer().options().color, ctx.now()}; }

int run_list(const RoomsFlags& f, Context& ctx) {
    for (const auto& n : f.names) require_valid_room_name(n);
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
    require_valid_room_name(f.name, "room name", server->max_room_name_length());
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
    server->validate(o);
    auto room = server->create_room(o);
    auto doc = report::envelope("rooms create");
    doc["room"] = report::room_json(room);
    ctx.printer().status(fmt::format("room {} is on the server (sid {})", room.name, room.sid));
    ctx.printer().result(doc, report::render_room(room, style(ctx)));
    return 0;
}

int run_delete(const RoomsFlags& f, Context& ctx) {
    require_valid_room_name(f.name);
    auto outcome = ctx.media_server()->delete_room(f.name, "");
    bool gone = outcome == media::DeleteOutcome::already_gone;
    if (gone && !f.ignore_not_found) {
        throw runtime_error(fmt::format(
            "room \"{}\" does not exist on the server (pass --ignore-not-found to accept that)",
            f.name));
    }
    auto doc = report::envelope("rooms delete");
    doc["room"] = f.name;
    doc["status"] = gone ? "already_gone" : "deleted";
    ctx.printer().result(doc, fmt::format("{} room {}\n", gone ? "already gone:" : "deleted", f.name));
    return 0;
}

int run_participants(const RoomsFlags& f, Context& ctx) {
    require_valid_room_name(f.name);
    auto ps = ctx.media_server()->list_participants(f.name);
    auto doc = report::envelope("rooms participants");
    doc["room"] = f.name;
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(report::participant_json(p));
    ctx.printer().result(doc, report::render_participants(ps));
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
    create->add_option("--max-participants", f->max_participants, "0 = unlimited");
    create->add_option("--metadata", f->metadata, "Room metadata");
    create->footer(
        "Creating a room that exists returns it unchanged (same SID); LiveKit ignores the new\n"
        "settings.\n\nExamples:\n  roomctl rooms create session-42 --empty-timeout 1h");
    create->callback([f, &ctx] {
        ctx.command = "rooms create";
        ctx.exit_code = run_create(*f, ctx);
    });

    auto* del = rooms->add_subcommand("delete", "Delete a room by name (disconnects everyone)");
    del->add_option("name", f->name, "Room name (not the SID)")->required();
    del->add_flag("--ignore-not-found", f->ignore_not_found,
                  "Succeed when the room does not exist");
    del->footer("Examples:\n  roomctl rooms delete session-42");
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
