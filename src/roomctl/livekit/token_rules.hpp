#pragma once
// LiveKit's rules for an access token, as its server applies them (livekit/protocol:
// auth/verifier.go, auth/grants.go; /rtc/validate in livekit/livekit): what the claims grant, the
// 60 s leeway on exp and nbf, and the grants each purpose needs. Generic JWT checks are
// token/checks.hpp; inspect/inspect.hpp runs these for a token it recognises as LiveKit's. Pure:
// callers pass `now` (unix seconds). Each check appends diagnoses (one line: cause and fix, never
// the token or a secret).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "roomctl/livekit/access_token.hpp"
#include "roomctl/token/checks.hpp"

namespace roomctl::livekit {

// Settings to fix and the command that mints a LiveKit token.
token::ProviderWords token_words();

// What a LiveKit token's claims grant.
struct TokenGrants {
    std::optional<VideoGrant> video;  // the `video` claim, when parseable
    nlohmann::json grants;            // video->to_json(), or null
    std::string identity;             // sub, or jti (the server's fallback)
};

// Reads `claims`; a `video` claim the server cannot parse adds a `bad_claim` error.
TokenGrants read_token_grants(const nlohmann::json& claims, token::Diagnoses& out);

// The server looks the secret up by iss: none is an `unknown_key` error (false).
bool check_token_issuer(const std::string& key, token::Diagnoses& out);

// Why a LiveKit token needs exp (also the wording for tokens of unknown provider).
std::string no_exp_message(const char* mint);

// exp and nbf with LiveKit's 60 s leeway (jwt/v5 WithLeeway): within it a warning
// (`expired_in_leeway`, `not_yet_valid_in_leeway`), beyond it an error.
void check_token_time(const token::TokenTimes& times, bool has_exp_claim, std::int64_t now,
                      token::Diagnoses& out);

// The grants, room and identity `purpose` needs: join = roomJoin + room + identity; admin =
// roomAdmin + room; list = roomList; create = roomCreate. A non-empty `room` must equal the
// granted room (join, admin).
void check_token_purpose(token::Purpose purpose, const std::string& room,
                         const nlohmann::json& claims, const TokenGrants& grants,
                         token::Diagnoses& out);

// A lifetime beyond this (seconds, exp minus nbf or iat) is a `long_lifetime` warning: LiveKit's
// own default is 6 h (livekit-server-sdk AccessToken ttl), and no session lasts a day.
inline constexpr std::int64_t k_long_token_lifetime = 24 * 3600;

// Valid but dangerous, whatever the purpose asked (warnings, never errors): a join token (one
// handed to a client) that also carries roomCreate (`join_with_room_create`), or roomAdmin,
// roomList or roomRecord (`client_with_server_grant`, one per grant); any token valid for
// longer than k_long_token_lifetime (`long_lifetime`).
void check_token_risks(const TokenGrants& grants, const token::TokenTimes& times,
                       token::Diagnoses& out);

}  // namespace roomctl::livekit
