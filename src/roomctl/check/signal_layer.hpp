#pragma once
// `check`'s server.signal layer: the WebSocket join a client makes after /rtc/validate.
//
// It opens /rtc with a join token roomctl mints for itself (never the user's: a second
// connection with a user's identity disconnects that user): identity roomctl-probe-<random>,
// hidden (other participants are not told), no publish/subscribe, 60 s TTL. It reads the
// server's first message (join, or leave and its reason), sends leave, waits for the server to
// close, and names the first step that failed and its cause (livekit/signal_probe.hpp).
//
// Which room:
// - `room` given and present on the server (ListRooms): that room.
// - otherwise a room of its own, roomctl-probe-<random>: with room.auto_create on (the
//   default) the join creates it; with auto_create off the server refuses a token without
//   roomCreate with 404 before the upgrade, so the probe asks once more with roomCreate.
//   Never the user's missing `room`: joining it would create it.
//   Its own room never lingers (audit would call it an orphan): after the join the probe
//   deletes it (DeleteRoom), and its token's roomConfig sets empty and departure timeouts of
//   1 s in case the delete cannot run (an interrupt, a lost connection).

#include <atomic>
#include <chrono>
#include <string>

#include "roomctl/check/probes.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/http/websocket.hpp"
#include "roomctl/livekit/signal_probe.hpp"
#include "roomctl/livekit/twirp.hpp"

namespace roomctl::check {

struct SignalProbeInput {
    livekit::ApiEndpoint endpoint;  // base_url, key, secret; ListRooms/DeleteRoom go over it
    std::string room;               // the room to join if it exists; empty: a probe room
    std::chrono::milliseconds timeout{5'000};  // each step's bound
    std::string ca_file;                       // as TransportOptions::ca_file
    const std::atomic<bool>* cancel = nullptr;
    http::TraceSink trace;
    // When set, receives the verdict (explain reports its step and proxy_headers).
    livekit::SignalVerdict* verdict = nullptr;
};

// Sets p.status and p.message (one line). Throws what the transport throws for the room
// look-up (the caller's `timed` turns it into a failed probe).
void probe_signal(Probe& p, http::Transport& transport, const SignalProbeInput& input);

}  // namespace roomctl::check
