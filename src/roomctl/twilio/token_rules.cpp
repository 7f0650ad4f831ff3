#include "roomctl/twilio/token_rules.hpp"

#include <fmt/format.h>

#include "roomctl/util/text.hpp"

namespace roomctl::twilio {

using nlohmann::json;
using token::add_error;
using token::add_warning;
using token::ago;
using token::quote;
using token::string_claim;

token::ProviderWords token_words() {
    return {"TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_API_SECRET",
            "roomctl --provider twilio token create"};
}

TokenGrants read_token_grants(const json& claims) {
    TokenGrants g;
    const auto grants = claims.find("grants");
    if (grants == claims.end() || !grants->is_object()) return g;
    g.grants = *grants;
    g.identity = string_claim(*grants, "identity");
    return g;
}

bool check_token_issuer(const std::string& key, token::Diagnoses& out) {
    if (text::is_sid(key, "SK")) return true;
    add_error(out, "twilio_iss_not_key",
              fmt::format("iss {} is not an API key SID (SK + 32 hex): Twilio requires tokens "
                          "issued and signed by an API key (error 20101; an Auth Token cannot "
                          "sign them, 20003); set TWILIO_API_KEY/TWILIO_API_SECRET and mint with "
                          "{}",
                          key.empty() ? "is missing" : quote(key), token_words().mint));
    return false;
}

void check_token_claims(const json& header, const json& claims, const TokenGrants& g,
                        const std::string& account_sid, const token::TokenTimes& t,
                        std::int64_t now, token::Diagnoses& out) {
    const std::string mint = token_words().mint;
    const std::string cty = string_claim(header, "cty");
    if (cty != k_token_cty) {
        add_error(out, "twilio_bad_cty",
                  fmt::format("header cty {}: Twilio requires \"{}\" (error 20101); mint with {} "
                              "or twilio's AccessToken",
                              cty.empty() ? std::string{"is missing"} : "is " + quote(cty),
                              k_token_cty, mint));
    }
    const std::string sub = string_claim(claims, "sub");
    if (!text::is_sid(sub, "AC")) {
        add_error(out, "twilio_sub_not_account",
                  fmt::format("sub {} is not an Account SID (AC + 32 hex): Twilio requires sub "
                              "to be the Account SID (error 20101); set TWILIO_ACCOUNT_SID and "
                              "mint with {}",
                              sub.empty() ? std::string{"(missing)"} : quote(sub), mint));
    } else if (!account_sid.empty() && sub != account_sid) {
        add_error(out, "twilio_account_mismatch",
                  fmt::format("token is for account {}, but TWILIO_ACCOUNT_SID is {}: the other "
                              "account's rooms are not this one's; mint it with the configured "
                              "account",
                              sub, account_sid));
    }
    if (g.identity.empty()) {
        add_error(out, "twilio_missing_identity",
                  fmt::format("grants carry no identity: Twilio Video requires one (error "
                              "20101); mint with {} --identity NAME",
                              mint));
    }
    if (t.expires_at) {
        // Twilio caps exp - issue time; python sets nbf, node sets iat, a hand-made token may
        // have neither (then the lifetime left from now is what counts).
        const std::int64_t start = t.issued_at.value_or(t.not_before.value_or(now));
        const std::int64_t ttl = *t.expires_at - start;
        if (ttl > k_max_token_ttl_seconds) {
            add_error(out, "twilio_ttl_over_24h",
                      fmt::format("token lives {}, longer than Twilio's 24 h cap: Twilio refuses "
                                  "it (error 20157); mint with {} --ttl 24h or less",
                                  ago(ttl), mint));
        }
    }
}

void check_token_join(const std::string& room, const TokenGrants& g, token::Diagnoses& out) {
    const std::string mint = token_words().mint;
    const json* video = nullptr;
    if (g.grants.is_object()) {
        const auto it = g.grants.find("video");
        if (it != g.grants.end() && it->is_object()) video = &*it;
    }
    const std::string room_hint = room.empty() ? "NAME" : room;
    if (!video) {
        add_error(out, "missing_grant",
                  fmt::format("token has no Video grant (grants.video): Twilio refuses it for "
                              "Video rooms; mint with {} --identity NAME --room {}",
                              mint, room_hint));
        return;
    }
    const std::string granted = string_claim(*video, "room");
    // A Video grant without a room is good for any room.
    if (room.empty() || granted.empty() || granted == room) return;
    if (text::is_sid(granted, "RM")) {
        // The grant may name the room by SID; only the server can tell whether it is this one.
        add_warning(out, "room_mismatch",
                    fmt::format("token is for room SID {}, not the name {}: fine if that is this "
                                "room's SID, otherwise mint with {} --room {}",
                                granted, quote(room), mint, room));
        return;
    }
    add_error(out, "room_mismatch",
              fmt::format("token is for room {}, not {}: mint one with {} --identity {} --room {}",
                          quote(granted), quote(room), mint, g.identity.empty() ? "ID" : g.identity,
                          room));
}

}  // namespace roomctl::twilio
