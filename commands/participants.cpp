// roomctl participants list|get|remove|update|mute: one room's participants on the server.
// LiveKit has them all (RoomService); Twilio can list and disconnect, and refuses the rest
// with one line (media::MediaServer's Error(usage)).

#include "participants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/media/room_name.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"

namespace roomctl::cli {

namespace {

struct ParticipantFlags {
    std::string room, identity, track;
    std::optional<std::string> metadata, name;
    std::vector<std::string> attributes;  // k=v; k= deletes k
    // Permission changes; unset ones keep the participant's current permission.
    std::optional<bool> can_publish, can_subscribe, can_publish_data, can_update_metadata, hidden;
    std::optional<std::string> can_publish_sources;  // comma-separated; "" = all sources
    bool unmute = false;
};

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// "camera,microphone" -> {"CAMERA", "MICROPHONE"}; refuses what TrackSource has no name for.
std::vector<std::string> parse_sources(const std::string& text) {
    static const std::vector<std::string> known = {"CAMERA", "MICROPHONE", "SCREEN_SHARE",
                                                   "SCREEN_SHARE_AUDIO"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size() && !text.empty()) {
        const auto end = std::min(text.find(',', start), text.size());
        const auto s = upper(text.substr(start, end - start));
        if (std::find(known.begin(), known.end(), s) == known.end()) {
            throw usage_error(
                fmt::format("--can-publish-sources: unknown source \"{}\" (use camera, microphone, "
                            "screen_share, screen_share_audio, comma-separated)",
                            text.substr(start, end - start)));
        }
        out.push_back(s);
        start = end + 1;
    }
    return out;
}

media::Participant require_participant(media::MediaServer& server, const std::string& room,
                                       const std::string& who) {
    auto p = server.get_participant(room, who);
    if (!p) {
        throw runtime_error(fmt::format(
            "participant {} is not in room {} (roomctl participants list {} shows who is)", who,
            room, room));
    }
    return *p;
}

int run_get(const ParticipantFlags& f, Context& ctx) {
    media::require_room_name(f.room);
    auto server = ctx.media_server();
    const auto room = require_room(*server, f.room);
    const auto p = require_participant(*server, room.name, f.identity);
    auto doc = report::envelope("participants get");
    doc["room"] = room.name;
    doc["participant"] = report::participant_json(p);
    ctx.printer().result(doc, report::render_participant(p, ctx.text_style()));
    return 0;
}

int run_remove(const ParticipantFlags& f, Context& ctx) {
    media::require_room_name(f.room);
    auto server = ctx.media_server();
    const auto room = require_room(*server, f.room);
    server->remove_participant(room.name, f.identity);
    auto doc = report::envelope("participants remove");
    doc["room"] = room.name;
    doc["identity"] = f.identity;
    doc["status"] = "removed";
    ctx.printer().result(doc, fmt::format("removed {} from room {}\n", f.identity, room.name));
    return 0;
}

media::ParticipantUpdate update_from_flags(const ParticipantFlags& f, media::MediaServer& server,
                                           const std::string& room) {
    media::ParticipantUpdate u;
    u.metadata = f.metadata;
    u.name = f.name;
    for (const auto& kv : f.attributes) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw usage_error(fmt::format(
                "--attribute \"{}\" is not KEY=VALUE (KEY= with no value deletes KEY)", kv));
        }
        u.attributes[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    const bool permission_change = f.can_publish || f.can_subscribe || f.can_publish_data ||
                                   f.can_update_metadata || f.hidden || f.can_publish_sources;
    if (permission_change) {
        // UpdateParticipant replaces the whole permission: start from the current one so that
        // only the flags given change.
        const auto current = require_participant(server, room, f.identity);
        if (!current.permission) {
            throw usage_error(
                fmt::format("{} participants have no permissions to update", server.provider()));
        }
        auto m = *current.permission;
        if (f.can_publish) m.can_publish = *f.can_publish;
        if (f.can_subscribe) m.can_subscribe = *f.can_subscribe;
        if (f.can_publish_data) m.can_publish_data = *f.can_publish_data;
        if (f.can_update_metadata) m.can_update_metadata = *f.can_update_metadata;
        if (f.hidden) m.hidden = *f.hidden;
        if (f.can_publish_sources) m.can_publish_sources = parse_sources(*f.can_publish_sources);
        u.permission = m;
    }
    return u;
}

int run_update(const ParticipantFlags& f, Context& ctx) {
    media::require_room_name(f.room);
    auto server = ctx.media_server();
    const auto room = require_room(*server, f.room);
    const auto u = update_from_flags(f, *server, room.name);
    if (u.empty()) {
        throw usage_error(
            "nothing to update: give --metadata, --name, --attribute KEY=VALUE or a permission "
            "flag (--can-publish, --can-subscribe, --can-publish-data, --can-publish-sources, "
            "--can-update-metadata, --hidden)");
    }
    const auto p = server->update_participant(room.name, f.identity, u);
    auto doc = report::envelope("participants update");
    doc["room"] = room.name;
    doc["participant"] = report::participant_json(p);
    ctx.printer().status(fmt::format("updated {} in room {}", p.identity, room.name));
    ctx.printer().result(doc, report::render_participant(p, ctx.text_style()));
    return 0;
}

int run_mute(const ParticipantFlags& f, Context& ctx) {
    media::require_room_name(f.room);
    auto server = ctx.media_server();
    const auto room = require_room(*server, f.room);
    const auto track = server->mute_track(room.name, f.identity, f.track, !f.unmute);
    auto doc = report::envelope("participants mute");
    doc["room"] = room.name;
    doc["identity"] = f.identity;
    doc["track"] = report::track_json(track);
    ctx.printer().result(
        doc, fmt::format("{} track {} of {} in room {}\n", track.muted ? "muted" : "unmuted",
                         track.sid, f.identity, room.name));
    return 0;
}

}  // namespace

media::ServerRoom require_room(media::MediaServer& server, const std::string& name) {
    auto room = server.get_room(name);
    if (!room) {
        throw runtime_error(fmt::format(
            "room {} does not exist (roomctl rooms list shows the rooms on the server)", name));
    }
    return *room;
}

int run_participants_list(const std::string& name, const std::string& command, Context& ctx) {
    media::require_room_name(name);
    auto server = ctx.media_server();
    const auto room = require_room(*server, name);
    auto ps = server->list_participants(room.name);
    auto doc = report::envelope(command);
    doc["room"] = room.name;
    doc["participants"] = nlohmann::json::array();
    for (const auto& p : ps) doc["participants"].push_back(report::participant_json(p));
    ctx.printer().result(doc, report::render_participants(ps, ctx.text_style()));
    return 0;
}

void register_participants(CLI::App& root, Context& ctx) {
    auto* group = root.add_subcommand(
        "participants", "Administer a room's participants (list, get, remove, update, mute)");
    group->require_subcommand(1);
    auto f = std::make_shared<ParticipantFlags>();
    const auto room_arg = [&f](CLI::App* c) {
        c->add_option("room", f->room, "Room name (or its SID)")->required();
    };
    const auto identity_arg = [&f](CLI::App* c) {
        c->add_option("identity", f->identity, "Participant identity")->required();
    };

    auto* list = group->add_subcommand(
        "list", "List the participants of a room, with tracks, permissions, metadata, attributes");
    room_arg(list);
    list->footer(
        "Examples:\n  roomctl participants list session-42\n"
        "  roomctl participants list session-42 --json");
    list->callback([f, &ctx] {
        ctx.command = "participants list";
        ctx.exit_code = run_participants_list(f->room, "participants list", ctx);
    });

    auto* get = group->add_subcommand("get", "Show one participant and its tracks");
    room_arg(get);
    identity_arg(get);
    get->footer("Examples:\n  roomctl participants get session-42 alice");
    get->callback([f, &ctx] {
        ctx.command = "participants get";
        ctx.exit_code = run_get(*f, ctx);
    });

    auto* remove = group->add_subcommand(
        "remove",
        "Disconnect a participant (LiveKit RemoveParticipant; Twilio Status=disconnected)");
    room_arg(remove);
    identity_arg(remove);
    remove->footer(
        "The participant is disconnected at once; on LiveKit its token can still join again.\n\n"
        "Examples:\n  roomctl participants remove session-42 alice");
    remove->callback([f, &ctx] {
        ctx.command = "participants remove";
        ctx.exit_code = run_remove(*f, ctx);
    });

    auto* update = group->add_subcommand(
        "update", "Change a participant's metadata, name, attributes or permissions (LiveKit)");
    room_arg(update);
    identity_arg(update);
    update->add_option("--metadata", f->metadata, "New metadata (opaque to roomctl)");
    update->add_option("--name", f->name, "New display name");
    update
        ->add_option("--attribute", f->attributes,
                     "KEY=VALUE, repeatable; merged into the attributes (KEY= deletes KEY)")
        ->allow_extra_args(false);
    update->add_option("--can-publish", f->can_publish, "true or false");
    update->add_option("--can-subscribe", f->can_subscribe, "true or false");
    update->add_option("--can-publish-data", f->can_publish_data, "true or false");
    update->add_option("--can-publish-sources", f->can_publish_sources,
                       "camera,microphone,screen_share,screen_share_audio (\"\" = all)");
    update->add_option("--can-update-metadata", f->can_update_metadata, "true or false");
    update->add_option("--hidden", f->hidden, "true or false");
    update->footer(
        "Permission flags change only what they name: the rest of the current permission is\n"
        "kept. Twilio participants have none of these (refused, exit 2).\n\n"
        "Examples:\n  roomctl participants update session-42 alice --metadata "
        "'{\"role\":\"host\"}'\n"
        "  roomctl participants update session-42 alice --attribute seat=3 --can-publish false");
    update->callback([f, &ctx] {
        ctx.command = "participants update";
        ctx.exit_code = run_update(*f, ctx);
    });

    auto* mute = group->add_subcommand(
        "mute", "Mute (or --unmute) a track a participant publishes (LiveKit)");
    room_arg(mute);
    identity_arg(mute);
    mute->add_option("track", f->track, "Track SID (TR_..., see participants get)")->required();
    mute->add_flag("--unmute", f->unmute,
                   "Unmute instead (the server must allow it: room.enable_remote_unmute)");
    mute->footer(
        "Examples:\n  roomctl participants mute session-42 alice TR_AMkx8s2\n"
        "  roomctl participants mute session-42 alice TR_AMkx8s2 --unmute");
    mute->callback([f, &ctx] {
        ctx.command = "participants mute";
        ctx.exit_code = run_mute(*f, ctx);
    });
}

}  // namespace roomctl::cli
