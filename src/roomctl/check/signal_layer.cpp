#include "roomctl/check/signal_layer.hpp"

#include <fmt/format.h>

#include "roomctl/check/probes.hpp"
#include "roomctl/io/module.hpp"
#include "roomctl/livekit/access_token.hpp"
#include "roomctl/livekit/signal_probe.hpp"

namespace roomctl::check {

namespace {

std::string host_of(const std::string& base_url) {
    auto start = base_url.find("://");
    std::string rest = start == std::string::npos ? base_url : base_url.substr(start + 3);
    rest = rest.substr(0, rest.find_first_of("/?"));
    if (!rest.empty() && rest[0] == '[') return rest.substr(1, rest.find(']') - 1);
    return rest.substr(0, rest.rfind(':'));
}

bool room_exists(http::Transport& transport, const livekit::ApiEndpoint& endpoint,
                 const std::string& room) {
    livekit::VideoGrant grant;
    grant.room_list = true;
    auto r =
        transport.send(livekit::twirp_request(endpoint, "ListRooms", {{"names", {room}}}, grant));
    auto body = livekit::interpret_twirp_response("ListRooms", r, endpoint);
    for (const auto& found : body.value("rooms", nlohmann::json::array())) {
        if (found.value("name", "") == room) return true;
    }
    return false;
}

// Best effort: the 1 s timeouts of the token's roomConfig remain if this fails.
std::string delete_probe_room(http::Transport& transport, const livekit::ApiEndpoint& endpoint,
                              const std::string& room) {
    livekit::VideoGrant grant;
    grant.room_create = true;
    try {
        auto r =
            transport.send(livekit::twirp_request(endpoint, "DeleteRoom", {{"room", room}}, grant));
        if (r.status == 200 || r.status == 404) return {};
        return fmt::format(
            "; deleting the probe room answered HTTP {} (it closes itself after 1 s "
            "empty)",
            r.status);
    } catch (const std::exception&) {
        return "; the probe room could not be deleted (it closes itself after 1 s empty)";
    }
}

}  // namespace

void probe_signal(Probe& p, http::Transport& transport, const SignalProbeInput& in) {
    std::string room = in.room;
    std::string note;
    bool own_room = room.empty();
    if (!own_room && !room_exists(transport, in.endpoint, room)) {
        note = fmt::format(
            " (room \"{}\" does not exist, so the probe used a room of its own: "
            "joining it would have created it)",
            room);
        own_room = true;
    }
    if (own_room) room = "roomctl-probe-" + random_suffix();

    livekit::AccessTokenSpec spec;
    spec.api_key = in.endpoint.api_key;
    spec.identity = "roomctl-probe-" + random_suffix();
    spec.ttl = std::chrono::seconds{60};
    spec.video.room_join = true;
    spec.video.room = room;
    spec.video.hidden = true;
    spec.video.can_publish = false;
    spec.video.can_subscribe = false;
    spec.video.can_publish_data = false;
    if (own_room) spec.room_config = {{"emptyTimeout", 1}, {"departureTimeout", 1}};

    livekit::SignalContext context;
    context.room = room;
    context.identity = spec.identity;
    context.host = host_of(in.endpoint.base_url);
    context.step_timeout = in.timeout;

    http::WsExchangeOptions options;
    options.step_timeout = in.timeout;
    options.ca_file = in.ca_file;
    options.cancel = in.cancel;
    options.trace = in.trace;
    options.reply = livekit::encode_leave_request();

    auto attempt = [&] {
        options.url = livekit::signal_url(
            in.endpoint.base_url,
            livekit::mint(spec, in.endpoint.api_secret, std::chrono::system_clock::now()));
        return io::websocket_exchange(options);
    };
    http::WsExchange exchange = attempt();
    livekit::SignalVerdict verdict = livekit::interpret_signal(exchange, context);
    if (own_room && verdict.room_missing) {
        // room.auto_create is off: only a token with roomCreate may create the probe's room.
        spec.video.room_create = true;
        note +=
            " (room.auto_create is off: the probe's token carried roomCreate to create its "
            "own room)";
        exchange = attempt();
        verdict = livekit::interpret_signal(exchange, context);
    }
    if (own_room && exchange.http_status == 101)
        note += delete_probe_room(transport, in.endpoint, room);
    if (in.verdict) *in.verdict = verdict;
    p.status = verdict.ok ? ProbeStatus::ok : ProbeStatus::failed;
    p.message = verdict.message + note;
}

}  // namespace roomctl::check
