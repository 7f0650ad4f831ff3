#pragma once
// Twilio REST plumbing for the Video v1 API (twilio/twilio-oai: twilio_video_v1.yaml): Basic auth
// with the Account SID + Auth Token or an API key SID + secret, form-encoded bodies (a JSON body is
// ignored by Twilio), JSON answers, the legacy {code, message, more_info, status} error body (and
// the RFC 9457 {type, title, status, code, detail} one), retries (http/retry.hpp: a 429 was not
// processed, so it is always repeated, honouring Retry-After), and requests paced by the run's
// rate limiters (http/rate_limiter.hpp): writes by RetryPolicy::limiter, reads by read_limiter.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "roomctl/http/retry.hpp"
#include "roomctl/http/transport.hpp"

namespace roomctl::twilio {

struct Endpoint {
    std::string base_url;  // https://video.twilio.com (no trailing slash)
    std::string account_sid;
    std::string username;  // SK... (API key) or AC... (with the Auth Token)
    std::string password;  // secret: never printed
    bool api_key = false;  // credentials are an API key, not the Auth Token
    std::chrono::milliseconds timeout{10'000};
};

// A Twilio error answer. `code` is Twilio's error code (20003, 20404, 53113, ...), `status`
// the HTTP status. ErrorKind::auth for 20003 and 403s, runtime otherwise.
class RestError : public Error {
public:
    RestError(ErrorKind kind, int code, long status, std::string text, const std::string& message)
        : Error(kind, message), m_code(code), m_status(status), m_text(std::move(text)) {}
    int code() const noexcept { return m_code; }
    long status() const noexcept { return m_status; }
    const std::string& text() const noexcept { return m_text; }  // Twilio's message

private:
    int m_code;
    long m_status;
    std::string m_text;
};

// Why Twilio refused the credentials, in operator words (20003 is "Authenticate").
std::string explain_credentials(const Endpoint& endpoint);

// Interprets one answer: the JSON object on 2xx; throws RestError for Twilio error bodies and
// Error(runtime) for anything that is not a Twilio answer (HTML, garbage).
nlohmann::json interpret(const std::string& what, const http::Response& r, const Endpoint& e);

// Twilio's delays are longer than the default: a 429's Retry-After can run to seconds.
struct RetryPolicy : http::RetryPolicy {
    RetryPolicy() {
        base_delay = std::chrono::milliseconds{250};
        max_delay = std::chrono::milliseconds{8'000};
        max_total = std::chrono::milliseconds{30'000};
    }
    // Reads (GET) are limited apart from writes (POST, paced by `limiter`): Twilio's account
    // quotas are 80 reads/s and 20 writes/s. Null = unpaced.
    std::shared_ptr<http::RateLimiter> read_limiter;
};

// Sends a request (GET with `query` already in the URL, or POST with `form`) through
// http::send_with_retry: 429s are always repeated (Twilio did not process them), 5xx and lost
// answers only when `idempotency` allows. Throws RestError / Error as `interpret` does, and
// Error(runtime) when 429s outlast the policy.
nlohmann::json call(http::Transport& transport, const Endpoint& endpoint, const std::string& method,
                    const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& form,
                    const std::string& what, http::Idempotency idempotency,
                    const RetryPolicy& policy = {});

}  // namespace roomctl::twilio
