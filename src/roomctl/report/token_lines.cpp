#include "roomctl/report/token_lines.hpp"

#include <cstdint>

#include "roomctl/report/json.hpp"
#include "roomctl/token/batch.hpp"

namespace roomctl::report {

nlohmann::json token_json(const std::string& provider, const std::string& token,
                          const nlohmann::json& claims, const nlohmann::json& header) {
    auto doc = envelope("token create");
    doc["provider"] = provider;
    doc["token"] = token;
    if (!header.is_null()) doc["header"] = header;
    doc["claims"] = claims;
    doc["expires_at"] = iso8601(claims.value("exp", std::int64_t{0}));
    return doc;
}

void TokenLines::add(const std::string& identity, const std::string& room, std::string_view token) {
    if (m_as_json) {
        nlohmann::json line = {{"identity", identity}, {"token", std::string{token}}};
        if (!room.empty()) line["room"] = room;
        m_tokens.push_back(std::move(line));
        return;
    }
    // Written by hand: a batch of a million tokens would spend most of its time building json
    // values. append_json_string escapes exactly as json::dump does.
    m_lines += "{\"identity\":";
    token::append_json_string(identity, m_lines);
    if (!room.empty()) {
        m_lines += ",\"room\":";
        token::append_json_string(room, m_lines);
    }
    m_lines += ",\"token\":\"";
    m_lines += token;
    m_lines += "\"}\n";
}

nlohmann::json TokenLines::take_batch_json(const std::string& provider, unsigned count) {
    auto doc = envelope("token create");
    doc["provider"] = provider;
    doc["count"] = count;
    doc["tokens"] = std::move(m_tokens);
    m_tokens = nlohmann::json::array();
    return doc;
}

}  // namespace roomctl::report
