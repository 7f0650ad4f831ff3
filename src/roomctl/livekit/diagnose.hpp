#pragma once
// Turns what a LiveKit server says when it refuses a token into one sentence an operator can
// act on. Covers the middleware bodies of released servers (go-jose, ≤ v1.12) and jwt/v5
// servers (≥ v1.13), per livekit/protocol auth/verifier.go and
// livekit/livekit pkg/service/auth.go.

#include <cstdint>
#include <optional>
#include <string>

namespace roomctl::livekit {

// `body` is the plain-text 401 body (or a Twirp msg); `api_key` is the key the token used.
// The result never contains a token: old servers echo the JWT, which is removed.
// `clock_offset` (server minus local seconds, from the refusal's own Date header when known):
// when it is beyond LiveKit's 60 s leeway and the server refused the token itself (not the
// key or the signature), the answer is the skew — "this machine's clock is N s ahead of the
// server" — whatever words the server used (some say only "invalid authorization token").
std::string explain_auth_failure(const std::string& body, const std::string& api_key,
                                 std::optional<std::int64_t> clock_offset = std::nullopt);

// LiveKit verifies exp and nbf with 60 s of leeway (jwt/v5 WithLeeway, go-jose DefaultLeeway).
inline constexpr std::int64_t k_token_leeway_seconds = 60;

// Removes anything that looks like a JWT ("eyJ...x.y.z") from server text before display.
std::string scrub_tokens(const std::string& text);

// `token inspect --check-server`: what GET /rtc/validate (livekit/livekit:
// pkg/service/rtcservice.go) answered, in operator words. Pure: the caller sends the request.
struct ServerCheck {
    long status = 0;
    std::string body;            // first line (at most 200 bytes), tokens scrubbed
    bool authenticated = false;  // signature, key and time accepted
    bool joinable = false;       // 200: a client can join with it
    std::string message;         // one line
};

// Interprets the /rtc/validate response (HTTP `status` and `body`) for a token issued by
// `api_key` for `room`. Throws Error(runtime) for answers that say nothing about the token
// (5xx, a 404 that is not LiveKit's "requested room does not exist", other statuses).
ServerCheck interpret_rtc_validate(long status, const std::string& body, const std::string& api_key,
                                   const std::string& room);

}  // namespace roomctl::livekit
