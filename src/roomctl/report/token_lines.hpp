#pragma once
// What `token create` prints: the document of one token, and a batch either as JSON lines
// (one {"identity","room"?,"token"} object per line, streamed into tools such as k6) or, with
// --json, as one document. Pure: functions of the minted tokens.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace roomctl::report {

// {"schema_version":1,"command":"token create","provider","token","header"? (when `header`
// is not null: Twilio's),"claims","expires_at" (ISO 8601 of claims.exp)}.
nlohmann::json token_json(const std::string& provider, const std::string& token,
                          const nlohmann::json& claims, const nlohmann::json& header);

// A batch of tokens, collected in order.
class TokenLines {
public:
    // `as_json`: collect for take_batch_json(); otherwise for lines().
    explicit TokenLines(bool as_json) : m_as_json(as_json) {}

    // Adds one token; an empty `room` is left out. Throws Error(usage) when identity or room
    // is not valid UTF-8.
    void add(const std::string& identity, const std::string& room, std::string_view token);

    // {"identity":"...","room":"...","token":"..."}\n per token: compact, keys in this order,
    // strings escaped as JSON. Empty when collected as JSON.
    const std::string& lines() const { return m_lines; }

    // {"schema_version":1,"command":"token create","provider","count","tokens":[...]}; the
    // tokens array is empty when not collected as JSON. Moves the tokens out: call it once.
    nlohmann::json take_batch_json(const std::string& provider, unsigned count);

private:
    bool m_as_json;
    nlohmann::json m_tokens = nlohmann::json::array();
    std::string m_lines;
};

}  // namespace roomctl::report
