#pragma once
// Twilio's rules for a Video access token (twilio-python: twilio/jwt/access_token;
// errors 20101, 20104, 20157):
// header cty "twilio-fpa;v=1", iss an API key SID, sub an Account SID, grants.identity, a
// lifetime of at most 24 h, and the Video grant a join needs. Twilio documents no leeway, so
// exp and nbf are checked exactly (token/checks.hpp). inspect/inspect.hpp runs these for a
// token it recognises as Twilio's. Pure: callers pass `now` (unix seconds). Each check appends
// diagnoses (one line: cause and fix, never the token or a secret).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "roomctl/token/checks.hpp"

namespace roomctl::twilio {

// Twilio's cap on a token's lifetime, seconds (errors 20157, 20104).
inline constexpr std::int64_t k_max_token_ttl_seconds = 24 * 3600;
// The header `cty` Twilio requires.
inline constexpr std::string_view k_token_cty = "twilio-fpa;v=1";

// Settings to fix and the command that mints a Twilio token.
token::ProviderWords token_words();

// What a Twilio token's claims grant.
struct TokenGrants {
    nlohmann::json grants;  // the `grants` object, or null
    std::string identity;   // grants.identity
};
TokenGrants read_token_grants(const nlohmann::json& claims);

// iss must be an API key SID (SK + 32 hex): otherwise a `twilio_iss_not_key` error (false).
bool check_token_issuer(const std::string& key, token::Diagnoses& out);

// cty, sub (an Account SID; `account_sid` when configured, "" to check the shape only),
// identity, and exp - (iat or nbf or now) <= 24 h.
void check_token_claims(const nlohmann::json& header, const nlohmann::json& claims,
                        const TokenGrants& grants, const std::string& account_sid,
                        const token::TokenTimes& times, std::int64_t now, token::Diagnoses& out);

// `token inspect --for join`: grants.video present and, with a non-empty `room`, for that room
// (a Video grant without a room is good for any room; one naming a room SID is a warning).
void check_token_join(const std::string& room, const TokenGrants& grants, token::Diagnoses& out);

}  // namespace roomctl::twilio
