#pragma once
// Turns what a LiveKit server says when it refuses a token into one sentence an operator can
// act on. Covers the middleware bodies of released servers (go-jose, ≤ v1.12) and jwt/v5
// servers (≥ v1.13), per livekit/protocol auth/verifier.go and
// livekit/livekit pkg/service/auth.go.

#include <cstdint>
#include <optional>
#include <string>

namespace roomctl::livekit {

// The refused token's own times as this machine sees them (unix seconds). Known when the
// token came from elsewhere (token inspect): then an expired token is expired, and the clock is
// blamed only when the token is valid by the local clock. Unknown (nullopt) for tokens roomctl
// has just minted (fresh by construction, so a time refusal can only be the clocks).
struct TokenClock {
    std::optional<std::int64_t> not_before, expires_at;
    std::int64_t now = 0;  // this machine's clock
};

// A refusal in two parts: roomctl's reading and the server's own words.
struct Refusal {
    std::string cause;           // one line, roomctl's interpretation with the fix
    std::string server_message;  // the body as one line (tokens scrubbed, ≤ 200 bytes); may be ""
    // cause, then `; server said: "…"` unless the cause already quotes the whole message.
    std::string line() const;
};

// `body` is the plain-text 401 body (or a Twirp msg); `api_key` is the key the token used.
// Neither part ever contains a token: old servers echo the JWT, which is removed.
// `clock_offset`: server minus local seconds, from the refusal's own Date header when known.
// Attribution of a time refusal ("expired", "not valid yet", or just "invalid authorization
// token" while the clocks differ beyond LiveKit's 60 s leeway):
//   - `token` unknown: a fresh token, so it is the clocks (the measured offset when known);
//   - `token` known: exp already past by the local clock -> "expired N ago (exp …)"; nbf
//     still ahead by the local clock -> not valid yet, minted by a clock that runs ahead; only
//     a token valid locally that the server refuses is this machine's clock disagreeing with
//     the server's.
// Key and signature refusals never blame the clock.
Refusal describe_auth_failure(const std::string& body, const std::string& api_key,
                              std::optional<std::int64_t> clock_offset = std::nullopt,
                              const std::optional<TokenClock>& token = std::nullopt);

// describe_auth_failure(...).line(): one line for errors and probe messages.
std::string explain_auth_failure(const std::string& body, const std::string& api_key,
                                 std::optional<std::int64_t> clock_offset = std::nullopt,
                                 const std::optional<TokenClock>& token = std::nullopt);

// The server's text as one quotable line: tokens scrubbed, control bytes blanked, several
// lines (jwt/v5 joins claim errors with '\n') joined with "; ", cut at 200 bytes.
std::string server_words(const std::string& body);

// LiveKit verifies exp and nbf with 60 s of leeway (jwt/v5 WithLeeway, go-jose DefaultLeeway).
inline constexpr std::int64_t k_token_leeway_seconds = 60;

// Removes anything that looks like a JWT ("eyJ...x.y.z") from server text before display.
std::string scrub_tokens(const std::string& text);

// `token inspect --check-server`: what GET /rtc/validate (livekit/livekit:
// pkg/service/rtcservice.go) answered, in operator words. Pure: the caller sends the request.
struct ServerCheck {
    long status = 0;
    std::string body;            // first line (at most 200 bytes), tokens scrubbed
    std::string server_message;  // a refusal's words as the server gave them (server_words)
    bool authenticated = false;  // signature, key and time accepted
    bool joinable = false;       // 200: a client can join with it
    std::string message;         // one line
};

// Interprets the /rtc/validate response (HTTP `status` and `body`) for a token issued by
// `api_key` for `room`; `clock_offset` and `token` as describe_auth_failure (a 401 is
// attributed with them). Throws Error(runtime) for answers that say nothing about the token
// (5xx, a 404 that is not LiveKit's "requested room does not exist", other statuses).
ServerCheck interpret_rtc_validate(long status, const std::string& body, const std::string& api_key,
                                   const std::string& room,
                                   std::optional<std::int64_t> clock_offset = std::nullopt,
                                   const std::optional<TokenClock>& token = std::nullopt);

}  // namespace roomctl::livekit
