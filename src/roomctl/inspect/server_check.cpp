#include "roomctl/inspect/server_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "roomctl/io/module.hpp"
#include "roomctl/livekit/twirp.hpp"
#include "roomctl/media/server_clock.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/wiring/factory.hpp"

namespace roomctl::inspect {

ServerVerdict check_with_server(const std::string& jwt, Inspection& r, const InspectOptions& o,
                                const config::Settings& settings, http::TraceSink trace,
                                bool trace_headers, const std::atomic<bool>* cancel) {
    const bool twilio =
        r.provider == TokenProvider::twilio ||
        (r.provider == TokenProvider::unknown && o.configured_provider == TokenProvider::twilio);
    if (twilio) throw usage_error("--check-server: Twilio has no token validation endpoint");
    config::require_livekit_url(settings);
    auto transport = io::make_transport(
        wiring::transport_options(settings, std::move(trace), trace_headers, cancel));
    // TransportError (runtime, exit 1) when unreachable.
    const auto sent = std::chrono::system_clock::now();
    const auto answer = livekit::rtc_validate(*transport, config::api_url(settings.livekit), jwt,
                                              settings.request_timeout);
    const auto offset = media::clock_offset_of(answer, sent, std::chrono::system_clock::now());
    const std::string room = r.video && !r.video->room.empty() ? r.video->room : o.room;
    // The token's own times decide whether a time refusal is the token's or the clocks'.
    const livekit::TokenClock times{
        r.not_before, r.expires_at,
        std::chrono::duration_cast<std::chrono::seconds>(o.now.time_since_epoch()).count()};
    ServerVerdict v;
    v.check = interpret_rtc_validate(answer.status, answer.body, r.key, room, offset, times);
    v.refused = server_refuses(v.check, r, o.purpose);
    if (v.refused) r.diagnoses.push_back({"server_refused", Severity::error, v.check.message});
    return v;
}

bool identity_connected(const std::vector<media::Participant>& people,
                        const std::string& identity) {
    return !identity.empty() &&
           std::any_of(people.begin(), people.end(),
                       [&](const media::Participant& p) { return p.identity == identity; });
}

std::string duplicate_identity_warning(const std::string& identity, const std::string& room) {
    return fmt::format(
        "identity {} is connected to room {} now: joining with this token disconnects that "
        "participant (the server keeps one connection per identity: DUPLICATE_IDENTITY); give "
        "each device its own identity (e.g. user-id plus a device or tab suffix)",
        token::quote(identity), token::quote(room));
}

void check_identity_on_server(media::MediaServer& server, Inspection& r, const std::string& room) {
    const std::string target = r.video && !r.video->room.empty() ? r.video->room : room;
    if (r.identity.empty() || target.empty()) return;
    try {
        if (!server.get_room(target)) return;  // nobody can be connected to a room that is not
        if (identity_connected(server.list_participants(target), r.identity)) {
            r.diagnoses.push_back({"identity_connected", Severity::warning,
                                   duplicate_identity_warning(r.identity, target)});
        }
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted) throw;
        r.diagnoses.push_back(
            {"identity_not_checked", Severity::warning,
             fmt::format("could not list the participants of room {} to see whether identity {} "
                         "is already connected: {}",
                         token::quote(target), token::quote(r.identity), e.what())});
    }
}

}  // namespace roomctl::inspect
