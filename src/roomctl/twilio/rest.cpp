#include "roomctl/twilio/rest.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "roomctl/http/form.hpp"
#include "roomctl/http/retry.hpp"
#include "roomctl/util/json_depth.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::twilio {

std::string explain_credentials(const Endpoint& e) {
    if (e.api_key) {
        return fmt::format(
            "Twilio refused API key {} for account {} (20003): check TWILIO_API_KEY, "
            "TWILIO_API_SECRET and that the key is a Standard or Main key of this account "
            "(Restricted keys cannot use Video)",
            e.username, e.account_sid);
    }
    return fmt::format(
        "Twilio refused the Auth Token for account {} (20003): check TWILIO_ACCOUNT_SID and "
        "TWILIO_AUTH_TOKEN (a rotated token invalidates the old one)",
        e.account_sid);
}

nlohmann::json interpret(const std::string& what, const http::Response& r, const Endpoint& e) {
    const bool json = r.media_type() == "application/json";
    nlohmann::json body;
    if (json) {
        try {
            body = parse_bounded_json(r.body);
        } catch (const JsonTooDeep&) {
            throw runtime_error(fmt::format(
                "Twilio {} at {} answered HTTP {} with JSON nested deeper than {} levels; refusing "
                "to read it",
                what, e.base_url, r.status, k_max_answer_depth));
        } catch (const std::exception&) {
            body = nlohmann::json();
        }
    }
    if (r.status >= 200 && r.status < 300) {
        if (!body.is_object()) {
            throw runtime_error(fmt::format(
                "Twilio {} at {} answered HTTP {} with {} that is not a JSON object: is the base "
                "URL a Twilio Video API?",
                what, e.base_url, r.status, r.media_type().empty() ? "a body" : r.media_type()));
        }
        return body;
    }
    if (body.is_object() && body.contains("code") && body["code"].is_number_integer()) {
        int code = body["code"].get<int>();
        std::string text;
        for (const char* key : {"message", "detail", "title"}) {
            if (body.contains(key) && body[key].is_string()) {
                text = body[key].get<std::string>();
                break;
            }
        }
        if (code == 20003 || r.status == 401) {
            // Twilio's own words beside roomctl's reading (issue 16 item 3).
            const auto said = text::blank_controls(text::first_line(text, 200));
            throw RestError(ErrorKind::auth, code, r.status, text,
                            said.empty() ? explain_credentials(e)
                                         : fmt::format("{}; Twilio said: \"{}\" ({})",
                                                       explain_credentials(e), said, code));
        }
        auto kind = (r.status == 403 || code == 20403) ? ErrorKind::auth : ErrorKind::runtime;
        throw RestError(
            kind, code, r.status, text,
            fmt::format("Twilio {} failed: {} (error {}, HTTP {})", what,
                        text::blank_controls(text::first_line(text, 100)), code, r.status));
    }
    if (r.status == 401) throw Error(ErrorKind::auth, explain_credentials(e));
    throw runtime_error(fmt::format(
        "Twilio {} at {} failed with HTTP {} and {}", what, e.base_url, r.status,
        r.body.empty() ? std::string{"an empty body"}
                       : fmt::format("{}: \"{}\"", r.media_type(),
                                     text::blank_controls(text::first_line(r.body, 80)))));
}

nlohmann::json call(http::Transport& transport, const Endpoint& endpoint, const std::string& method,
                    const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& form,
                    const std::string& what, http::Idempotency idempotency,
                    const RetryPolicy& policy) {
    http::Request req;
    req.method = method;
    req.url = url;
    req.timeout = endpoint.timeout;
    req.headers = {
        {"Authorization", http::basic_authorization(endpoint.username, endpoint.password)},
        {"Accept", "application/json"}};
    if (method == "POST") {
        req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        req.body = http::form_encode(form);
    }
    // Twilio limits writes and reads separately (20 and 80 per second per account).
    http::RetryPolicy limited = policy;
    limited.limiter = method == "POST" ? policy.limiter : policy.read_limiter;
    auto response = http::send_with_retry(transport, req, idempotency, limited, what);
    if (response.status == 429) {
        throw runtime_error(fmt::format(
            "Twilio {} was rate-limited (HTTP 429) until roomctl gave up retrying; try again "
            "later or lower --rate",
            what));
    }
    return interpret(what, response, endpoint);
}

}  // namespace roomctl::twilio
