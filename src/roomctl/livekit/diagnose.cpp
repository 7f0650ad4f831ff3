#include "roomctl/livekit/diagnose.hpp"

#include <fmt/format.h>

#include <regex>

#include "roomctl/token/checks.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::livekit {

std::string scrub_tokens(const std::string& text) {
    static const std::regex jwt{R"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)"};
    return std::regex_replace(text, jwt, "<token>");
}

namespace {

// The first line of a server's answer, tokens removed, cut at 200 bytes.
std::string first_line(const std::string& text) {
    return text::first_line(scrub_tokens(text), 200);
}

}  // namespace

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
    if (has("signature is invalid") || has("cryptographic primitive") || has("signature")) {
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

ServerCheck interpret_rtc_validate(long status, const std::string& body, const std::string& api_key,
                                   const std::string& room) {
    ServerCheck c;
    c.status = status;
    c.body = first_line(body);
    auto says = [&](const char* needle) { return c.body.find(needle) != std::string::npos; };
    if (status == 200) {
        c.authenticated = c.joinable = true;
        c.message = fmt::format("the server accepts it for joining room {} (/rtc/validate: {})",
                                token::quote(room), c.body.empty() ? "200" : c.body);
    } else if (status == 404 && says("requested room does not exist")) {
        c.authenticated = true;
        c.message = fmt::format(
            "room {} does not exist and the server does not auto-create rooms: clients get "
            "\"requested room does not exist\" (run roomctl recreate {}: it creates the room "
            "and records its SID in the row; rooms create would leave the row's SID stale)",
            token::quote(room), room.empty() ? "NAME" : room);
    } else if (status == 400) {
        // Validation after authentication: identity, room name, limits.
        c.authenticated = true;
        c.message = fmt::format("the server authenticates the token but refuses the join (400 {})",
                                c.body.empty() ? "with an empty body" : token::quote(c.body));
    } else if (status == 401 && (says("permissions denied") || says("no permissions"))) {
        c.authenticated = true;
        c.message = fmt::format(
            "the server authenticates the token, but it grants no join{} (401 "
            "{}); a join token needs roomctl token create --join",
            room.empty() ? std::string{} : " to room " + token::quote(room), token::quote(c.body));
    } else if (status == 401) {
        c.message = explain_auth_failure(body, api_key);
    } else if (status == 404) {
        throw runtime_error(
            fmt::format("/rtc/validate answered 404 ({}): is this a LiveKit server?",
                        c.body.empty() ? "empty body" : c.body));
    } else {
        throw runtime_error(fmt::format("/rtc/validate answered HTTP {}{}", status,
                                        c.body.empty() ? "" : ": " + c.body));
    }
    return c;
}

}  // namespace roomctl::livekit
