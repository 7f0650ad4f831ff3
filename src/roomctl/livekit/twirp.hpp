#pragma once
// Twirp JSON transport for LiveKit's RoomService (livekit/protocol: livekit/livekit_room.twirp.go):
// POST <base>/twirp/livekit.RoomService/<Method>, Content-Type application/json, body never empty,
// Authorization: Bearer <per-call token with the minimal grant>.
//
// Error mapping (match on the Twirp `code`, never on `msg`):
//   - JSON {"code","msg"} bodies become TwirpError; `unauthenticated` and `permission_denied`
//     are ErrorKind::auth, everything else runtime.
//   - Plain-text 401 bodies come from the API-key middleware before Twirp runs; they become
//     Error(auth) with the cause explained by explain_auth_failure (diagnose.hpp).
//   - Anything that is not a Twirp answer (HTML from a proxy, "404 page not found", garbage)
//     becomes Error(runtime) naming what came back.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/http/retry.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/livekit/access_token.hpp"

namespace roomctl::livekit {

class TwirpError : public Error {
public:
    TwirpError(ErrorKind kind, std::string code, std::string msg, long status,
               const std::string& message)
        : Error(kind, message), m_code(std::move(code)), m_msg(std::move(msg)), m_status(status) {}
    const std::string& code() const noexcept { return m_code; }
    const std::string& msg() const noexcept { return m_msg; }  // server text, prefix stripped
    long status() const noexcept { return m_status; }

private:
    std::string m_code, m_msg;
    long m_status;
};

struct ApiEndpoint {
    std::string base_url;  // http(s)://host[:port], no trailing slash
    std::string api_key;
    std::string api_secret;
    std::chrono::milliseconds timeout{10'000};
};

// Server messages since v1.8.4 carry "twirp error unknown: " in front; display without it.
std::string strip_twirp_prefix(const std::string& msg);

// Interprets one RoomService response. Returns the parsed JSON object on 2xx; throws as above.
nlohmann::json interpret_twirp_response(const std::string& method, const http::Response& response,
                                        const ApiEndpoint& endpoint);

// Builds the POST for `method`: a fresh 10-minute token carrying only `grant`.
http::Request twirp_request(const ApiEndpoint& endpoint, const std::string& method,
                            const nlohmann::json& request, const VideoGrant& grant);

// GET <base_url>/rtc/validate with `jwt` as the Bearer token (livekit/livekit:
// pkg/service/rtcservice.go): the server runs the join checks and creates nothing. Returns the
// answer as it came; throws TransportError when none came.
http::Response rtc_validate(http::Transport& transport, const std::string& base_url,
                            const std::string& jwt, std::chrono::milliseconds timeout);

// Mints a short-lived (10 min, as the Node SDK's service tokens) token with `grant`, POSTs
// `request` to `method` and interprets the answer. Every RoomService method roomctl calls is
// idempotent (CreateRoom returns a live room of that name unchanged, a repeated DeleteRoom
// answers not_found), so the call is repeated under `retry` (http/retry.hpp).
nlohmann::json twirp_call(http::Transport& transport, const ApiEndpoint& endpoint,
                          const std::string& method, const nlohmann::json& request,
                          const VideoGrant& grant, const http::RetryPolicy& retry);

}  // namespace roomctl::livekit
