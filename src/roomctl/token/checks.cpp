#include "roomctl/token/checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::token {

using nlohmann::json;

std::string to_string(Purpose p) {
    switch (p) {
        case Purpose::join:
            return "join";
        case Purpose::admin:
            return "admin";
        case Purpose::list:
            return "list";
        case Purpose::create:
            return "create";
    }
    return "join";
}

Purpose parse_purpose(std::string_view text) {
    for (const Purpose p : {Purpose::join, Purpose::admin, Purpose::list, Purpose::create}) {
        if (text == to_string(p)) return p;
    }
    throw usage_error(fmt::format("--for {}: expected join, admin, list or create", quote(text)));
}

std::string to_string(Severity s) { return s == Severity::error ? "error" : "warning"; }

void add_error(Diagnoses& out, std::string code, std::string message) {
    out.push_back({std::move(code), Severity::error, std::move(message)});
}

void add_warning(Diagnoses& out, std::string code, std::string message) {
    out.push_back({std::move(code), Severity::warning, std::move(message)});
}

std::string quote(std::string_view text) {
    constexpr std::size_t k_max = 80;
    std::string cut{text.substr(0, k_max)};
    std::string q = json(cut).dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > k_max) q.insert(q.size() - 1, "...");
    return q;
}

std::string ago(std::int64_t seconds) { return format_duration(std::chrono::seconds{seconds}); }

std::string string_claim(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Unsigned tokens ("alg":"none") end in an empty signature part, which token::decode refuses
// as "not a JWT". A placeholder signature is decoded and then dropped.
DecodedJwt decode_allowing_unsigned(std::string_view text) {
    const bool unsigned_form =
        !text.empty() && text.back() == '.' && std::count(text.begin(), text.end(), '.') == 2;
    if (!unsigned_form) return decode(text);
    DecodedJwt jwt = decode(std::string{text} + "AA");
    jwt.signature.clear();
    return jwt;
}

// A present but unusable value is reported rather than silently ignored: the server would
// refuse the token.
std::optional<std::int64_t> numeric_date(const json& claims, const char* key, Diagnoses& out) {
    const auto it = claims.find(key);
    if (it == claims.end() || it->is_null()) return std::nullopt;
    // 2^62 s is far beyond any date; the bound keeps the conversion defined, and date
    // arithmetic (now - exp, exp - iat) free of overflow, whatever the token says.
    constexpr std::int64_t k_max_date = std::int64_t{1} << 62;
    if (it->is_number_integer() && !it->is_number_unsigned()) {
        const auto v = it->get<std::int64_t>();
        if (v > -k_max_date && v < k_max_date) return v;
    } else if (it->is_number()) {
        const double v = std::floor(it->get<double>());
        if (std::isfinite(v) && std::fabs(v) < 4.6e18) return static_cast<std::int64_t>(v);
    }
    add_error(out, "bad_claim",
              fmt::format("claim \"{}\" is not a number of seconds: servers cannot read this "
                          "token; mint a new one",
                          key));
    return std::nullopt;
}

TokenTimes read_times(const json& claims, Diagnoses& out) {
    TokenTimes t;
    t.issued_at = numeric_date(claims, "iat", out);
    t.not_before = numeric_date(claims, "nbf", out);
    t.expires_at = numeric_date(claims, "exp", out);
    return t;
}

bool check_alg(const DecodedJwt& jwt, const char* mint, Diagnoses& out) {
    const auto alg = jwt.header.find("alg");
    const std::string name =
        alg != jwt.header.end() && alg->is_string() ? alg->get<std::string>() : std::string{};
    if (name == "HS256") return true;
    if (name.empty()) {
        add_error(out, "alg_not_hs256",
                  fmt::format("header has no alg: the token cannot be verified and is refused; "
                              "mint a signed one with {}",
                              mint));
    } else if (name == "none" || name == "None" || name == "NONE") {
        add_error(out, "alg_not_hs256",
                  fmt::format("header alg is \"none\": the token is unsigned and is never "
                              "accepted; mint a signed one with {}",
                              mint));
    } else {
        add_error(out, "alg_not_hs256",
                  fmt::format("header alg is {}: LiveKit and Twilio accept only HS256, so the "
                              "server refuses it; mint it again with HS256 ({})",
                              quote(name), mint));
    }
    return false;
}

bool check_key(const std::string& key, const ProviderCredentials& cred, const ProviderWords& w,
               Diagnoses& out) {
    if (cred.api_key.empty() || key == cred.api_key) return true;
    add_error(out, "unknown_key",
              fmt::format("token was issued by key {}, but the configured key is {}: a server "
                          "without that key answers 401 \"invalid API key\"; mint it with the "
                          "configured key, or set {} and its secret to inspect it",
                          quote(key), cred.api_key, w.key_setting));
    return false;
}

std::optional<bool> check_signature(const DecodedJwt& jwt, const std::string& key,
                                    const ProviderCredentials& cred, const ProviderWords& w,
                                    Diagnoses& out) {
    if (cred.api_secret.empty()) {
        add_warning(out, "not_verified",
                    fmt::format("signature not checked: no API secret configured; set {} to "
                                "verify it",
                                w.secret_setting));
        return std::nullopt;
    }
    if (verify_hs256(jwt, cred.api_secret)) return true;
    add_error(out, "bad_signature",
              fmt::format("signature does not match the configured secret for key {}: the token "
                          "was signed with another secret, or {} is wrong",
                          key.empty() ? std::string{"(none)"} : key, w.secret_variable));
    return false;
}

void check_expiry(const TokenTimes& t, bool has_exp_claim, std::int64_t now,
                  const std::string& no_exp_message, const char* mint, Diagnoses& out) {
    if (!t.expires_at) {
        if (!has_exp_claim) add_error(out, "no_exp", no_exp_message);
        return;
    }
    const std::int64_t exp = *t.expires_at;
    if (now < exp) return;
    add_error(
        out, "expired",
        fmt::format("token expired {} ago: mint a new one with {} --ttl 1h", ago(now - exp), mint));
}

void check_not_before(const TokenTimes& t, std::int64_t now, const char* refuser, Diagnoses& out) {
    if (!t.not_before || *t.not_before <= now) return;
    const std::int64_t ahead = *t.not_before - now;
    add_error(out, "not_yet_valid",
              fmt::format("token is not valid for another {} (nbf in the future): the minting "
                          "machine's clock is {} ahead of this one and {} refuses the token until "
                          "then; sync clocks with NTP",
                          ago(ahead), ago(ahead), refuser));
}

}  // namespace roomctl::token
