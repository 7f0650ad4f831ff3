#pragma once
// `token inspect --check-server`: asks the configured LiveKit server whether it accepts the
// token (GET /rtc/validate, livekit/livekit pkg/service/rtcservice.go; the server creates nothing)
// and folds its verdict into the offline inspection.

#include <atomic>
#include <string>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/inspect/inspect.hpp"
#include "roomctl/media/server.hpp"

namespace roomctl::inspect {

struct ServerVerdict {
    ServerCheck check;     // what the server answered, in operator words
    bool refused = false;  // server_refuses(check, inspection, options.purpose)
};

// Sends `jwt` (as inspected into `inspection` with `options`) to settings' LiveKit server.
// When the server refuses it, a `server_refused` error is appended to inspection.diagnoses:
// the server has the last word. `trace`, `trace_headers` (-vv) and `cancel` (may be null) as
// wiring::transport_options. The request waits at most settings.request_timeout.
// Throws Error(usage) for a Twilio token (or, for a token naming no provider, Twilio
// configured): Twilio has no validation endpoint; Error(config) without a LiveKit URL;
// http::TransportError (runtime) when the server is unreachable; Error(runtime) for an answer
// that says nothing about the token (livekit::interpret_rtc_validate).
ServerVerdict check_with_server(const std::string& jwt, Inspection& inspection,
                                const InspectOptions& options, const config::Settings& settings,
                                http::TraceSink trace, bool trace_headers,
                                const std::atomic<bool>* cancel);

// ---- the identity already in the room (token inspect --check-server, explain) ----
// LiveKit keeps one connection per identity: a join with an identity already connected
// disconnects the earlier participant (DUPLICATE_IDENTITY); Twilio does the same (53205).

// Whether `identity` (non-empty) is among `people`.
bool identity_connected(const std::vector<media::Participant>& people, const std::string& identity);

// The one-line warning for it: the identity, the consequence and the safer choice.
std::string duplicate_identity_warning(const std::string& identity, const std::string& room);

// Asks `server` whether the inspected token's identity is connected to its room (the granted
// room, else `room`) and, when it is, appends an `identity_connected` warning; when the
// participants cannot be listed, an `identity_not_checked` warning naming why. Does nothing
// for a token without identity or room, or when the room does not exist. Rethrows only an
// interrupt (Ctrl-C).
void check_identity_on_server(media::MediaServer& server, Inspection& inspection,
                              const std::string& room);

}  // namespace roomctl::inspect
