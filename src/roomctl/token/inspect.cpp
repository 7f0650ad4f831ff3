#include "roomctl/token/inspect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/token/inspect_detail.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::token {

namespace detail {

using nlohmann::json;

std::string quote(std::string_view text) {
    constexpr std::size_t k_max = 80;
    std::string cut{text.substr(0, k_max)};
    std::string q = json(cut).dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > k_max) q.insert(q.size() - 1, "...");
    return q;
}

std::string ago(std::int64_t seconds) { return format_duration(std::chrono::seconds{seconds}); }

Words words_for(TokenProvider p) {
    if (p == TokenProvider::twilio) {
        return {"TWILIO_API_KEY", "TWILIO_API_SECRET", "roomctl --provider twilio token create"};
    }
    return {"LIVEKIT_API_KEY", "LIVEKIT_API_SECRET (or --api-secret-file)", "roomctl token create"};
}

void add(Inspection& r, std::string code, Severity severity, std::string message) {
    r.diagnoses.push_back({std::move(code), severity, std::move(message)});
}
void error(Inspection& r, std::string code, std::string message) {
    add(r, std::move(code), Severity::error, std::move(message));
}
void warning(Inspection& r, std::string code, std::string message) {
    add(r, std::move(code), Severity::warning, std::move(message));
}

std::string string_claim(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool is_sid(std::string_view s, std::string_view prefix) {
    if (s.size() != 34 || s.substr(0, 2) != prefix) return false;
    for (const char c : s.substr(2)) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

}  // namespace detail

namespace {

using namespace detail;
using nlohmann::json;


// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional). A present but unusable
// value is reported rather than silently ignored: the server would refuse the token.
std::optional<std::int64_t> numeric_date(Inspection& r, const char* key) {
    const auto it = r.claims.find(key);
    if (it == r.claims.end() || it->is_null()) return std::nullopt;
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
    error(r, "bad_claim",
          fmt::format("claim \"{}\" is not a number of seconds: servers cannot read this token; "
                      "mint a new one",
                      key));
    return std::nullopt;
}

// "SK" or "AC" followed by 32 hex digits, as Twilio SIDs are.

TokenProvider detect_provider(const DecodedJwt& jwt) {
    const std::string cty = string_claim(jwt.header, "cty");
    const auto grants = jwt.claims.find("grants");
    const bool has_grants = grants != jwt.claims.end() && grants->is_object();
    if (cty.rfind("twilio-fpa", 0) == 0 || has_grants) return TokenProvider::twilio;
    if (jwt.claims.contains("video") || (jwt.claims.contains("iss") && !has_grants)) {
        return TokenProvider::livekit;
    }
    return TokenProvider::unknown;
}

// ---- claims -------------------------------------------------------------------------------

void read_livekit(Inspection& r) {
    r.identity = string_claim(r.claims, "sub");
    // The server takes jti as the identity when sub is empty (auth/verifier.go).
    if (r.identity.empty()) r.identity = string_claim(r.claims, "jti");
    const auto video = r.claims.find("video");
    if (video == r.claims.end() || video->is_null()) return;
    try {
        r.video = livekit::VideoGrant::from_json(*video);
        r.grants = r.video->to_json();
    } catch (const Error& e) {
        error(r, "bad_claim",
              fmt::format("{}: the server cannot parse this token; mint a new one with "
                          "roomctl token create",
                          e.what()));
    }
}

void read_twilio(Inspection& r) {
    const auto grants = r.claims.find("grants");
    if (grants == r.claims.end() || !grants->is_object()) return;
    r.grants = *grants;
    r.identity = string_claim(*grants, "identity");
}

// ---- signature and key --------------------------------------------------------------------

// Refuses every alg but HS256 before any key is involved: "none" and algorithm confusion are
// the classic JWT holes, and LiveKit and Twilio sign with HS256 only.
bool check_alg(const DecodedJwt& jwt, TokenProvider p, Inspection& r) {
    const auto alg = jwt.header.find("alg");
    const std::string name = alg != jwt.header.end() && alg->is_string() ? alg->get<std::string>()
                                                                         : std::string{};
    if (name == "HS256") return true;
    r.signature_valid = false;
    const std::string mint = words_for(p).mint;
    if (name.empty()) {
        error(r, "alg_not_hs256",
              fmt::format("header has no alg: the token cannot be verified and is refused; mint "
                          "a signed one with {}",
                          mint));
    } else if (name == "none" || name == "None" || name == "NONE") {
        error(r, "alg_not_hs256",
              fmt::format("header alg is \"none\": the token is unsigned and is never accepted; "
                          "mint a signed one with {}",
                          mint));
    } else {
        error(r, "alg_not_hs256",
              fmt::format("header alg is {}: LiveKit and Twilio accept only HS256, so the server "
                          "refuses it; mint it again with HS256 ({})",
                          quote(name), mint));
    }
    return false;
}

// The key that must have issued the token. False when it did not, so the configured secret
// is not the one to verify with.
bool check_issuer(TokenProvider p, const ProviderCredentials& cred, Inspection& r) {
    const Words w = words_for(p);
    if (p == TokenProvider::twilio && !is_sid(r.key, "SK")) {
        error(r, "twilio_iss_not_key",
              fmt::format("iss {} is not an API key SID (SK + 32 hex): Twilio requires tokens "
                          "issued and signed by an API key (error 20101; an Auth Token cannot "
                          "sign them, 20003); set TWILIO_API_KEY/TWILIO_API_SECRET and mint with "
                          "{}",
                          r.key.empty() ? "is missing" : quote(r.key), w.mint));
        return false;
    }
    if (p == TokenProvider::livekit && r.key.empty()) {
        error(r, "unknown_key",
              fmt::format("token has no iss (API key): the server looks up the secret by iss "
                          "and answers 401 \"invalid API key\"; mint it with {}",
                          w.mint));
        return false;
    }
    if (p == TokenProvider::unknown || cred.api_key.empty() || r.key == cred.api_key) return true;
    error(r, "unknown_key",
          fmt::format("token was issued by key {}, but the configured key is {}: a server without "
                      "that key answers 401 \"invalid API key\"; mint it with the configured key, "
                      "or set {} and its secret to inspect it",
                      quote(r.key), cred.api_key, w.key_setting));
    return false;
}

void check_signature(const DecodedJwt& jwt, TokenProvider p, const ProviderCredentials& cred,
                     Inspection& r) {
    const Words w = words_for(p);
    if (cred.api_secret.empty()) {
        warning(r, "not_verified",
                fmt::format("signature not checked: no API secret configured; set {} to verify "
                            "it",
                            w.secret_setting));
        return;
    }
    r.signature_valid = verify_hs256(jwt, cred.api_secret);
    if (*r.signature_valid) return;
    const std::string key = r.key.empty() ? std::string{"(none)"} : r.key;
    error(r, "bad_signature",
          fmt::format("signature does not match the configured secret for key {}: the token was "
                      "signed with another secret, or {} is wrong",
                      key, p == TokenProvider::twilio ? "TWILIO_API_SECRET" : "LIVEKIT_API_SECRET"));
}

// ---- time ---------------------------------------------------------------------------------

void check_expiry(TokenProvider p, std::int64_t now, Inspection& r) {
    const std::string mint = words_for(p).mint;
    if (!r.expires_at) {
        if (r.claims.contains("exp")) return;  // present but unreadable: bad_claim said so
        error(r, "no_exp",
              p == TokenProvider::twilio
                  ? fmt::format("token has no exp: Twilio requires one (error 20101); mint one "
                                "that expires with {} --ttl 1h",
                                mint)
                  : fmt::format("token has no exp: released LiveKit servers accept it forever and "
                                "newer ones refuse it (WithExpirationRequired); mint one that "
                                "expires with {} --ttl 1h",
                                mint));
        return;
    }
    const std::int64_t exp = *r.expires_at;
    if (now < exp) return;
    const std::int64_t leeway = p == TokenProvider::livekit ? k_livekit_leeway_seconds : 0;
    if (now - exp < leeway) {
        warning(r, "expired_in_leeway",
                fmt::format("token expired {} ago; LiveKit still accepts it for {} more (60 s "
                            "leeway on exp), then refuses it: mint a new one with {} --ttl 1h",
                            ago(now - exp), ago(exp + leeway - now), mint));
        return;
    }
    error(r, "expired", fmt::format("token expired {} ago: mint a new one with {} --ttl 1h",
                                    ago(now - exp), mint));
}

void check_not_before(TokenProvider p, std::int64_t now, Inspection& r) {
    if (!r.not_before || *r.not_before <= now) return;
    const std::int64_t ahead = *r.not_before - now;
    if (p != TokenProvider::livekit) {
        error(r, "not_yet_valid",
              fmt::format("token is not valid for another {} (nbf in the future): the minting "
                          "machine's clock is {} ahead of this one and {} refuses the token until "
                          "then; sync clocks with NTP",
                          ago(ahead), ago(ahead),
                          p == TokenProvider::twilio ? "Twilio" : "a server"));
        return;
    }
    if (ahead <= k_livekit_leeway_seconds) {
        warning(r, "not_yet_valid_in_leeway",
                fmt::format("nbf is {} in the future: LiveKit accepts it within its 60 s leeway, "
                            "but the minting machine's clock is {} ahead of this one; sync clocks "
                            "with NTP before the skew passes 60 s",
                            ago(ahead), ago(ahead)));
        return;
    }
    error(r, "not_yet_valid",
          fmt::format("token is not valid for another {}: nbf is {} ahead of this machine's clock, "
                      "beyond LiveKit's 60 s leeway, so the server refuses it (\"token is not "
                      "valid yet\"); the minting machine's clock is ahead: sync clocks with NTP",
                      ago(ahead), ago(ahead)));
}

// ---- Twilio claims ------------------------------------------------------------------------

void check_twilio_claims(const InspectOptions& o, std::int64_t now, Inspection& r) {
    const std::string mint = words_for(TokenProvider::twilio).mint;
    const std::string cty = string_claim(r.header, "cty");
    if (cty != k_twilio_cty) {
        error(r, "twilio_bad_cty",
              fmt::format("header cty {}: Twilio requires \"{}\" (error 20101); mint with {} or "
                          "twilio's AccessToken",
                          cty.empty() ? std::string{"is missing"} : "is " + quote(cty),
                          k_twilio_cty, mint));
    }
    const std::string sub = string_claim(r.claims, "sub");
    if (!is_sid(sub, "AC")) {
        error(r, "twilio_sub_not_account",
              fmt::format("sub {} is not an Account SID (AC + 32 hex): Twilio requires sub to be "
                          "the Account SID (error 20101); set TWILIO_ACCOUNT_SID and mint with {}",
                          sub.empty() ? std::string{"(missing)"} : quote(sub), mint));
    } else if (!o.twilio_account_sid.empty() && sub != o.twilio_account_sid) {
        error(r, "twilio_account_mismatch",
              fmt::format("token is for account {}, but TWILIO_ACCOUNT_SID is {}: the other "
                          "account's rooms are not this one's; mint it with the configured account",
                          sub, o.twilio_account_sid));
    }
    if (r.identity.empty()) {
        error(r, "twilio_missing_identity",
              fmt::format("grants carry no identity: Twilio Video requires one (error 20101); "
                          "mint with {} --identity NAME",
                          mint));
    }
    if (r.expires_at) {
        // Twilio caps exp - issue time; python sets nbf, node sets iat, a hand-made token may
        // have neither (then the lifetime left from now is what counts).
        const std::int64_t start = r.issued_at.value_or(r.not_before.value_or(now));
        const std::int64_t ttl = *r.expires_at - start;
        if (ttl > k_twilio_max_ttl_seconds) {
            error(r, "twilio_ttl_over_24h",
                  fmt::format("token lives {}, longer than Twilio's 24 h cap: Twilio refuses it "
                              "(error 20157); mint with {} --ttl 24h or less",
                              ago(ttl), mint));
        }
    }
}


std::string first_line(const std::string& text) {
    std::string s = livekit::scrub_tokens(text);
    if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    if (s.size() > 200) s = s.substr(0, 200) + "...";
    return s;
}

// Unsigned tokens ("alg":"none") end in an empty signature part, which token::decode refuses
// as "not a JWT". inspect must still show such a token and refuse it by its alg, so a
// placeholder signature is decoded and then dropped.
DecodedJwt decode_allowing_unsigned(std::string_view text) {
    const bool unsigned_form = !text.empty() && text.back() == '.' &&
                               std::count(text.begin(), text.end(), '.') == 2;
    if (!unsigned_form) return decode(text);
    DecodedJwt jwt = decode(std::string{text} + "AA");
    jwt.signature.clear();
    return jwt;
}

}  // namespace

std::string to_string(TokenProvider p) {
    switch (p) {
        case TokenProvider::livekit: return "livekit";
        case TokenProvider::twilio: return "twilio";
        case TokenProvider::unknown: break;
    }
    return "unknown";
}

std::string to_string(Purpose p) {
    switch (p) {
        case Purpose::join: return "join";
        case Purpose::admin: return "admin";
        case Purpose::list: return "list";
        case Purpose::create: return "create";
    }
    return "join";
}

Purpose parse_purpose(std::string_view text) {
    for (const Purpose p : {Purpose::join, Purpose::admin, Purpose::list, Purpose::create}) {
        if (text == to_string(p)) return p;
    }
    throw usage_error(
        fmt::format("--for {}: expected join, admin, list or create", quote(text)));
}

std::string to_string(Severity s) { return s == Severity::error ? "error" : "warning"; }

bool Inspection::valid() const {
    for (const auto& d : diagnoses) {
        if (d.severity == Severity::error) return false;
    }
    return true;
}

bool Inspection::has(std::string_view code) const {
    for (const auto& d : diagnoses) {
        if (d.code == code) return true;
    }
    return false;
}

Inspection inspect_token(std::string_view text, const InspectOptions& o) {
    const DecodedJwt jwt = decode_allowing_unsigned(text);  // Error(usage): not a JWT
    Inspection r;
    r.provider = detect_provider(jwt);
    if (r.provider == TokenProvider::twilio && o.purpose && *o.purpose != Purpose::join) {
        throw usage_error(fmt::format("--for {} is a LiveKit grant; a Twilio token can only be "
                                      "checked --for join",
                                      to_string(*o.purpose)));
    }
    r.header = jwt.header;
    r.claims = jwt.claims;
    r.key = string_claim(r.claims, "iss");
    if (r.provider == TokenProvider::livekit) read_livekit(r);
    if (r.provider == TokenProvider::twilio) read_twilio(r);
    r.issued_at = numeric_date(r, "iat");
    r.not_before = numeric_date(r, "nbf");
    r.expires_at = numeric_date(r, "exp");

    // A token that names no provider is checked with the configured provider's credentials.
    const TokenProvider signer =
        r.provider == TokenProvider::unknown ? o.configured_provider : r.provider;
    const ProviderCredentials& cred = signer == TokenProvider::twilio ? o.twilio : o.livekit;
    if (check_alg(jwt, r.provider, r) && check_issuer(r.provider, cred, r)) {
        check_signature(jwt, signer, cred, r);
    }

    const std::int64_t now =
        std::chrono::floor<std::chrono::seconds>(o.now.time_since_epoch()).count();
    check_expiry(r.provider, now, r);
    check_not_before(r.provider, now, r);
    if (r.provider == TokenProvider::twilio) check_twilio_claims(o, now, r);
    check_purpose(o, r);
    return r;
}

ServerCheck interpret_rtc_validate(long status, const std::string& body,
                                   const std::string& api_key, const std::string& room) {
    ServerCheck c;
    c.status = status;
    c.body = first_line(body);
    auto says = [&](const char* needle) { return c.body.find(needle) != std::string::npos; };
    if (status == 200) {
        c.authenticated = c.joinable = true;
        c.message = fmt::format("the server accepts it for joining room {} (/rtc/validate: {})",
                                quote(room), c.body.empty() ? "200" : c.body);
    } else if (status == 404 && says("requested room does not exist")) {
        c.authenticated = true;
        c.message = fmt::format(
            "room {} does not exist and the server does not auto-create rooms: clients get "
            "\"requested room does not exist\" (run roomctl recreate, or roomctl rooms create {})",
            quote(room), room.empty() ? "NAME" : room);
    } else if (status == 400) {
        // Validation after authentication: identity, room name, limits.
        c.authenticated = true;
        c.message = fmt::format("the server authenticates the token but refuses the join (400 {})",
                                c.body.empty() ? "with an empty body" : quote(c.body));
    } else if (status == 401 && (says("permissions denied") || says("no permissions"))) {
        c.authenticated = true;
        c.message = fmt::format("the server authenticates the token, but it grants no join{} (401 "
                                "{}); a join token needs roomctl token create --join",
                                room.empty() ? std::string{} : " to room " + quote(room),
                                quote(c.body));
    } else if (status == 401) {
        c.message = livekit::explain_auth_failure(body, api_key);
    } else if (status == 404) {
        throw runtime_error(fmt::format("/rtc/validate answered 404 ({}): is this a LiveKit server?",
                                        c.body.empty() ? "empty body" : c.body));
    } else {
        throw runtime_error(fmt::format("/rtc/validate answered HTTP {}{}", status,
                                        c.body.empty() ? "" : ": " + c.body));
    }
    return c;
}

bool server_refuses(const ServerCheck& check, const Inspection& inspection,
                    const std::optional<Purpose>& purpose) {
    if (!check.authenticated) return true;
    const bool joining =
        purpose ? *purpose == Purpose::join
                : inspection.video && inspection.video->room_join.value_or(false);
    return joining && !check.joinable;
}

}  // namespace roomctl::token
