// What a token is good for (InspectOptions::purpose): the grants, room and identity a join,
// admin, list or create needs, with the command that mints a fitting token.

#include <fmt/format.h>

#include "roomctl/token/inspect_detail.hpp"

namespace roomctl::token::detail {

namespace {

using nlohmann::json;

// ---- purposes -----------------------------------------------------------------------------

// Fix commands reuse what is known, so they can be pasted with few edits.
std::string room_hint(const InspectOptions& o) { return o.room.empty() ? "NAME" : o.room; }
std::string identity_hint(const Inspection& r) { return r.identity.empty() ? "ID" : r.identity; }

void check_room_match(const InspectOptions& o, const std::string& granted, Inspection& r,
                      const char* mint_flags) {
    if (o.room.empty() || granted == o.room) return;
    error(r, "room_mismatch",
          fmt::format("token is for room {}, not {}: mint one for that room with roomctl token "
                      "create {} --room {}",
                      quote(granted), quote(o.room), mint_flags, o.room));
}

void check_livekit_join(const InspectOptions& o, const livekit::VideoGrant& v, Inspection& r) {
    if (!v.room_join.value_or(false)) {
        error(r, "missing_grant",
              fmt::format("token lacks the roomJoin grant: the server answers 401 \"permissions "
                          "denied\"; mint a join token with roomctl token create --join --room {} "
                          "--identity {}",
                          room_hint(o), identity_hint(r)));
        return;
    }
    if (v.room.empty()) {
        error(r, "grant_without_room",
              fmt::format("the join grant names no room: the server answers 400 \"no room "
                          "name\"; mint with roomctl token create --join --room {} --identity {}",
                          room_hint(o), identity_hint(r)));
    } else {
        check_room_match(o, v.room, r, ("--join --identity " + identity_hint(r)).c_str());
    }
    if (r.identity.empty()) {
        error(r, "join_without_identity",
              fmt::format("join token has no identity (sub): the server answers 400 \"identity "
                          "cannot be empty\"; mint with roomctl token create --join --room {} "
                          "--identity ID",
                          v.room.empty() ? room_hint(o) : v.room));
    }
    if (v.room_create.value_or(false)) {
        warning(r, "join_with_room_create",
                fmt::format("join token also carries roomCreate: it is valid for joining, but "
                            "when room {} is missing (auto_create off) joining creates it, "
                            "hiding the missing room; mint join tokens without --create",
                            quote(v.room)));
    }
}

void check_livekit_admin(const InspectOptions& o, const livekit::VideoGrant& v, Inspection& r) {
    if (!v.room_admin.value_or(false)) {
        error(r, "missing_grant",
              fmt::format("token lacks the roomAdmin grant: participant calls answer "
                          "permission_denied; mint with roomctl token create --admin --room {}",
                          room_hint(o)));
        return;
    }
    if (v.room.empty()) {
        error(r, "grant_without_room",
              fmt::format("the roomAdmin grant names no room, and admin rights are for one room "
                          "only; mint with roomctl token create --admin --room {}",
                          room_hint(o)));
        return;
    }
    check_room_match(o, v.room, r, "--admin");
}

void check_livekit_flag(const std::optional<bool>& flag, const char* grant, const char* calls,
                        const char* mint_flag, Inspection& r) {
    if (flag.value_or(false)) return;
    error(r, "missing_grant",
          fmt::format("token lacks the {} grant: {} answer permission_denied; mint with roomctl "
                      "token create {}",
                      grant, calls, mint_flag));
}

void check_livekit_purpose(const InspectOptions& o, Purpose purpose, Inspection& r) {
    if (!r.video) {
        if (r.claims.contains("video") && !r.claims.at("video").is_null()) return;  // bad_claim
        error(r, "missing_grant",
              fmt::format("token has no video grant, so it is good for no {}: mint one with "
                          "roomctl token create (--join, --admin, --list or --create)",
                          to_string(purpose)));
        return;
    }
    switch (purpose) {
        case Purpose::join: return check_livekit_join(o, *r.video, r);
        case Purpose::admin: return check_livekit_admin(o, *r.video, r);
        case Purpose::list:
            return check_livekit_flag(r.video->room_list, "roomList", "ListRooms calls", "--list",
                                      r);
        case Purpose::create:
            return check_livekit_flag(r.video->room_create, "roomCreate",
                                      "CreateRoom and DeleteRoom calls", "--create", r);
    }
}

bool is_room_sid(std::string_view s) { return is_sid(s, "RM"); }

void check_twilio_join(const InspectOptions& o, Inspection& r) {
    const std::string mint = words_for(TokenProvider::twilio).mint;
    const json* video = nullptr;
    if (r.grants.is_object()) {
        const auto it = r.grants.find("video");
        if (it != r.grants.end() && it->is_object()) video = &*it;
    }
    if (!video) {
        error(r, "missing_grant",
              fmt::format("token has no Video grant (grants.video): Twilio refuses it for Video "
                          "rooms; mint with {} --identity NAME --room {}",
                          mint, room_hint(o)));
        return;
    }
    const std::string granted = string_claim(*video, "room");
    // A Video grant without a room is good for any room.
    if (o.room.empty() || granted.empty() || granted == o.room) return;
    if (is_room_sid(granted)) {
        // The grant may name the room by SID; only the server can tell whether it is this one.
        warning(r, "room_mismatch",
                fmt::format("token is for room SID {}, not the name {}: fine if that is this "
                            "room's SID, otherwise mint with {} --room {}",
                            granted, quote(o.room), mint, o.room));
        return;
    }
    error(r, "room_mismatch",
          fmt::format("token is for room {}, not {}: mint one with {} --identity {} --room {}",
                      quote(granted), quote(o.room), mint, identity_hint(r), o.room));
}

}  // namespace

void check_purpose(const InspectOptions& o, Inspection& r) {
    if (!o.purpose) return;
    switch (r.provider) {
        case TokenProvider::livekit: return check_livekit_purpose(o, *o.purpose, r);
        case TokenProvider::twilio: return check_twilio_join(o, r);
        case TokenProvider::unknown:
            error(r, "missing_grant",
                  fmt::format("token carries neither a LiveKit video grant nor Twilio grants, so "
                              "it is good for no {}; mint one with roomctl token create",
                              to_string(*o.purpose)));
            return;
    }
}

}  // namespace roomctl::token::detail
