#include "roomctl/twilio/access_token.hpp"

#include <fmt/format.h>

#include "roomctl/token/jwt.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::twilio {

nlohmann::json header() { return {{"typ", "JWT"}, {"alg", "HS256"}, {"cty", "twilio-fpa;v=1"}}; }

nlohmann::json build_claims(const AccessTokenSpec& spec,
                            std::chrono::system_clock::time_point now) {
    if (spec.ttl.count() <= 0) throw usage_error("--ttl must be at least 1s");
    if (spec.ttl > k_max_token_ttl) {
        throw usage_error(fmt::format(
            "--ttl {} is longer than Twilio allows: access tokens live at most 24 h (error 20157)",
            format_duration(spec.ttl)));
    }
    if (spec.identity.empty()) {
        throw usage_error("Twilio Video tokens need --identity (the grants' identity)");
    }
    auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    nlohmann::json video = nlohmann::json::object();
    if (!spec.room.empty()) video["room"] = spec.room;
    return {{"jti", fmt::format("{}-{}", spec.api_key, t)},
            {"iss", spec.api_key},
            {"sub", spec.account_sid},
            {"nbf", t},
            {"exp", t + spec.ttl.count()},
            {"grants", {{"identity", spec.identity}, {"video", video}}}};
}

std::string mint(const AccessTokenSpec& spec, std::string_view api_secret,
                 std::chrono::system_clock::time_point now) {
    return token::sign_hs256(build_claims(spec, now), api_secret, {{"cty", "twilio-fpa;v=1"}});
}

}  // namespace roomctl::twilio
