#pragma once
// Turns what a LiveKit server says when it refuses a token into one sentence an operator can
// act on. Covers the middleware bodies of released servers (go-jose, ≤ v1.12) and jwt/v5
// servers (≥ v1.13), per livekit-protocol.md §1 "Errors" and §2 "Server verification".

#include <string>

namespace roomctl::livekit {

// `body` is the plain-text 401 body (or a Twirp msg); `api_key` is the key the token used.
// The result never contains a token: old servers echo the JWT, which is removed.
std::string explain_auth_failure(const std::string& body, const std::string& api_key);

// Removes anything that looks like a JWT ("eyJ...x.y.z") from server text before display.
std::string scrub_tokens(const std::string& text);

}  // namespace roomctl::livekit
