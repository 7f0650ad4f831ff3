// roomctl token create: mint LiveKit or Twilio access tokens: one, one for a database session
// (--session), or a batch for load tests (--count, {i} templates, JSON lines).

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "commands.hpp"
#include "roomctl/livekit/access_token.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/token/batch.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/twilio/access_token.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::cli {

namespace {

struct TokenFlags {
    std::string identity, name, room, ttl = "1h", metadata;
    std::vector<std::string> attributes, sources;
    bool join = false, admin = false, create = false, list = false, record = false;
    bool can_publish = true, can_subscribe = true, can_publish_data = true;
    bool can_update_metadata = false, hidden = false;
    std::string session;     // --session: mint for this session's room
    unsigned count = 0;      // --count: N tokens, {i} expanded in identity/name/room
    CLI::Option* can_publish_opt = nullptr;
    CLI::Option* can_subscribe_opt = nullptr;
    CLI::Option* can_publish_data_opt = nullptr;
};

livekit::AccessTokenSpec build_spec(const TokenFlags& f, const config::Settings& s) {
    if (s.livekit.api_key.empty()) {
        throw config_error("no API key configured: set LIVEKIT_API_KEY or --api-key");
    }
    if (s.livekit.api_secret.empty()) {
        throw config_error(
            "no API secret configured: set LIVEKIT_API_SECRET or --api-secret-file");
    }
    livekit::AccessTokenSpec spec;
    spec.api_key = s.livekit.api_key;
    spec.identity = f.identity;
    spec.name = f.name;
    spec.metadata = f.metadata;
    spec.ttl = parse_duration(f.ttl);
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
    if (f.can_publish_opt->count()) v.can_publish = f.can_publish;
    if (f.can_subscribe_opt->count()) v.can_subscribe = f.can_subscribe;
    if (f.can_publish_data_opt->count()) v.can_publish_data = f.can_publish_data;
    v.can_publish_sources = f.sources;
    v.room = f.room;
    if (!(f.join || f.admin || f.create || f.list || f.record)) {
        throw usage_error("no grant given: pass at least one of --join, --admin, --create, --list, "
                          "--record");
    }
    if (!f.room.empty()) require_valid_room_name(f.room, "--room");
    if ((f.join || f.admin) && f.room.empty()) {
        throw usage_error("--join and --admin grants are for one room: pass --room NAME");
    }
    if (f.join && f.identity.empty()) {
        throw usage_error("--join needs --identity (LiveKit refuses joins without identity)");
    }
    return spec;
}

// Twilio Video tokens carry an identity and optionally a room; LiveKit's grant flags do not
// apply, and asking for them is a mistake worth naming.
twilio::AccessTokenSpec build_twilio_spec(const TokenFlags& f, const config::Settings& s) {
    const auto& tw = s.twilio;
    if (f.admin || f.create || f.list || f.record || f.hidden || f.can_update_metadata ||
        !f.sources.empty() || f.can_publish_opt->count() || f.can_subscribe_opt->count() ||
        f.can_publish_data_opt->count() || !f.attributes.empty() || !f.metadata.empty() ||
        !f.name.empty()) {
        throw usage_error("Twilio Video tokens carry only --identity and --room (and --ttl); the "
                          "other grant flags are LiveKit's");
    }
    if (tw.account_sid.empty()) {
        throw config_error("no Twilio Account SID configured: set TWILIO_ACCOUNT_SID");
    }
    if (!tw.uses_api_key()) {
        throw config_error("Twilio access tokens must be signed with an API key: set "
                           "TWILIO_API_KEY and TWILIO_API_SECRET (an Auth Token cannot sign them)");
    }
    twilio::AccessTokenSpec spec;
    spec.account_sid = tw.account_sid;
    spec.api_key = tw.api_key;
    spec.identity = f.identity;
    spec.room = f.room;
    spec.ttl = parse_duration(f.ttl);
    return spec;
}

// Identity, name and room of one token, after {i} expansion.
struct Subject {
    std::string identity, name, room;
};

std::string expand(const std::string& text, unsigned i) {
    std::string out = text;
    const std::string index = std::to_string(i);
    for (auto at = out.find("{i}"); at != std::string::npos; at = out.find("{i}", at + index.size())) {
        out.replace(at, 3, index);
    }
    return out;
}

struct Minted {
    std::string token;
    nlohmann::json claims;
};

// Validates the flags once and returns a function that mints for one subject. Claims are
// built once per token and signed directly, so batches cost one HMAC per token.
std::function<Minted(const Subject&)> make_minter(const TokenFlags& f, const config::Settings& s,
                                                  std::chrono::system_clock::time_point now) {
    const std::size_t limit = s.provider == config::Provider::twilio ? 128 : 256;
    if (s.provider == config::Provider::twilio) {
        auto spec = build_twilio_spec(f, s);
        twilio::build_claims(spec, now);  // validates ttl and identity before any output
        auto secret = s.twilio.api_secret;
        return [spec, secret, now, limit](const Subject& who) {
            auto one = spec;
            one.identity = who.identity;
            one.room = who.room;
            if (!one.room.empty()) require_valid_room_name(one.room, "--room", limit);
            auto claims = twilio::build_claims(one, now);
            return Minted{token::sign_hs256(claims, secret, {{"cty", "twilio-fpa;v=1"}}), claims};
        };
    }
    auto spec = build_spec(f, s);
    livekit::build_claims(spec, now);
    auto secret = s.livekit.api_secret;
    return [spec, secret, now, limit](const Subject& who) {
        auto one = spec;
        one.identity = who.identity;
        one.name = who.name;
        one.video.room = who.room;
        if (!one.video.room.empty()) require_valid_room_name(one.video.room, "--room", limit);
        auto claims = livekit::build_claims(one, now);
        return Minted{token::sign_hs256(claims, secret), claims};
    };
}

// The claims of a batch with placeholders for the fields that vary, and which Subject field
// fills each placeholder. Fields left empty stay out of the claims, as in the single path.
struct Batch {
    std::unique_ptr<token::BatchSigner> signer;
    std::vector<std::string Subject::*> fields;
};

Batch make_batch_signer(const TokenFlags& f, const config::Settings& s,
                        std::chrono::system_clock::time_point now) {
    Batch b;
    auto slot = [&](const std::string& flag, std::string Subject::*field) {
        if (flag.empty()) return std::string{};
        b.fields.push_back(field);
        return token::BatchSigner::placeholder(b.fields.size() - 1);
    };
    if (s.provider == config::Provider::twilio) {
        auto spec = build_twilio_spec(f, s);
        spec.identity = slot(f.identity, &Subject::identity);
        spec.room = slot(f.room, &Subject::room);
        b.signer = std::make_unique<token::BatchSigner>(twilio::build_claims(spec, now),
                                                        s.twilio.api_secret,
                                                        nlohmann::json{{"cty", "twilio-fpa;v=1"}});
        return b;
    }
    auto spec = build_spec(f, s);
    spec.identity = slot(f.identity, &Subject::identity);
    spec.name = slot(f.name, &Subject::name);
    spec.video.room = slot(f.room, &Subject::room);
    b.signer = std::make_unique<token::BatchSigner>(livekit::build_claims(spec, now),
                                                    s.livekit.api_secret);
    return b;
}

// --session: the room of the session's live row, through the mapping and the template.
// Refuses with the reason when the session has no row, or no live one. A session with several
// live rooms (Twilio breakout rooms: several rows share one session) needs `chosen` (--room)
// to name one of them: picking one silently would send someone to the wrong room.
std::string room_for_session(Context& ctx, const std::string& session, const std::string& chosen) {
    auto store = ctx.room_store();
    auto rows = store->find_session(session);
    const auto& m = ctx.settings().rooms;
    std::vector<std::string> live;
    for (const auto& row : rows) {
        if (!row.live) continue;
        auto room = config::room_name_for(m, row.name);
        if (std::find(live.begin(), live.end(), room) == live.end()) live.push_back(room);
    }
    if (live.size() == 1) return live.front();
    if (live.size() > 1) {
        if (chosen.empty()) {
            throw usage_error(fmt::format(
                "session \"{}\" has {} live rooms ({}); pass --room NAME to choose one",
                session, live.size(), fmt::join(live, ", ")));
        }
        if (std::find(live.begin(), live.end(), chosen) == live.end()) {
            throw usage_error(fmt::format(
                "--room \"{}\" is not one of the live rooms of session \"{}\" ({})", chosen,
                session, fmt::join(live, ", ")));
        }
        return chosen;
    }
    if (rows.empty()) {
        throw runtime_error(fmt::format("no row in {} has {} = \"{}\"; not minting a token for a "
                                        "session the database does not know",
                                        m.table, m.session_column, session));
    }
    throw runtime_error(fmt::format(
        "the room of session \"{}\" is not live ({} is \"{}\", live is {}); a token for it would "
        "let someone into a room the app considers closed",
        session, m.status_column, rows.front().status.value_or("NULL"),
        fmt::join(m.live_statuses, "/")));
}

int run_token_create(TokenFlags f, Context& ctx) {
    const auto& settings = ctx.settings();
    if (!f.session.empty()) {
        auto room = room_for_session(ctx, f.session, f.room);
        if (!f.room.empty() && f.room != room) {
            throw usage_error(fmt::format("--room \"{}\" contradicts --session, whose room is \"{}\"",
                                          f.room, room));
        }
        f.room = room;
        // A token for a session is for joining it, unless other grants were asked for.
        if (settings.provider == config::Provider::livekit && !(f.join || f.admin || f.create || f.list || f.record)) {
            f.join = true;
        }
    }
    if (f.count > 1 && f.identity.find("{i}") == std::string::npos &&
        (f.join || settings.provider == config::Provider::twilio)) {
        throw usage_error("--count mints several tokens: put {i} in --identity so each participant "
                          "is distinct (e.g. --identity 'user-{i}')");
    }
    auto now = std::chrono::system_clock::now();
    auto mint = make_minter(f, settings, now);
    auto& printer = ctx.printer();

    if (f.count == 0) {
        auto m = mint({f.identity, f.name, f.room});
        auto doc = report::envelope("token create");
        doc["provider"] = config::to_string(settings.provider);
        doc["token"] = m.token;
        if (settings.provider == config::Provider::twilio) doc["header"] = twilio::header();
        doc["claims"] = m.claims;
        doc["expires_at"] = report::iso8601(m.claims.value("exp", std::int64_t{0}));
        printer.result(doc, m.token + "\n");
        return 0;
    }

    // A batch: one JSON line per token (or one document with --json), numbered from 1. The
    // claims are rendered once; each token splices in its identity, name and room.
    mint({expand(f.identity, 1), expand(f.name, 1), expand(f.room, 1)});  // validates the flags
    auto batch = make_batch_signer(f, settings, now);
    const std::size_t limit = settings.provider == config::Provider::twilio ? 128 : 256;
    auto doc = report::envelope("token create");
    doc["provider"] = config::to_string(settings.provider);
    doc["count"] = f.count;
    auto tokens = nlohmann::json::array();
    std::string lines;
    std::vector<std::string_view> values;
    for (unsigned i = 1; i <= f.count; ++i) {
        Subject who{expand(f.identity, i), expand(f.name, i), expand(f.room, i)};
        if (!who.room.empty()) require_valid_room_name(who.room, "--room", limit);
        values.clear();
        for (auto field : batch.fields) values.push_back(who.*field);
        auto token = batch.signer->sign(values);
        if (printer.json()) {
            nlohmann::json line = {{"identity", who.identity}, {"token", token}};
            if (!who.room.empty()) line["room"] = who.room;
            tokens.push_back(std::move(line));
        } else {
            lines += "{\"identity\":";
            token::append_json_string(who.identity, lines);
            if (!who.room.empty()) {
                lines += ",\"room\":";
                token::append_json_string(who.room, lines);
            }
            lines += ",\"token\":\"";
            lines += token;
            lines += "\"}\n";
        }
    }
    doc["tokens"] = std::move(tokens);
    printer.result(doc, lines);
    return 0;
}

}  // namespace

void register_token(CLI::App& root, Context& ctx) {
    auto* token = root.add_subcommand("token", "Mint access tokens (LiveKit or Twilio)");
    token->require_subcommand(1);
    auto f = std::make_shared<TokenFlags>();
    auto* create = token->add_subcommand("create", "Mint an access token (prints only the JWT)");
    create->add_option("-i,--identity", f->identity, "Participant identity (sub)");
    create->add_option("-n,--name", f->name, "Participant display name");
    create->add_option("-r,--room", f->room,
                       "Room the grant is for (with --session: which of the session's live "
                       "rooms, when it has several)");
    create->add_option("--ttl", f->ttl, "Validity, e.g. 90s, 10m, 6h (default 1h)");
    create->add_flag("--join", f->join, "Grant roomJoin");
    create->add_flag("--admin", f->admin, "Grant roomAdmin (for --room only)");
    create->add_flag("--create", f->create, "Grant roomCreate (CreateRoom, DeleteRoom)");
    create->add_flag("--list", f->list, "Grant roomList (ListRooms)");
    create->add_flag("--record", f->record, "Grant roomRecord");
    f->can_publish_opt = create->add_flag("--can-publish,!--no-can-publish", f->can_publish,
                                          "Allow or forbid publishing tracks");
    f->can_subscribe_opt = create->add_flag("--can-subscribe,!--no-can-subscribe",
                                            f->can_subscribe, "Allow or forbid subscribing");
    f->can_publish_data_opt = create->add_flag("--can-publish-data,!--no-can-publish-data",
                                               f->can_publish_data,
                                               "Allow or forbid data messages");
    create->add_option("--can-publish-sources", f->sources,
                       "Restrict publishing to these sources")
        ->delimiter(',')
        ->check(CLI::IsMember({"camera", "microphone", "screen_share", "screen_share_audio"}));
    create->add_flag("--can-update-metadata", f->can_update_metadata,
                     "Allow the participant to update its own metadata");
    create->add_flag("--hidden", f->hidden, "Hide the participant from others");
    create->add_option("--metadata", f->metadata, "Participant metadata");
    create->add_option("--attribute", f->attributes, "Participant attribute key=value (repeatable)");
    create->add_option("--session", f->session,
                       "Mint for this session's room, looked up through [rooms] session_column "
                       "(refused when the room is not live; a session with several live rooms "
                       "needs --room)");
    create->add_option("--count", f->count,
                       "Mint N tokens as JSON lines; {i} in --identity/--name/--room is 1..N")
        ->check(CLI::Range(1u, 1'000'000u));
    create->footer(
        "LiveKit: only the grants you pass go into the token; the API key and secret come from\n"
        "LIVEKIT_API_KEY / LIVEKIT_API_SECRET (or --api-key / --api-secret-file).\n"
        "Twilio (--provider twilio): a Video token for --identity and optionally --room, signed\n"
        "with TWILIO_API_KEY / TWILIO_API_SECRET; --ttl at most 24h.\n\n"
        "Examples:\n"
        "  TOKEN=$(roomctl token create --join --room session-42 --identity alice)\n"
        "  roomctl token create --join --room demo --identity bot --no-can-publish --ttl 10m\n"
        "  roomctl token create --list --create --json\n"
        "  roomctl --provider twilio token create --identity alice --room session-P46odHdPO0wJ\n"
        "  roomctl token create --session 44fa27d7-0528-46ce-9648-810539c2555c --identity mentor\n"
        "  roomctl --provider twilio token create --session 44fa27d7-0528-46ce-9648-810539c2555c \\\n"
        "      --room breakout-2 --identity mentor   # a session with several live rooms\n"
        "  roomctl token create --join --room load-{i} --identity 'user-{i}' --count 1000 > tokens.jsonl");
    create->callback([f, &ctx] {
        ctx.command = "token create";
        ctx.exit_code = run_token_create(*f, ctx);
    });
    register_token_inspect(*token, ctx);
}

}  // namespace roomctl::cli
