#include "roomctl/livekit/diagnose.hpp"

#include <fmt/format.h>

#include <regex>

namespace roomctl::livekit {

std::string scrub_tokens(const std::string& text) {
    static const std::regex jwt{R"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)"};
    return std::regex_replace(text, jwt, "<token>");
}

std::string explain_auth_failure(const std::string& raw_body, const std::string& api_key,
                                 std::optional<std::int64_t> clock_offset) {
    std::string body = scrub_tokens(raw_body);
    // jwt/v5 joins several claim errors with newlines ("token is expired\ntoken is not valid
    // yet"): read them all, show the first line.
    const std::string full = body;
    if (auto nl = body.find('\n'); nl != std::string::npos) body.resize(nl);
    auto has = [&](const char* needle) { return full.find(needle) != std::string::npos; };

    if (has("invalid API key")) {
        return fmt::format(
            "API key {} is not known to the server: check LIVEKIT_API_KEY against the server's "
            "keys",
            api_key);
    }
    if (has("signature is invalid") || has("cryptographic primitive") ||
        has("signature")) {
        return fmt::format("API secret does not match key {}: signature rejected", api_key);
    }
    const bool token_refused = has("not valid yet") || has("(nbf)") || has("expired") ||
                               has("invalid authorization token") || has("invalid token") ||
                               has("malformed");
    if (token_refused && clock_offset &&
        (*clock_offset > k_token_leeway_seconds || *clock_offset < -k_token_leeway_seconds)) {
        // Measured, so it beats the server's wording: a token minted N s in the server's future
        // (or past) is refused as "not valid yet" (or "expired"), and some servers only say
        // that the token is invalid.
        const auto n = *clock_offset < 0 ? -*clock_offset : *clock_offset;
        return fmt::format(
            "token refused because this machine's clock is {} s {} the server (by its Date "
            "header), beyond LiveKit's {} s leeway; sync the clocks (NTP)",
            n, *clock_offset < 0 ? "ahead of" : "behind", k_token_leeway_seconds);
    }
    if (has("not valid yet") || has("(nbf)")) {
        return "token not valid yet: this machine's clock is ahead of the server's by more than "
               "LiveKit's 60 s leeway; sync the clocks (NTP)";
    }
    if (has("expired")) {
        return "token already expired when the server checked it: this machine's clock is behind "
               "the server's by more than LiveKit's 60 s leeway; sync the clocks (NTP)";
    }
    if (has("Must start with Bearer")) {
        return "the server did not receive a Bearer token (a proxy may be rewriting the "
               "Authorization header)";
    }
    if (has("permissions denied") || has("no permissions")) {
        return "the token lacks the grant this call needs (permissions denied)";
    }
    if (has("invalid authorization token")) {
        return "the server could not parse the token (invalid authorization token)";
    }
    return fmt::format("credentials refused: {}", body.empty() ? "HTTP 401" : body);
}

}  // namespace roomctl::livekit
