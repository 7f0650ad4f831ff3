// roomctl token create: mint LiveKit or Twilio access tokens: one, one for a database session
// (--session), or a batch for load tests (--count, {i} templates, JSON lines). The minting is
// mint/mint.hpp's; this file binds the flags and prints.

#include "commands.hpp"
#include "roomctl/mint/mint.hpp"
#include "roomctl/mint/session_room.hpp"
#include "roomctl/report/token_lines.hpp"

namespace roomctl::cli {

namespace {

struct TokenFlags {
    mint::MintRequest request;
    bool no_server_check = false;  // --session: do not ask the server whether the room exists
    bool can_publish = true, can_subscribe = true, can_publish_data = true;
    CLI::Option* can_publish_opt = nullptr;
    CLI::Option* can_subscribe_opt = nullptr;
    CLI::Option* can_publish_data_opt = nullptr;
};

// The request as given: a --[no-]can-* flag counts only when it was passed.
mint::MintRequest request_of(const TokenFlags& f) {
    auto r = f.request;
    if (f.can_publish_opt->count()) r.can_publish = f.can_publish;
    if (f.can_subscribe_opt->count()) r.can_subscribe = f.can_subscribe;
    if (f.can_publish_data_opt->count()) r.can_publish_data = f.can_publish_data;
    return r;
}

int run_token_create(const TokenFlags& f, Context& ctx) {
    auto request = request_of(f);
    std::optional<std::string> warning;
    if (!request.session.empty()) {
        mint::use_session_room(request, *ctx.room_store(), ctx.settings());
        // The row says live; the server may not have the room (never created, or closed).
        if (!f.no_server_check)
            warning = mint::session_room_warning(*ctx.media_server(), request.room);
    }
    const mint::Minter minter(request, ctx.settings(), std::chrono::system_clock::now());
    auto& printer = ctx.printer();
    if (request.count == 0) {
        auto m = minter.mint({request.identity, request.name, request.room});
        auto doc = report::token_json(minter.provider(), m.token, m.claims, m.header);
        if (!request.session.empty()) {
            // stdout carries the token alone (scripts capture it); the warning goes to stderr,
            // or into the document with --json.
            doc["warnings"] = nlohmann::json::array();
            if (warning) doc["warnings"].push_back(*warning);
            if (warning && !printer.json()) printer.warn(*warning);
        }
        printer.result(doc, m.token + "\n");
        return 0;
    }
    if (warning) printer.warn(*warning);
    // A batch: one JSON line per token (or one document with --json), numbered from 1.
    report::TokenLines out(printer.json());
    minter.mint_batch([&out](const mint::Subject& who, std::string_view token) {
        out.add(who.identity, who.room, token);
    });
    printer.result(out.take_batch_json(minter.provider(), request.count), out.lines());
    return 0;
}

}  // namespace

void register_token(CLI::App& root, Context& ctx) {
    auto* token = root.add_subcommand("token", "Mint access tokens (LiveKit or Twilio)");
    token->require_subcommand(1);
    auto f = std::make_shared<TokenFlags>();
    auto* create = token->add_subcommand("create", "Mint an access token (prints only the JWT)");
    create->add_option("-i,--identity", f->request.identity, "Participant identity (sub)");
    create->add_option("-n,--name", f->request.name, "Participant display name");
    create->add_option("-r,--room", f->request.room,
                       "Room the grant is for (with --session: which of the session's live "
                       "rooms, when it has several)");
    create->add_option("--ttl,--valid-for", f->request.ttl,
                       "Validity, with a unit: 90s, 10m, 6h (default 1h; --valid-for as in lk)");
    create->add_flag("--join", f->request.join, "Grant roomJoin");
    create->add_flag("--admin", f->request.admin, "Grant roomAdmin (for --room only)");
    create->add_flag("--create", f->request.create, "Grant roomCreate (CreateRoom, DeleteRoom)");
    create->add_flag("--list", f->request.list, "Grant roomList (ListRooms)");
    create->add_flag("--record", f->request.record, "Grant roomRecord");
    f->can_publish_opt = create->add_flag("--can-publish,!--no-can-publish", f->can_publish,
                                          "Allow or forbid publishing tracks");
    f->can_subscribe_opt = create->add_flag("--can-subscribe,!--no-can-subscribe", f->can_subscribe,
                                            "Allow or forbid subscribing");
    f->can_publish_data_opt =
        create->add_flag("--can-publish-data,!--no-can-publish-data", f->can_publish_data,
                         "Allow or forbid data messages");
    create
        ->add_option("--can-publish-sources", f->request.sources,
                     "Restrict publishing to these sources")
        ->delimiter(',')
        ->check(CLI::IsMember({"camera", "microphone", "screen_share", "screen_share_audio"}));
    create->add_flag("--can-update-metadata", f->request.can_update_metadata,
                     "Allow the participant to update its own metadata");
    create->add_flag("--hidden", f->request.hidden, "Hide the participant from others");
    create->add_option("--metadata", f->request.metadata, "Participant metadata");
    create->add_option("--attribute", f->request.attributes,
                       "Participant attribute key=value (repeatable)");
    create->add_option("--grant", f->request.grant,
                       "More video grants as JSON (LiveKit VideoGrant keys, e.g. "
                       "'{\"canSubscribeMetrics\":true}'), merged with the flags");
    create->add_option("--room-config", f->request.room_config,
                       "Room configuration as JSON (LiveKit RoomConfiguration: emptyTimeout, "
                       "maxParticipants, metadata, agents, ...), applied when the token's join "
                       "creates the room");
    create->add_option("--agent", f->request.agents,
                       "Dispatch this agent to the room (roomConfig.agents[].agentName; "
                       "repeatable)");
    create->add_option("--job-metadata", f->request.job_metadata,
                       "Metadata of the dispatched agents' job (roomConfig.agents[].metadata)");
    create->add_option("--session", f->request.session,
                       "Mint for this session's room, looked up through [rooms] session_column "
                       "(refused when the room is not live; a session with several live rooms "
                       "needs --room)");
    create->add_flag("--no-server-check", f->no_server_check,
                     "With --session: do not ask the media server whether the room exists");
    create
        ->add_option("--count", f->request.count,
                     "Mint N tokens as JSON lines; {i} in --identity/--name/--room is 1..N")
        ->check(CLI::Range(1u, 1'000'000u));
    create->footer(
        "LiveKit: only the grants you pass go into the token; the API key and secret come from\n"
        "LIVEKIT_API_KEY / LIVEKIT_API_SECRET (or --api-key / --api-secret-file).\n"
        "Twilio (--provider twilio): a Video token for --identity and optionally --room, signed\n"
        "with TWILIO_API_KEY / TWILIO_API_SECRET; --ttl at most 24h; the other flags are\n"
        "LiveKit-only and refused.\n\n"
        "Examples:\n"
        "  TOKEN=$(roomctl token create --join --room session-42 --identity alice)\n"
        "  roomctl token create --join --room demo --identity bot --no-can-publish --ttl 10m\n"
        "  roomctl token create --list --create --json\n"
        "  roomctl token create --join --room demo --identity bob --valid-for 10m \\\n"
        "      --metadata '{\"role\":\"host\"}' --attribute team=blue --grant "
        "'{\"canSubscribeMetrics\":true}'\n"
        "  roomctl token create --join --room support-7 --identity caller --agent "
        "support-bot \\\n"
        "      --job-metadata '{\"ticket\":7}'   # the agent joins when the room starts\n"
        "  roomctl --provider twilio token create --identity alice --room session-P46odHdPO0wJ\n"
        "  roomctl token create --session 44fa27d7-0528-46ce-9648-810539c2555c --identity mentor\n"
        "      # warns on stderr when the session's room does not exist on the server\n"
        "  roomctl --provider twilio token create --session 44fa27d7-0528-46ce-9648-810539c2555c "
        "\\\n"
        "      --room breakout-2 --identity mentor   # a session with several live rooms\n"
        "  roomctl token create --join --room load-{i} --identity 'user-{i}' --count 1000 > "
        "tokens.jsonl");
    create->callback([f, &ctx] {
        ctx.command = "token create";
        ctx.exit_code = run_token_create(*f, ctx);
    });
    register_token_inspect(*token, ctx);
}

}  // namespace roomctl::cli
