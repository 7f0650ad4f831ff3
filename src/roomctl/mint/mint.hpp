#pragma once
// `roomctl token create`: turns what was asked for (the flags' values) into LiveKit or Twilio
// access tokens for the configured provider: one, or a batch for load tests. The grants are
// assembled here and checked before anything is signed; the command only binds flags and
// prints (report/token_lines.hpp).

#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/config/settings.hpp"

namespace roomctl::mint {

// What was asked for, as given. Only the grants asked for go into a LiveKit token.
struct MintRequest {
    std::string identity, name, room;  // {i} in them is the token's number in a batch
    std::string ttl = "1h";            // a duration ("90s", "10m", "6h")
    std::string metadata;
    std::vector<std::string> attributes;  // "key=value"
    std::vector<std::string> sources;     // canPublishSources
    bool join = false, admin = false, create = false, list = false, record = false;
    // nullopt: not asked for, so the claim stays out (the server's default applies).
    std::optional<bool> can_publish, can_subscribe, can_publish_data;
    bool can_update_metadata = false, hidden = false;
    // LiveKit only (mint/extra_claims.hpp): grants without a flag, merged into the video grant
    // ("" for none); the room configuration (JSON, "" for none) and agents to dispatch, each
    // with job_metadata.
    std::string grant, room_config;
    std::vector<std::string> agents;
    std::string job_metadata;
    std::string session;  // mint for this session's room (mint/session_room.hpp)
    unsigned count = 0;   // 0: one token; N: a batch of N, numbered 1..N
};

// Identity, name and room of one token, after {i} expansion.
struct Subject {
    std::string identity, name, room;
};

// `text` with every "{i}" replaced by `i`.
std::string expand(const std::string& text, unsigned i);

struct Minted {
    std::string token;
    nlohmann::json claims;
    nlohmann::json header;  // Twilio: the JWT header (its cty is part of the format); else null
};

// Validates `request` against `settings` once, then mints at `now`.
class Minter {
public:
    // Throws Error(usage) for a request that cannot become a token (no grant, --join without
    // --identity or --room, a bad --ttl, --attribute, --grant or --room-config, LiveKit-only
    // flags with Twilio (named), a batch whose identities would not be distinct),
    // Error(config) when the provider's API key, secret (or Twilio Account SID) is missing.
    Minter(const MintRequest& request, const config::Settings& settings,
           std::chrono::system_clock::time_point now);

    // The provider's name as JSON documents print it ("livekit", "twilio").
    const std::string& provider() const { return m_provider; }

    // One token for `who`. Throws Error(usage) for a room name the server would refuse.
    Minted mint(const Subject& who) const;

    // request.count tokens, 1..N in order: `sink` gets each subject (request's identity, name
    // and room with {i} expanded) and its token. The claims are rendered once and each token
    // costs one HMAC (token/batch.hpp); the tokens are byte for byte what mint() makes. Throws
    // as mint() does, before the first call of `sink` when the first token would fail.
    void mint_batch(const std::function<void(const Subject&, std::string_view)>& sink) const;

private:
    MintRequest m_request;
    config::Settings m_settings;
    std::chrono::system_clock::time_point m_now;
    std::string m_provider;
    std::size_t m_room_limit;  // bytes: LiveKit 256, Twilio 128
};

}  // namespace roomctl::mint
