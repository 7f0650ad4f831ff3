#pragma once
// Minimal JWS compact serialisation for HS256 (RFC 7515/7519), the only algorithm LiveKit
// (protocol/auth/verifier.go: WithValidMethods(["HS256"])) and Twilio access tokens use.
// HMAC comes from OpenSSL's libcrypto; signatures are compared with CRYPTO_memcmp.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace roomctl::token {

// base64url without padding (RFC 4648 §5), as JWTs use it.
std::string base64url_encode(std::string_view bytes);
// Appends base64url_encode(bytes) to `out`.
void base64url_append(std::string_view bytes, std::string& out);
// Accepts input with or without '=' padding; nullopt on characters outside the alphabet or
// an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Constant-time equality (CRYPTO_memcmp); false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Signs `claims` with HS256 under `secret`. `header` gets "alg":"HS256" forced; callers add
// extra header fields (Twilio's "cty") through `extra_header`.
std::string sign_hs256(const nlohmann::json& claims, std::string_view secret,
                       const nlohmann::json& extra_header = nlohmann::json::object());

struct DecodedJwt {
    nlohmann::json header;
    nlohmann::json claims;
    std::string signing_input;  // "<b64 header>.<b64 payload>"
    std::string signature;      // raw bytes
};

// Splits and decodes a compact JWT without verifying it. Throws Error(usage) with a one-line
// reason when the token is not three base64url parts or a part is not a JSON object.
DecodedJwt decode(std::string_view token);

// True when header.alg is exactly "HS256" and the signature matches `secret`. "none" and any
// other alg are never accepted.
bool verify_hs256(const DecodedJwt& jwt, std::string_view secret);

}  // namespace roomctl::token
