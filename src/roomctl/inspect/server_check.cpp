#include "roomctl/inspect/server_check.hpp"

#include "roomctl/io/module.hpp"
#include "roomctl/livekit/twirp.hpp"
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
    const auto answer = livekit::rtc_validate(*transport, config::api_url(settings.livekit), jwt,
                                              settings.request_timeout);
    const std::string room = r.video && !r.video->room.empty() ? r.video->room : o.room;
    ServerVerdict v;
    v.check = interpret_rtc_validate(answer.status, answer.body, r.key, room);
    v.refused = server_refuses(v.check, r, o.purpose);
    if (v.refused) r.diagnoses.push_back({"server_refused", Severity::error, v.check.message});
    return v;
}

}  // namespace roomctl::inspect
