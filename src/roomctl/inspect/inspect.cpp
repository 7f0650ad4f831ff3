#include "roomctl/inspect/inspect.hpp"

#include <fmt/format.h>

#include "roomctl/livekit/token_rules.hpp"
#include "roomctl/twilio/token_rules.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::inspect {

namespace {

// What an app sends when it hands over something that is not a token yet: the text of an
// un-awaited Promise (livekit-server-sdk v2 made AccessToken.toJwt() async: `${token}` and
// res.json({token}) then give "[object Promise]" and {}), or nothing at all. Said as such,
// since "not a JWT: 1 dot-separated part" sends people looking in the wrong place.
void refuse_placeholder(std::string_view text) {
    if (text == "[object Promise]" || text == "{}") {
        throw usage_error(fmt::format(
            "the token is the text \"{}\", not a JWT: the app sent an un-awaited Promise "
            "(livekit-server-sdk v2's AccessToken.toJwt() is async: use await at.toJwt())",
            text));
    }
    if (text == "undefined" || text == "null" || text == "[object Object]") {
        throw usage_error(fmt::format(
            "the token is the text \"{}\", not a JWT: the app sent no token (check what its "
            "token endpoint returns)",
            text));
    }
}

TokenProvider detect_provider(const token::DecodedJwt& jwt) {
    const std::string cty = token::string_claim(jwt.header, "cty");
    const auto grants = jwt.claims.find("grants");
    const bool has_grants = grants != jwt.claims.end() && grants->is_object();
    if (cty.rfind("twilio-fpa", 0) == 0 || has_grants) return TokenProvider::twilio;
    if (jwt.claims.contains("video") || (jwt.claims.contains("iss") && !has_grants)) {
        return TokenProvider::livekit;
    }
    return TokenProvider::unknown;
}

// Messages about a token of unknown provider use LiveKit's words (roomctl's default).
token::ProviderWords words_for(TokenProvider p) {
    return p == TokenProvider::twilio ? twilio::token_words() : livekit::token_words();
}

}  // namespace

std::string to_string(TokenProvider p) {
    switch (p) {
        case TokenProvider::livekit:
            return "livekit";
        case TokenProvider::twilio:
            return "twilio";
        case TokenProvider::unknown:
            break;
    }
    return "unknown";
}

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
    refuse_placeholder(text);
    const token::DecodedJwt jwt = token::decode_allowing_unsigned(text);  // Error(usage)
    Inspection r;
    r.provider = detect_provider(jwt);
    if (r.provider == TokenProvider::twilio && o.purpose && *o.purpose != Purpose::join) {
        throw usage_error(
            fmt::format("--for {} is a LiveKit grant; a Twilio token can only be "
                        "checked --for join",
                        to_string(*o.purpose)));
    }
    r.header = jwt.header;
    r.claims = jwt.claims;
    r.key = token::string_claim(r.claims, "iss");
    auto& out = r.diagnoses;
    livekit::TokenGrants lk;
    twilio::TokenGrants tw;
    if (r.provider == TokenProvider::livekit) {
        lk = livekit::read_token_grants(r.claims, out);
        r.video = lk.video;
        r.grants = lk.grants;
        r.identity = lk.identity;
    }
    if (r.provider == TokenProvider::twilio) {
        tw = twilio::read_token_grants(r.claims);
        r.grants = tw.grants;
        r.identity = tw.identity;
    }
    const token::TokenTimes times = token::read_times(r.claims, out);
    r.issued_at = times.issued_at;
    r.not_before = times.not_before;
    r.expires_at = times.expires_at;

    // A token that names no provider is checked with the configured provider's credentials.
    const TokenProvider signer =
        r.provider == TokenProvider::unknown ? o.configured_provider : r.provider;
    const ProviderCredentials& cred = signer == TokenProvider::twilio ? o.twilio : o.livekit;
    const token::ProviderWords words = words_for(r.provider);
    bool key_ok = false;
    if (!token::check_alg(jwt, words.mint, out)) {
        r.signature_valid = false;
    } else if (r.provider == TokenProvider::unknown) {
        key_ok = true;
    } else if (r.provider == TokenProvider::twilio) {
        key_ok =
            twilio::check_token_issuer(r.key, out) && token::check_key(r.key, cred, words, out);
    } else {
        key_ok =
            livekit::check_token_issuer(r.key, out) && token::check_key(r.key, cred, words, out);
    }
    if (key_ok)
        r.signature_valid = token::check_signature(jwt, r.key, cred, words_for(signer), out);

    const std::int64_t now =
        std::chrono::floor<std::chrono::seconds>(o.now.time_since_epoch()).count();
    const bool has_exp = r.claims.contains("exp");
    switch (r.provider) {
        case TokenProvider::livekit:
            livekit::check_token_time(times, has_exp, now, out);
            livekit::check_token_risks(lk, times, out);
            break;
        case TokenProvider::twilio:
            token::check_expiry(times, has_exp, now,
                                fmt::format("token has no exp: Twilio requires one (error 20101); "
                                            "mint one that expires with {} --ttl 1h",
                                            words.mint),
                                words.mint, out);
            token::check_not_before(times, now, "Twilio", out);
            twilio::check_token_claims(r.header, r.claims, tw, o.twilio_account_sid, times, now,
                                       out);
            break;
        case TokenProvider::unknown:
            token::check_expiry(times, has_exp, now, livekit::no_exp_message(words.mint),
                                words.mint, out);
            token::check_not_before(times, now, "a server", out);
            break;
    }

    if (!o.purpose) return r;
    switch (r.provider) {
        case TokenProvider::livekit:
            livekit::check_token_purpose(*o.purpose, o.room, r.claims, lk, out);
            break;
        case TokenProvider::twilio:
            twilio::check_token_join(o.room, tw, out);
            break;
        case TokenProvider::unknown:
            token::add_error(out, "missing_grant",
                             fmt::format("token carries neither a LiveKit video grant nor Twilio "
                                         "grants, so it is good for no {}; mint one with roomctl "
                                         "token create",
                                         to_string(*o.purpose)));
            break;
    }
    return r;
}

bool server_refuses(const ServerCheck& check, const Inspection& inspection,
                    const std::optional<Purpose>& purpose) {
    if (!check.authenticated) return true;
    const bool joining = purpose ? *purpose == Purpose::join
                                 : inspection.video && inspection.video->room_join.value_or(false);
    return joining && !check.joinable;
}

}  // namespace roomctl::inspect
