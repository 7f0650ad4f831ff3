#include "roomctl/livekit/diagnose.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
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

std::string server_words(const std::string& body) {
    std::string joined;
    for (auto line : text::lines_of(scrub_tokens(body))) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        line.erase(0, first);
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (!joined.empty()) joined += "; ";
        joined += line;
    }
    joined = text::blank_controls(joined);
    if (joined.size() > 200) {
        joined.resize(200);
        joined += "...";
    }
    return joined;
}

std::string Refusal::line() const {
    if (server_message.empty() || cause.find(server_message) != std::string::npos) return cause;
    return fmt::format("{}; server said: \"{}\"", cause, server_message);
}

namespace {

std::string utc(std::int64_t t) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(t)));
}

bool beyond_leeway(std::optional<std::int64_t> offset) {
    return offset && (*offset > k_token_leeway_seconds || *offset < -k_token_leeway_seconds);
}

// "by its Date header, the server's clock is 900 s ahead of this machine's", or "".
std::string measured(std::optional<std::int64_t> offset) {
    if (!beyond_leeway(offset)) return {};
    const auto n = *offset < 0 ? -*offset : *offset;
    return fmt::format(" (by its Date header the server's clock is {} s {} this machine's)", n,
                       *offset > 0 ? "ahead of" : "behind");
}

// A time refusal of a token whose claims are known: the token's own times decide, and the
// clocks are blamed only when the token is valid here.
std::optional<std::string> attribute_time(const TokenClock& t, bool says_expired, bool says_nbf,
                                          bool says_generic,
                                          std::optional<std::int64_t> clock_offset) {
    if (!(says_expired || says_nbf || says_generic)) return std::nullopt;
    if (t.expires_at && *t.expires_at <= t.now) {
        return fmt::format(
            "token expired {} ago (exp {}): it is expired by this machine's clock too, not a "
            "clock problem; mint a new one (roomctl token create, or the app's token endpoint)",
            token::ago(t.now - *t.expires_at), utc(*t.expires_at));
    }
    if (t.not_before && *t.not_before > t.now + k_token_leeway_seconds) {
        return fmt::format(
            "token not valid for another {} (nbf {}) by this machine's clock too: the machine "
            "that minted it runs ahead; sync its clock (NTP) or mint with nbf in the past",
            token::ago(*t.not_before - t.now), utc(*t.not_before));
    }
    // Valid here, refused there: the two clocks disagree.
    if (says_expired || (says_generic && clock_offset && *clock_offset > k_token_leeway_seconds)) {
        return fmt::format(
            "token is valid by this machine's clock (exp {}) but the server judged it expired: "
            "the server's clock is ahead of this machine's by more than LiveKit's {} s "
            "leeway{}; sync the clocks (NTP)",
            t.expires_at ? utc(*t.expires_at) : std::string{"none"}, k_token_leeway_seconds,
            measured(clock_offset));
    }
    if (says_nbf || (says_generic && beyond_leeway(clock_offset))) {
        return fmt::format(
            "token is valid by this machine's clock (nbf {}) but the server judged it not valid "
            "yet: this machine's clock (and the minter's) is ahead of the server's by more than "
            "LiveKit's {} s leeway{}; sync the clocks (NTP)",
            t.not_before ? utc(*t.not_before) : std::string{"none"}, k_token_leeway_seconds,
            measured(clock_offset));
    }
    return std::nullopt;
}

std::string cause_of(const std::string& raw_body, const std::string& api_key,
                     std::optional<std::int64_t> clock_offset,
                     const std::optional<TokenClock>& token) {
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
    const bool says_nbf = has("not valid yet") || has("(nbf)");
    const bool says_expired = has("expired");
    const bool says_generic =
        has("invalid authorization token") || has("invalid token") || has("malformed");
    if (token) {
        if (auto why = attribute_time(*token, says_expired, says_nbf, says_generic, clock_offset))
            return *why;
    } else if ((says_nbf || says_expired || says_generic) && beyond_leeway(clock_offset)) {
        // A token minted here just now: a time refusal can only be the clocks. Measured, so it
        // beats the server's wording: a token minted N s in the server's future (or past) is
        // refused as "not valid yet" (or "expired"), and some servers only say that the token
        // is invalid.
        const auto n = *clock_offset < 0 ? -*clock_offset : *clock_offset;
        return fmt::format(
            "token refused because this machine's clock is {} s {} the server (by its Date "
            "header), beyond LiveKit's {} s leeway; sync the clocks (NTP)",
            n, *clock_offset < 0 ? "ahead of" : "behind", k_token_leeway_seconds);
    }
    if (says_nbf) {
        return "token not valid yet: this machine's clock is ahead of the server's by more than "
               "LiveKit's 60 s leeway; sync the clocks (NTP)";
    }
    if (says_expired) {
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
    return fmt::format("credentials refused: {}",
                       body.empty() ? "HTTP 401" : text::blank_controls(body));
}

}  // namespace

Refusal describe_auth_failure(const std::string& body, const std::string& api_key,
                              std::optional<std::int64_t> clock_offset,
                              const std::optional<TokenClock>& token) {
    return {cause_of(body, api_key, clock_offset, token), server_words(body)};
}

std::string explain_auth_failure(const std::string& body, const std::string& api_key,
                                 std::optional<std::int64_t> clock_offset,
                                 const std::optional<TokenClock>& token) {
    return describe_auth_failure(body, api_key, clock_offset, token).line();
}

ServerCheck interpret_rtc_validate(long status, const std::string& body, const std::string& api_key,
                                   const std::string& room,
                                   std::optional<std::int64_t> clock_offset,
                                   const std::optional<TokenClock>& token) {
    ServerCheck c;
    c.status = status;
    c.body = first_line(body);
    if (status != 200) c.server_message = server_words(body);
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
        const auto refusal = describe_auth_failure(body, api_key, clock_offset, token);
        c.message = refusal.line();
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
