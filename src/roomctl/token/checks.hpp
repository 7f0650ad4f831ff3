#pragma once
// The checks every HS256 JWT gets, whichever provider issued it: decoding (unsigned tokens
// included), the alg, the signature, the issuing key, and exp/nbf without leeway. Each
// provider adds its own rules on top (livekit/token_rules.hpp, twilio/token_rules.hpp), and
// inspect/inspect.hpp decides which apply. Pure: no I/O, no clock reads (callers pass `now`).
//
// Units: every time is unix seconds. A check reports what is wrong by appending a Diagnosis
// (one line: cause and fix; never the token or a secret) and returns what the caller needs to
// go on.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/token/jwt.hpp"

namespace roomctl::token {

// What a token is checked for (`token inspect --for`).
enum class Purpose { join, admin, list, create };
std::string to_string(Purpose p);
// "join|admin|list|create"; throws Error(usage) naming the value otherwise.
Purpose parse_purpose(std::string_view text);

// "error" makes the token invalid for the purpose; "warning" does not.
enum class Severity { error, warning };
std::string to_string(Severity s);

struct Diagnosis {
    std::string code;  // stable identifier: "expired", "bad_signature", ...
    Severity severity = Severity::error;
    std::string message;  // one line: cause and fix
};
using Diagnoses = std::vector<Diagnosis>;

void add_error(Diagnoses& out, std::string code, std::string message);
void add_warning(Diagnoses& out, std::string code, std::string message);

// What the configuration knows for one provider. Empty api_key: `iss` is not compared.
// Empty api_secret: the signature is not checked (a `not_verified` warning).
struct ProviderCredentials {
    std::string api_key;
    std::string api_secret;
};

// A provider's words for messages: the settings to fix and the command that mints a
// replacement.
struct ProviderWords {
    const char* key_setting;      // "LIVEKIT_API_KEY"
    const char* secret_setting;   // "LIVEKIT_API_SECRET (or --api-secret-file)"
    const char* secret_variable;  // "LIVEKIT_API_SECRET"
    const char* mint;             // "roomctl token create"
};

// The registered time claims (RFC 7519 §4.1), unix seconds; nullopt when absent or unusable.
struct TokenTimes {
    std::optional<std::int64_t> issued_at, not_before, expires_at;
};

// Claim values come from an untrusted token: quoted, escaped and cut (80 bytes) so a message
// stays one printable line whatever the token holds.
std::string quote(std::string_view text);
// `seconds` as a duration for messages ("3m12s").
std::string ago(std::int64_t seconds);
// The string value of `key` in `object`; "" when absent or not a string.
std::string string_claim(const nlohmann::json& object, const char* key);

// Like token::decode, but also accepts an unsigned token ("x.y." with alg "none"), whose
// signature part is empty, so that it can be shown and refused by its alg. Throws
// Error(usage) when `text` is not a JWT.
DecodedJwt decode_allowing_unsigned(std::string_view text);

// The NumericDate claim `key` of `claims` (seconds, possibly fractional). A present but
// unusable value adds a `bad_claim` error and gives nullopt.
std::optional<std::int64_t> numeric_date(const nlohmann::json& claims, const char* key,
                                         Diagnoses& out);
// iat, nbf and exp of `claims`, in that order (each as numeric_date).
TokenTimes read_times(const nlohmann::json& claims, Diagnoses& out);

// False (with an `alg_not_hs256` error) unless the header's alg is HS256: "none" and
// algorithm confusion are the classic JWT holes. `mint` names the command that mints a
// replacement.
bool check_alg(const DecodedJwt& jwt, const char* mint, Diagnoses& out);

// False (with an `unknown_key` error) when `key` (iss) is not the configured key: the
// configured secret is then not the one to verify with. True when no key is configured.
bool check_key(const std::string& key, const ProviderCredentials& credentials,
               const ProviderWords& words, Diagnoses& out);

// The signature checked against credentials.api_secret (constant time): true/false, or
// nullopt with a `not_verified` warning when no secret is configured. `key` is the token's
// iss, named in a `bad_signature` error.
std::optional<bool> check_signature(const DecodedJwt& jwt, const std::string& key,
                                    const ProviderCredentials& credentials,
                                    const ProviderWords& words, Diagnoses& out);

// exp without leeway: `expired` when now >= exp. A token without exp gets `no_exp` with
// `no_exp_message` (each provider says why it matters); a present but unreadable exp was
// already reported by read_times.
void check_expiry(const TokenTimes& times, bool has_exp_claim, std::int64_t now,
                  const std::string& no_exp_message, const char* mint, Diagnoses& out);

// nbf without leeway: `not_yet_valid` when nbf > now. `refuser` names who refuses it
// ("Twilio", "a server").
void check_not_before(const TokenTimes& times, std::int64_t now, const char* refuser,
                      Diagnoses& out);

}  // namespace roomctl::token
