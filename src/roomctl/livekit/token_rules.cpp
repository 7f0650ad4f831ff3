#include "roomctl/livekit/token_rules.hpp"

#include <fmt/format.h>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::livekit {

namespace {

using nlohmann::json;
using token::add_error;
using token::add_warning;
using token::ago;
using token::quote;

// Fix commands reuse what is known, so they can be pasted with few edits.
std::string room_hint(const std::string& room) { return room.empty() ? "NAME" : room; }
std::string identity_hint(const std::string& identity) {
    return identity.empty() ? "ID" : identity;
}

void check_room_match(const std::string& room, const std::string& granted, token::Diagnoses& out,
                      const char* mint_flags) {
    if (room.empty() || granted == room) return;
    add_error(out, "room_mismatch",
              fmt::format("token is for room {}, not {}: mint one for that room with roomctl "
                          "token create {} --room {}",
                          quote(granted), quote(room), mint_flags, room));
}

void check_join(const std::string& room, const VideoGrant& v, const std::string& identity,
                token::Diagnoses& out) {
    if (!v.room_join.value_or(false)) {
        add_error(out, "missing_grant",
                  fmt::format("token lacks the roomJoin grant: the server answers 401 "
                              "\"permissions denied\"; mint a join token with roomctl token "
                              "create --join --room {} --identity {}",
                              room_hint(room), identity_hint(identity)));
        return;
    }
    if (v.room.empty()) {
        add_error(out, "grant_without_room",
                  fmt::format("the join grant names no room: the server answers 400 \"no room "
                              "name\"; mint with roomctl token create --join --room {} "
                              "--identity {}",
                              room_hint(room), identity_hint(identity)));
    } else {
        check_room_match(room, v.room, out,
                         ("--join --identity " + identity_hint(identity)).c_str());
    }
    if (identity.empty()) {
        add_error(out, "join_without_identity",
                  fmt::format("join token has no identity (sub): the server answers 400 "
                              "\"identity cannot be empty\"; mint with roomctl token create "
                              "--join --room {} --identity ID",
                              v.room.empty() ? room_hint(room) : v.room));
    }
}

void check_admin(const std::string& room, const VideoGrant& v, token::Diagnoses& out) {
    if (!v.room_admin.value_or(false)) {
        add_error(out, "missing_grant",
                  fmt::format("token lacks the roomAdmin grant: participant calls answer "
                              "permission_denied; mint with roomctl token create --admin --room "
                              "{}",
                              room_hint(room)));
        return;
    }
    if (v.room.empty()) {
        add_error(out, "grant_without_room",
                  fmt::format("the roomAdmin grant names no room, and admin rights are for one "
                              "room only; mint with roomctl token create --admin --room {}",
                              room_hint(room)));
        return;
    }
    check_room_match(room, v.room, out, "--admin");
}

void check_flag(const std::optional<bool>& flag, const char* grant, const char* calls,
                const char* mint_flag, token::Diagnoses& out) {
    if (flag.value_or(false)) return;
    add_error(out, "missing_grant",
              fmt::format("token lacks the {} grant: {} answer permission_denied; mint with "
                          "roomctl token create {}",
                          grant, calls, mint_flag));
}

}  // namespace

token::ProviderWords token_words() {
    return {"LIVEKIT_API_KEY", "LIVEKIT_API_SECRET (or --api-secret-file)", "LIVEKIT_API_SECRET",
            "roomctl token create"};
}

TokenGrants read_token_grants(const json& claims, token::Diagnoses& out) {
    TokenGrants g;
    g.identity = token::string_claim(claims, "sub");
    // The server takes jti as the identity when sub is empty (auth/verifier.go).
    if (g.identity.empty()) g.identity = token::string_claim(claims, "jti");
    const auto video = claims.find("video");
    if (video == claims.end() || video->is_null()) return g;
    try {
        g.video = VideoGrant::from_json(*video);
        g.grants = g.video->to_json();
    } catch (const Error& e) {
        add_error(out, "bad_claim",
                  fmt::format("{}: the server cannot parse this token; mint a new one with "
                              "roomctl token create",
                              e.what()));
    }
    return g;
}

bool check_token_issuer(const std::string& key, token::Diagnoses& out) {
    if (!key.empty()) return true;
    add_error(out, "unknown_key",
              fmt::format("token has no iss (API key): the server looks up the secret by iss "
                          "and answers 401 \"invalid API key\"; mint it with {}",
                          token_words().mint));
    return false;
}

std::string no_exp_message(const char* mint) {
    return fmt::format(
        "token has no exp: released LiveKit servers accept it forever and newer "
        "ones refuse it (WithExpirationRequired); mint one that expires with {} "
        "--ttl 1h",
        mint);
}

void check_token_time(const token::TokenTimes& t, bool has_exp_claim, std::int64_t now,
                      token::Diagnoses& out) {
    const char* mint = token_words().mint;
    const std::int64_t leeway = k_token_leeway_seconds;
    if (t.expires_at && now >= *t.expires_at && now - *t.expires_at < leeway) {
        const std::int64_t exp = *t.expires_at;
        add_warning(out, "expired_in_leeway",
                    fmt::format("token expired {} ago; LiveKit still accepts it for {} more (60 "
                                "s leeway on exp), then refuses it: mint a new one with {} --ttl "
                                "1h",
                                ago(now - exp), ago(exp + leeway - now), mint));
    } else {
        token::check_expiry(t, has_exp_claim, now, no_exp_message(mint), mint, out);
    }

    if (!t.not_before || *t.not_before <= now) return;
    const std::int64_t ahead = *t.not_before - now;
    if (ahead <= leeway) {
        add_warning(out, "not_yet_valid_in_leeway",
                    fmt::format("nbf is {} in the future: LiveKit accepts it within its 60 s "
                                "leeway, but the minting machine's clock is {} ahead of this "
                                "one; sync clocks with NTP before the skew passes 60 s",
                                ago(ahead), ago(ahead)));
        return;
    }
    add_error(out, "not_yet_valid",
              fmt::format("token is not valid for another {}: nbf is {} ahead of this machine's "
                          "clock, beyond LiveKit's 60 s leeway, so the server refuses it (\"token "
                          "is not valid yet\"); the minting machine's clock is ahead: sync clocks "
                          "with NTP",
                          ago(ahead), ago(ahead)));
}

void check_token_purpose(token::Purpose purpose, const std::string& room, const json& claims,
                         const TokenGrants& g, token::Diagnoses& out) {
    if (!g.video) {
        if (claims.contains("video") && !claims.at("video").is_null()) return;  // bad_claim
        add_error(out, "missing_grant",
                  fmt::format("token has no video grant, so it is good for no {}: mint one with "
                              "roomctl token create (--join, --admin, --list or --create)",
                              token::to_string(purpose)));
        return;
    }
    switch (purpose) {
        case token::Purpose::join:
            return check_join(room, *g.video, g.identity, out);
        case token::Purpose::admin:
            return check_admin(room, *g.video, out);
        case token::Purpose::list:
            return check_flag(g.video->room_list, "roomList", "ListRooms calls", "--list", out);
        case token::Purpose::create:
            return check_flag(g.video->room_create, "roomCreate", "CreateRoom and DeleteRoom calls",
                              "--create", out);
    }
}

void check_token_risks(const TokenGrants& g, const token::TokenTimes& t, token::Diagnoses& out) {
    if (g.video && g.video->room_join.value_or(false)) {
        const auto& v = *g.video;
        if (v.room_create.value_or(false)) {
            add_warning(out, "join_with_room_create",
                        fmt::format("join token also carries roomCreate: it is valid for "
                                    "joining, but when room {} is missing (auto_create off) "
                                    "joining creates it, hiding the missing room; mint join "
                                    "tokens without --create",
                                    quote(v.room)));
        }
        const std::pair<const std::optional<bool>*, const char*> server_grants[] = {
            {&v.room_admin, "roomAdmin (remove, mute and update anyone in the room)"},
            {&v.room_list, "roomList (list every room on the server)"},
            {&v.room_record, "roomRecord (start and stop recordings)"},
        };
        for (const auto& [grant, what] : server_grants) {
            if (!grant->value_or(false)) continue;
            add_warning(out, "client_with_server_grant",
                        fmt::format("a join token (handed to a browser) also carries {}: whoever "
                                    "holds it has that power too; mint client tokens with --join "
                                    "only, and keep server grants on the server",
                                    what));
        }
    }
    const auto from = t.not_before ? t.not_before : t.issued_at;
    if (t.expires_at && from && *t.expires_at - *from > k_long_token_lifetime) {
        add_warning(out, "long_lifetime",
                    fmt::format("token is valid for {}: a leaked copy joins for that long, and "
                                "it outlives any session; mint one per session with a lifetime "
                                "of hours (roomctl token create --ttl 2h)",
                                ago(*t.expires_at - *from)));
    }
}

}  // namespace roomctl::livekit
