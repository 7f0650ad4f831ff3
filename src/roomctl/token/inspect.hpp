#pragma once
// `roomctl token inspect`: decodes a LiveKit or Twilio access token and says, one line per
// problem with its cause and fix, whether it is usable. Pure: no I/O and no clock reads (the
// caller passes `now`), so every diagnosis is unit-testable with a crafted token.
//
// Units: every time is unix seconds. Rules and their sources:
//   - Signature: HS256 only (LiveKit protocol/auth/verifier.go WithValidMethods(["HS256"]);
//     Twilio error 20101 "alg must be HS256"). Any other alg, "none" included, is an error
//     whether or not a secret is configured. The signature is checked with the configured
//     secret (constant-time, token::verify_hs256) only when the token's `iss` is the
//     configured key: another key's token was signed with another secret, so the only
//     finding is `unknown_key`.
//   - Time, LiveKit (livekit-protocol.md §2 "Server verification", jwt/v5 WithLeeway(1 min)):
//     the server refuses a token once now >= exp + 60 and while nbf > now + 60. Inside the
//     60 s leeway the token is still accepted, so an expiry or nbf within it is a warning.
//     A token without `exp` is an error: released servers accept it forever (a credential
//     that never expires), master refuses it (WithExpirationRequired, protocol 5a20e57c).
//   - Time, Twilio and tokens of unknown provider: no leeway is documented, so exp <= now
//     and nbf > now are errors; `exp` is required (error 20101).
//   - Twilio claims (twilio-video.md §3, error 20101/20157): header cty "twilio-fpa;v=1",
//     iss an API key SID (SK + 32 hex), sub an Account SID (AC + 32 hex, and the configured
//     one when set), grants.identity present, exp - (iat or nbf) at most 24 h.
//   - Purposes (LiveKit, livekit-protocol.md §2/§3): join = video.roomJoin + video.room +
//     an identity (sub, or jti which the server falls back to; else 400 "identity cannot be
//     empty"); admin = video.roomAdmin + video.room; list = video.roomList; create =
//     video.roomCreate. --room must equal video.room for join and admin. A join token that
//     also carries roomCreate is valid for joining but creates the room when it is missing
//     and room.auto_create is off, hiding a missing room: a warning.
//     Twilio: only join, meaning grants.video present and, with --room, a matching room (a
//     video grant without room is good for any room).
//
// Severity: "error" makes the token invalid for the purpose (exit 5); "warning" does not.
// Warnings: expired_in_leeway, not_yet_valid_in_leeway, join_with_room_create, not_verified
// (no secret configured, or it cannot be chosen). Everything else is an error.
// Messages are one line, never contain the token or a secret, and end with the fix.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/livekit/access_token.hpp"

namespace roomctl::token {

// LiveKit's jwt/v5 WithLeeway(time.Minute), applied to exp and nbf.
inline constexpr std::int64_t k_livekit_leeway_seconds = 60;
// Twilio's cap on a token's lifetime (errors 20157, 20104).
inline constexpr std::int64_t k_twilio_max_ttl_seconds = 24 * 3600;
inline constexpr std::string_view k_twilio_cty = "twilio-fpa;v=1";

enum class TokenProvider { livekit, twilio, unknown };
std::string to_string(TokenProvider p);

enum class Purpose { join, admin, list, create };
std::string to_string(Purpose p);
// "join|admin|list|create"; throws Error(usage) naming the value otherwise.
Purpose parse_purpose(std::string_view text);

enum class Severity { error, warning };
std::string to_string(Severity s);

struct Diagnosis {
    std::string code;  // stable identifier: "expired", "bad_signature", ...
    Severity severity = Severity::error;
    std::string message;  // one line: cause and fix
};

// What the configuration knows for one provider. Empty api_key: `iss` is not compared.
// Empty api_secret: the signature is not checked (a `not_verified` warning).
struct ProviderCredentials {
    std::string api_key;
    std::string api_secret;
};

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
    nlohmann::json grants;                       // LiveKit: video.to_json(); Twilio: `grants`
    std::string identity;                        // LiveKit sub (or jti); Twilio grants.identity
    std::string key;                             // iss: the API key that issued it
    std::optional<bool> signature_valid;         // nullopt: not checked
    std::optional<std::int64_t> issued_at, not_before, expires_at;
    std::vector<Diagnosis> diagnoses;

    // True when no diagnosis is an error.
    bool valid() const;
    bool has(std::string_view code) const;
};

// Decodes and diagnoses `jwt`. Throws Error(usage) when it is not a JWT at all, and when a
// purpose other than join is asked of a Twilio token (those grants are LiveKit's).
Inspection inspect_token(std::string_view jwt, const InspectOptions& options);

// --check-server for LiveKit: what GET /rtc/validate (livekit-protocol.md §3) answered,
// in operator words. Pure: the caller sends the request.
struct ServerCheck {
    long status = 0;
    std::string body;          // first line, tokens scrubbed
    bool authenticated = false;  // signature, key and time accepted
    bool joinable = false;       // 200: a client can join with it
    std::string message;
};

// Interprets the /rtc/validate response for a token issued by `api_key` for `room`.
// Throws Error(runtime) for answers that say nothing about the token (5xx, a 404 that is not
// LiveKit's "requested room does not exist", other statuses).
ServerCheck interpret_rtc_validate(long status, const std::string& body,
                                   const std::string& api_key, const std::string& room);

// Whether the server's answer makes the token unusable for what was asked: refused
// authentication always does; a refused join only when joining is the purpose (or, without
// --for, when the token carries roomJoin).
bool server_refuses(const ServerCheck& check, const Inspection& inspection,
                    const std::optional<Purpose>& purpose);

}  // namespace roomctl::token
