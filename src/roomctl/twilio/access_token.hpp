#pragma once
// Twilio access tokens for Programmable Video (twilio-python: twilio/jwt/access_token), laid out as
// twilio-python's AccessToken builds them:
//   header  {"typ":"JWT","alg":"HS256","cty":"twilio-fpa;v=1"}
//   claims  {"jti": "<SK key>-<now>", "iss": "<SK key>", "sub": "<AC account>", "nbf": now,
//            "exp": now + ttl, "grants": {"identity": "...", "video": {"room": "..."}}}
// signed with the API key's secret (an Auth Token cannot sign client tokens: Twilio answers
// 20003). Twilio caps the lifetime at 24 hours (error 20157).

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace roomctl::twilio {

inline constexpr std::chrono::seconds k_max_token_ttl{24 * 3600};

struct AccessTokenSpec {
    std::string account_sid;  // AC...
    std::string api_key;      // SK...
    std::string identity;     // required by Video
    std::string room;         // optional: empty = any room
    std::chrono::seconds ttl{3600};
};

// Throws Error(usage) for a ttl <= 0 or over 24 h, or an empty identity.
nlohmann::json build_claims(const AccessTokenSpec& spec, std::chrono::system_clock::time_point now);
nlohmann::json header();
std::string mint(const AccessTokenSpec& spec, std::string_view api_secret,
                 std::chrono::system_clock::time_point now);

}  // namespace roomctl::twilio
