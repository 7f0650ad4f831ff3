#pragma once
// `roomctl token inspect`: decodes a LiveKit or Twilio access token and says, one line per
// problem with its cause and fix, whether it is usable. This is the driver: it tells which
// provider issued the token and runs the generic JWT checks (token/checks.hpp), then that
// provider's rules (livekit/token_rules.hpp, twilio/token_rules.hpp). Pure: no I/O and no
// clock reads (the caller passes `now`), so every diagnosis is unit-testable with a crafted
// token.
//
// Units: every time is unix seconds. Rules:
//   - Signature: HS256 only (LiveKit protocol/auth/verifier.go WithValidMethods(["HS256"]);
//     Twilio error 20101 "alg must be HS256"). Any other alg, "none" included, is an error
//     whether or not a secret is configured. The signature is checked with the configured
//     secret (constant-time, token::verify_hs256) only when the token's `iss` is the
//     configured key: another key's token was signed with another secret, so the only
//     finding is `unknown_key`.
//   - Time, LiveKit: 60 s leeway on exp and nbf (livekit/token_rules.hpp). A token without
//     `exp` is an error: released servers accept it forever, master refuses it.
//   - Time, Twilio and tokens of unknown provider: no leeway is documented, so exp <= now
//     and nbf > now are errors; `exp` is required (error 20101).
//   - Twilio claims and the Twilio join: twilio/token_rules.hpp.
//   - Purposes (LiveKit): join, admin, list, create, as livekit/token_rules.hpp describes.
//     Twilio: only join. A token of unknown provider is good for no purpose.
//
// Severity: "error" makes the token invalid for the purpose (exit 5); "warning" does not.
// Warnings: expired_in_leeway, not_yet_valid_in_leeway, join_with_room_create,
// client_with_server_grant and long_lifetime (livekit::check_token_risks), not_verified
// (no secret configured, or it cannot be chosen), room_mismatch for a Twilio room SID.
// Everything else is an error. Messages are one line, never contain the token or a secret,
// and end with the fix.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/livekit/access_token.hpp"
#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/token/checks.hpp"

namespace roomctl::inspect {

using livekit::interpret_rtc_validate;
using livekit::ServerCheck;
using token::Diagnosis;
using token::parse_purpose;
using token::ProviderCredentials;
using token::Purpose;
using token::Severity;
using token::to_string;

enum class TokenProvider { livekit, twilio, unknown };
std::string to_string(TokenProvider p);

struct InspectOptions {
    std::optional<Purpose> purpose;
    std::string room;  // with join/admin: the room the token must be for; empty: any
    ProviderCredentials livekit;
    ProviderCredentials twilio;
    std::string twilio_account_sid;  // AC...; empty: `sub` is only checked for its shape
    // Whose credentials verify a token whose claims name no provider (the configured one).
    TokenProvider configured_provider = TokenProvider::livekit;
    std::chrono::system_clock::time_point now;
};

struct Inspection {
    TokenProvider provider = TokenProvider::unknown;
    nlohmann::json header;
    nlohmann::json claims;
    std::optional<livekit::VideoGrant> video;  // LiveKit `video` claim, when parseable
    nlohmann::json grants;                     // LiveKit: video.to_json(); Twilio: `grants`
    std::string identity;                      // LiveKit sub (or jti); Twilio grants.identity
    std::string key;                           // iss: the API key that issued it
    std::optional<bool> signature_valid;       // nullopt: not checked
    std::optional<std::int64_t> issued_at, not_before, expires_at;
    std::vector<Diagnosis> diagnoses;

    // True when no diagnosis is an error.
    bool valid() const;
    bool has(std::string_view code) const;
};

// Decodes and diagnoses `jwt`. Throws Error(usage) when it is not a JWT at all, and when a
// purpose other than join is asked of a Twilio token (those grants are LiveKit's).
Inspection inspect_token(std::string_view jwt, const InspectOptions& options);

// Whether the server's answer (livekit::interpret_rtc_validate) makes the token unusable for
// what was asked: refused authentication always does; a refused join only when joining is the
// purpose (or, without --for, when the token carries roomJoin).
bool server_refuses(const ServerCheck& check, const Inspection& inspection,
                    const std::optional<Purpose>& purpose);

}  // namespace roomctl::inspect
