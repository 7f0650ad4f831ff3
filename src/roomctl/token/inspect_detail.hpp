#pragma once
// Internal to token inspection (inspect.cpp and inspect_purpose.cpp): the diagnosis helpers
// they share, and the purpose checks (join, admin, ...) that inspect_token runs last. Not part
// of inspect.hpp's interface.

#include <string>
#include <string_view>

#include "roomctl/token/inspect.hpp"

namespace roomctl::token::detail {

// Claim values come from an untrusted token: quoted, escaped and cut so a message stays one
// printable line whatever the token holds.
std::string quote(std::string_view text);
// `seconds` as a duration for messages ("3m12s").
std::string ago(std::int64_t seconds);

// Per-provider words for messages: which settings to fix and how to mint a replacement.
struct Words {
    const char* key_setting;
    const char* secret_setting;
    const char* mint;
};
Words words_for(TokenProvider p);

void add(Inspection& r, std::string code, Severity severity, std::string message);
void error(Inspection& r, std::string code, std::string message);
void warning(Inspection& r, std::string code, std::string message);
// The string value of `key` in `object`; "" when absent or not a string.
std::string string_claim(const nlohmann::json& object, const char* key);
// A Twilio SID: `prefix` ("AC", "SK") and 32 hex digits.
bool is_sid(std::string_view s, std::string_view prefix);

// The diagnoses of o.purpose (when set) for the token's provider: grants, room, identity.
void check_purpose(const InspectOptions& o, Inspection& r);

}  // namespace roomctl::token::detail
