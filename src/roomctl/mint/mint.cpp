#include "roomctl/mint/mint.hpp"

#include <fmt/format.h>

#include <memory>

#include "roomctl/livekit/access_token.hpp"
#include "roomctl/media/room_name.hpp"
#include "roomctl/mint/extra_claims.hpp"
#include "roomctl/token/batch.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/twilio/access_token.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::mint {

namespace {

// --ttl (or its alias --valid-for) as a duration; the message names the flag.
std::chrono::seconds ttl_of(const MintRequest& f) {
    try {
        return parse_duration(f.ttl);
    } catch (const Error& e) {
        throw usage_error(fmt::format("--ttl: {}", e.what()));
    }
}

bool any_grant(const MintRequest& f) {
    return f.join || f.admin || f.create || f.list || f.record ||
           !livekit::VideoGrant::from_json(nlohmann::json::parse(f.grant.empty() ? "{}" : f.grant))
                .empty();
}

livekit::AccessTokenSpec build_spec(const MintRequest& f, const config::Settings& s) {
    if (s.livekit.api_key.empty()) {
        throw config_error("no API key configured: set LIVEKIT_API_KEY or --api-key");
    }
    if (s.livekit.api_secret.empty()) {
        throw config_error("no API secret configured: set LIVEKIT_API_SECRET or --api-secret-file");
    }
    livekit::AccessTokenSpec spec;
    spec.api_key = s.livekit.api_key;
    spec.identity = f.identity;
    spec.name = f.name;
    spec.metadata = f.metadata;
    spec.ttl = ttl_of(f);
    if (spec.ttl.count() <= 0) throw usage_error("--ttl must be at least 1s");
    for (const auto& kv : f.attributes) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw usage_error(fmt::format("--attribute \"{}\" is not key=value", kv));
        }
        spec.attributes[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto& v = spec.video;
    if (f.join) v.room_join = true;
    if (f.admin) v.room_admin = true;
    if (f.create) v.room_create = true;
    if (f.list) v.room_list = true;
    if (f.record) v.room_record = true;
    if (f.hidden) v.hidden = true;
    if (f.can_update_metadata) v.can_update_own_metadata = true;
    if (f.can_publish) v.can_publish = *f.can_publish;
    if (f.can_subscribe) v.can_subscribe = *f.can_subscribe;
    if (f.can_publish_data) v.can_publish_data = *f.can_publish_data;
    v.can_publish_sources = f.sources;
    v.room = f.room;
    if (!f.grant.empty()) merge_grant(v, grant_from_json(f.grant));
    spec.room_config = room_config_claim(f.room_config, f.agents, f.job_metadata);
    if (!any_grant(f)) {
        throw usage_error(
            "no grant given: pass at least one of --join, --admin, --create, --list, "
            "--record");
    }
    if (!f.room.empty()) media::require_room_name(f.room, "--room");
    const bool join = v.room_join.value_or(false), admin = v.room_admin.value_or(false);
    if ((join || admin) && f.room.empty()) {
        throw usage_error("--join and --admin grants are for one room: pass --room NAME");
    }
    if (join && f.identity.empty()) {
        throw usage_error("--join needs --identity (LiveKit refuses joins without identity)");
    }
    return spec;
}

// Twilio Video tokens carry an identity and optionally a room; LiveKit's grant flags do not
// apply, and asking for them is a mistake worth naming.
twilio::AccessTokenSpec build_twilio_spec(const MintRequest& f, const config::Settings& s) {
    const auto& tw = s.twilio;
    const std::pair<bool, const char*> livekit_only[] = {
        {f.admin, "--admin"},
        {f.create, "--create"},
        {f.list, "--list"},
        {f.record, "--record"},
        {f.hidden, "--hidden"},
        {f.can_update_metadata, "--can-update-metadata"},
        {!f.sources.empty(), "--can-publish-sources"},
        {f.can_publish.has_value(), "--[no-]can-publish"},
        {f.can_subscribe.has_value(), "--[no-]can-subscribe"},
        {f.can_publish_data.has_value(), "--[no-]can-publish-data"},
        {!f.attributes.empty(), "--attribute"},
        {!f.metadata.empty(), "--metadata"},
        {!f.name.empty(), "--name"},
        {!f.grant.empty(), "--grant"},
        {!f.room_config.empty(), "--room-config"},
        {!f.agents.empty(), "--agent"},
        {!f.job_metadata.empty(), "--job-metadata"},
    };
    for (const auto& [given, flag] : livekit_only) {
        if (given)
            throw usage_error(fmt::format(
                "{} is LiveKit-only: Twilio Video tokens carry only --identity, --room and --ttl",
                flag));
    }
    if (tw.account_sid.empty()) {
        throw config_error("no Twilio Account SID configured: set TWILIO_ACCOUNT_SID");
    }
    if (!tw.uses_api_key()) {
        throw config_error(
            "Twilio access tokens must be signed with an API key: set "
            "TWILIO_API_KEY and TWILIO_API_SECRET (an Auth Token cannot sign them)");
    }
    twilio::AccessTokenSpec spec;
    spec.account_sid = tw.account_sid;
    spec.api_key = tw.api_key;
    spec.identity = f.identity;
    spec.room = f.room;
    spec.ttl = ttl_of(f);
    return spec;
}

}  // namespace

std::string expand(const std::string& text, unsigned i) {
    std::string out = text;
    const std::string index = std::to_string(i);
    for (auto at = out.find("{i}"); at != std::string::npos;
         at = out.find("{i}", at + index.size())) {
        out.replace(at, 3, index);
    }
    return out;
}

Minter::Minter(const MintRequest& f, const config::Settings& s,
               std::chrono::system_clock::time_point now)
    : m_request(f),
      m_settings(s),
      m_now(now),
      m_provider(config::to_string(s.provider)),
      m_room_limit(s.provider == config::Provider::twilio ? media::k_twilio_room_name_limit
                                                          : media::k_livekit_room_name_limit) {
    if (f.count > 1 && f.identity.find("{i}") == std::string::npos &&
        (f.join || s.provider == config::Provider::twilio)) {
        throw usage_error(
            "--count mints several tokens: put {i} in --identity so each participant "
            "is distinct (e.g. --identity 'user-{i}')");
    }
    // Validates the flags and settings before any output.
    if (s.provider == config::Provider::twilio) {
        twilio::build_claims(build_twilio_spec(f, s), now);  // ttl and identity too
    } else {
        livekit::build_claims(build_spec(f, s), now);
    }
}

// Claims are built once per token and signed directly.
Minted Minter::mint(const Subject& who) const {
    const auto& s = m_settings;
    if (s.provider == config::Provider::twilio) {
        auto one = build_twilio_spec(m_request, s);
        one.identity = who.identity;
        one.room = who.room;
        if (!one.room.empty()) media::require_room_name(one.room, "--room", m_room_limit);
        auto claims = twilio::build_claims(one, m_now);
        auto jwt = token::sign_hs256(claims, s.twilio.api_secret, {{"cty", "twilio-fpa;v=1"}});
        return Minted{std::move(jwt), std::move(claims), twilio::header()};
    }
    auto one = build_spec(m_request, s);
    one.identity = who.identity;
    one.name = who.name;
    one.video.room = who.room;
    if (!one.video.room.empty()) media::require_room_name(one.video.room, "--room", m_room_limit);
    auto claims = livekit::build_claims(one, m_now);
    auto jwt = token::sign_hs256(claims, s.livekit.api_secret);
    return Minted{std::move(jwt), std::move(claims), nullptr};
}

void Minter::mint_batch(const std::function<void(const Subject&, std::string_view)>& sink) const {
    const auto& f = m_request;
    const auto& s = m_settings;
    mint({expand(f.identity, 1), expand(f.name, 1), expand(f.room, 1)});  // validates the flags

    // The claims with placeholders for the fields that vary, and which Subject field fills
    // each placeholder. Fields left empty stay out of the claims, as in mint().
    std::vector<std::string Subject::*> fields;
    auto slot = [&](const std::string& flag, std::string Subject::*field) {
        if (flag.empty()) return std::string{};
        fields.push_back(field);
        return token::BatchSigner::placeholder(fields.size() - 1);
    };
    std::unique_ptr<token::BatchSigner> signer;
    if (s.provider == config::Provider::twilio) {
        auto spec = build_twilio_spec(f, s);
        spec.identity = slot(f.identity, &Subject::identity);
        spec.room = slot(f.room, &Subject::room);
        signer = std::make_unique<token::BatchSigner>(twilio::build_claims(spec, m_now),
                                                      s.twilio.api_secret,
                                                      nlohmann::json{{"cty", "twilio-fpa;v=1"}});
    } else {
        auto spec = build_spec(f, s);
        spec.identity = slot(f.identity, &Subject::identity);
        spec.name = slot(f.name, &Subject::name);
        spec.video.room = slot(f.room, &Subject::room);
        signer = std::make_unique<token::BatchSigner>(livekit::build_claims(spec, m_now),
                                                      s.livekit.api_secret);
    }

    std::vector<std::string_view> values;
    for (unsigned i = 1; i <= f.count; ++i) {
        Subject who{expand(f.identity, i), expand(f.name, i), expand(f.room, i)};
        if (!who.room.empty()) media::require_room_name(who.room, "--room", m_room_limit);
        values.clear();
        for (auto field : fields) values.push_back(who.*field);
        sink(who, signer->sign(values));
    }
}

}  // namespace roomctl::mint
