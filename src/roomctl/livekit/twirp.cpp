#include "roomctl/livekit/twirp.hpp"

#include <fmt/format.h>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/media/server_clock.hpp"
#include "roomctl/util/json_depth.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::livekit {

namespace {

constexpr std::string_view k_prefix = "twirp error unknown: ";

std::string describe_body(const http::Response& r) {
    auto type = r.media_type().empty() ? std::string{"no content type"} : r.media_type();
    if (r.body.empty()) return fmt::format("an empty body ({})", type);
    return fmt::format("{}: \"{}\"", type,
                       text::blank_controls(text::first_line(scrub_tokens(r.body), 80)));
}

// The skew the refusal itself shows: its Date against this machine's clock now (the answer
// has just arrived, so the exchange's own duration is noise next to the 60 s leeway).
std::optional<std::int64_t> skew_of(const http::Response& r) {
    const auto now = std::chrono::system_clock::now();
    return media::clock_offset_of(r, now, now);
}

}  // namespace

std::string strip_twirp_prefix(const std::string& msg) {
    if (msg.rfind(k_prefix, 0) == 0) return msg.substr(k_prefix.size());
    return msg;
}

nlohmann::json interpret_twirp_response(const std::string& method, const http::Response& r,
                                        const ApiEndpoint& endpoint) {
    const bool json = r.media_type() == "application/json";
    if (r.status >= 200 && r.status < 300) {
        if (!json) {
            throw runtime_error(fmt::format(
                "LiveKit {} at {} answered with {}, not JSON: is the URL a LiveKit server?", method,
                endpoint.base_url, describe_body(r)));
        }
        try {
            auto parsed = parse_bounded_json(r.body);
            if (!parsed.is_object()) throw std::runtime_error("not an object");
            return parsed;
        } catch (const JsonTooDeep&) {
            throw runtime_error(fmt::format(
                "LiveKit {} at {} answered with JSON nested deeper than {} levels; refusing to "
                "read it",
                method, endpoint.base_url, k_max_answer_depth));
        } catch (const std::exception&) {
            throw runtime_error(fmt::format("LiveKit {} at {} answered with malformed JSON ({})",
                                            method, endpoint.base_url, describe_body(r)));
        }
    }
    if (json) {
        nlohmann::json err;
        try {
            err = parse_bounded_json(r.body);
        } catch (const std::exception&) {
        }
        if (err.is_object() && err.contains("code") && err["code"].is_string()) {
            std::string code = err["code"];
            std::string msg = err.value("msg", std::string{});
            if (!err["msg"].is_string()) msg.clear();
            msg = scrub_tokens(strip_twirp_prefix(msg));
            if (code == "unauthenticated" || code == "permission_denied") {
                throw TwirpError(
                    ErrorKind::auth, code, msg, r.status,
                    fmt::format("LiveKit refused {}: {}", method,
                                explain_auth_failure(msg, endpoint.api_key, skew_of(r))));
            }
            throw TwirpError(ErrorKind::runtime, code, msg, r.status,
                             fmt::format("LiveKit {} failed: {} ({})", method,
                                         text::blank_controls(text::first_line(msg, 160)), code));
        }
    }
    if (r.status == 401) {
        throw Error(ErrorKind::auth,
                    fmt::format("LiveKit refused {}: {}", method,
                                explain_auth_failure(r.body, endpoint.api_key, skew_of(r))));
    }
    if (r.status == 404) {
        throw runtime_error(fmt::format(
            "no LiveKit RoomService at {} (HTTP 404, {}): check the URL and port (7880 by default)",
            endpoint.base_url, describe_body(r)));
    }
    throw runtime_error(fmt::format("LiveKit {} at {} failed with HTTP {} and {}", method,
                                    endpoint.base_url, r.status, describe_body(r)));
}

http::Request twirp_request(const ApiEndpoint& endpoint, const std::string& method,
                            const nlohmann::json& request, const VideoGrant& grant) {
    AccessTokenSpec spec;
    spec.api_key = endpoint.api_key;
    spec.ttl = std::chrono::minutes{10};
    spec.video = grant;
    auto token = mint(spec, endpoint.api_secret, std::chrono::system_clock::now());

    http::Request req;
    req.method = "POST";
    req.url = endpoint.base_url + "/twirp/livekit.RoomService/" + method;
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
    req.body = request.dump();
    req.timeout = endpoint.timeout;
    return req;
}

nlohmann::json twirp_call(http::Transport& transport, const ApiEndpoint& endpoint,
                          const std::string& method, const nlohmann::json& request,
                          const VideoGrant& grant, const http::RetryPolicy& retry) {
    auto response =
        http::send_with_retry(transport, twirp_request(endpoint, method, request, grant),
                              http::Idempotency::idempotent, retry, method);
    return interpret_twirp_response(method, response, endpoint);
}

http::Response rtc_validate(http::Transport& transport, const std::string& base_url,
                            const std::string& jwt, std::chrono::milliseconds timeout) {
    http::Request req;
    req.url = base_url + "/rtc/validate";
    // A header, not the access_token query parameter, so the token stays out of URLs and logs.
    req.headers = {{"Authorization", "Bearer " + jwt}};
    req.timeout = timeout;
    return transport.send(req);
}

}  // namespace roomctl::livekit
