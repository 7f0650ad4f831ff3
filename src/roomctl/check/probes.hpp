#pragma once
// `roomctl check`: layered connectivity probes, each with a one-line cause in operator words.
// Layers, in order (a failed layer marks the layers that need it as skipped):
//   server.reach    TCP (and TLS for https) to the LiveKit URL
//   server.health   GET /  -> 200 "OK" (406 "Not Ready" when the node is overloaded)
//   server.clock    skew between this machine and the server's Date header (LiveKit allows
//                   60 s of leeway on nbf/exp)
//   server.auth     ListRooms with a roomList-only token (checks key, secret, clock, routing)
//   server.join     GET /rtc/validate with a join token without roomCreate
//   server.signal   the WebSocket join to /rtc and leave, step by step (signal_layer.hpp)
//   database.connect, database.mapping, database.rls, database.session (database_probes.hpp)
// Twilio has no health route and no join validation: server.reach, server.clock and
// server.auth come from one GET /v1/Rooms?PageSize=1, and server.tokens says whether access
// tokens can be signed (they need an API key, not the Auth Token).
// Secrets and turn_password are never part of a probe's text.

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/transport.hpp"

namespace roomctl::check {

enum class ProbeStatus { ok, failed, skipped };
std::string to_string(ProbeStatus s);

struct Probe {
    std::string name;    // "server.auth"
    std::string target;  // "127.0.0.1:7880", "postgresql://app@db/app"
    ProbeStatus status = ProbeStatus::skipped;
    std::string message;  // one line: what was found, or the cause of the failure
    std::chrono::milliseconds duration{0};
};

struct CheckOptions {
    bool server = true;
    bool database = true;
    std::chrono::milliseconds timeout{5'000};  // per probe request
    std::string room;    // server.join: validate joining this room (empty: a probe room)
    bool signal = true;  // server.signal: join over the WebSocket and leave
    // For server.signal, which does not go through the Transport: SIGINT's flag and -v traces.
    const std::atomic<bool>* cancel = nullptr;
    http::TraceSink trace;
};

struct CheckReport {
    std::vector<Probe> probes;
    bool ok() const;  // no probe failed
};

// Runs the probes. Configuration problems that make a layer impossible (no URL, no key) are
// reported as failed probes naming the missing setting, so one run shows everything.
CheckReport run_checks(const config::Settings& settings, http::Transport& transport,
                       const CheckOptions& options);

// Ten random [a-z0-9] characters, for the names of probe rooms and identities
// ("roomctl-check-…", "roomctl-probe-…") that must not collide with an app's.
std::string random_suffix();

}  // namespace roomctl::check
