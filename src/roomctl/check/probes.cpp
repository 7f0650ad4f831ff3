#include "roomctl/check/probes.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <functional>
#include <random>

#include "roomctl/check/database_probes.hpp"
#include "roomctl/check/signal_layer.hpp"
#include "roomctl/http/form.hpp"
#include "roomctl/io/module.hpp"
#include "roomctl/livekit/access_token.hpp"
#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/livekit/twirp.hpp"
#include "roomctl/media/server_clock.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/twilio/rest.hpp"
#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/wiring/factory.hpp"

namespace roomctl::check {

namespace {

using clock = std::chrono::system_clock;

// Twice LiveKit's leeway would already fail; warn well before that.
constexpr std::int64_t k_leeway_seconds = 60;
constexpr std::int64_t k_warn_skew_seconds = 10;

// Long enough for roomctl's own sentences; server text is cut before it gets here.
std::string first_line(const std::string& s) {
    return text::first_line(livekit::scrub_tokens(s), 400);
}

class Runner {
public:
    Runner(const config::Settings& s, http::Transport& t, const CheckOptions& o)
        : m_settings(s), m_transport(t), m_options(o) {}

    CheckReport run() {
        if (m_options.server) run_server();
        if (m_options.database) run_database();
        return std::move(m_report);
    }

private:
    Probe& add(const std::string& name, const std::string& target) {
        m_report.probes.push_back({name, target, ProbeStatus::skipped, "", {}});
        return m_report.probes.back();
    }

    // Times `body`, which sets status and message; an Error from it is a failed probe.
    void timed(Probe& p, const std::function<void(Probe&)>& body) {
        auto start = std::chrono::steady_clock::now();
        try {
            body(p);
        } catch (const std::exception& e) {
            p.status = ProbeStatus::failed;
            p.message = first_line(e.what());
        }
        p.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
    }

    void skip_rest(const std::vector<std::string>& names, const std::string& target,
                   const std::string& why) {
        for (const auto& n : names) add(n, target).message = why;
    }

    void run_server() {
        if (m_settings.provider == config::Provider::twilio) return run_twilio();
        const auto& lk = m_settings.livekit;
        try {
            config::require_media_server(m_settings);
        } catch (const Error& e) {
            auto& p = add("server.reach", lk.url);
            p.status = ProbeStatus::failed;
            p.message = e.what();
            skip_rest(
                {"server.health", "server.clock", "server.auth", "server.join", "server.signal"},
                lk.url, "skipped: the server settings are incomplete");
            return;
        }
        m_endpoint = {config::api_url(lk), lk.api_key, lk.api_secret, m_options.timeout};
        std::string target = io::endpoint_of(m_endpoint.base_url);

        // One GET / answers three layers: reach (any HTTP answer), health and clock.
        http::Request req;
        req.url = m_endpoint.base_url + "/";
        req.timeout = m_options.timeout;
        http::Response health;
        clock::time_point sent, received;
        auto& reach = add("server.reach", target);
        bool reached = false;
        timed(reach, [&](Probe& p) {
            sent = clock::now();
            health = m_transport.send(req);
            received = clock::now();
            reached = true;
            p.status = ProbeStatus::ok;
            p.message = fmt::format("connected to {}{}", target,
                                    m_endpoint.base_url.rfind("https", 0) == 0 ? " over TLS" : "");
        });
        if (!reached) {
            skip_rest(
                {"server.health", "server.clock", "server.auth", "server.join", "server.signal"},
                target, "skipped: server unreachable");
            return;
        }
        probe_health(add("server.health", target), health);
        probe_clock(add("server.clock", target), health, sent, received);
        auto& auth = add("server.auth", target);
        timed(auth, [&](Probe& p) { probe_auth(p); });
        auto& join = add("server.join", target);
        timed(join, [&](Probe& p) { probe_join(p); });
        const bool join_failed = join.status == ProbeStatus::failed;
        if (!m_options.signal) return;
        auto& signal = add("server.signal", target);
        if (join_failed) {
            signal.message = "skipped: server.join failed";
            return;
        }
        timed(signal, [&](Probe& p) {
            SignalProbeInput in;
            in.endpoint = m_endpoint;
            in.room = m_options.room;
            in.timeout = m_options.timeout;
            in.ca_file = wiring::transport_options(m_settings, {}).ca_file;
            in.cancel = m_options.cancel;
            in.trace = m_options.trace;
            probe_signal(p, m_transport, in);
        });
    }

    void run_twilio() {
        const auto& tw = m_settings.twilio;
        try {
            config::require_media_server(m_settings);
        } catch (const Error& e) {
            auto& p = add("server.reach", tw.base_url);
            p.status = ProbeStatus::failed;
            p.message = e.what();
            skip_rest({"server.clock", "server.auth", "server.tokens"}, tw.base_url,
                      "skipped: the Twilio settings are incomplete");
            return;
        }
        auto endpoint = wiring::twilio_endpoint(m_settings);
        endpoint.timeout = m_options.timeout;
        std::string target = io::endpoint_of(endpoint.base_url);

        // One authenticated GET /v1/Rooms?PageSize=1 answers reach, clock and credentials;
        // Twilio has no unauthenticated health route.
        http::Request req;
        req.url = endpoint.base_url + "/v1/Rooms?PageSize=1";
        req.timeout = m_options.timeout;
        req.headers = {
            {"Authorization", http::basic_authorization(endpoint.username, endpoint.password)},
            {"Accept", "application/json"}};
        http::Response r;
        clock::time_point sent, received;
        auto& reach = add("server.reach", target);
        bool reached = false;
        timed(reach, [&](Probe& p) {
            sent = clock::now();
            r = m_transport.send(req);
            received = clock::now();
            reached = true;
            p.status = ProbeStatus::ok;
            p.message = fmt::format("connected to {}{}", target,
                                    endpoint.base_url.rfind("https", 0) == 0 ? " over TLS" : "");
        });
        if (!reached) {
            skip_rest({"server.clock", "server.auth", "server.tokens"}, target,
                      "skipped: server unreachable");
            return;
        }
        probe_clock(add("server.clock", target), r, sent, received);
        auto& auth = add("server.auth", target);
        timed(auth, [&](Probe& p) {
            twilio::interpret("ListRooms", r, endpoint);
            p.status = ProbeStatus::ok;
            p.message = endpoint.api_key
                            ? fmt::format("API key {} accepted for account {} (GET /v1/Rooms)",
                                          endpoint.username, endpoint.account_sid)
                            : fmt::format("Auth Token accepted for account {} (GET /v1/Rooms)",
                                          endpoint.account_sid);
        });
        auto& tokens = add("server.tokens", target);
        if (endpoint.api_key) {
            tokens.status = ProbeStatus::ok;
            tokens.message =
                fmt::format("access tokens are signed with API key {}", endpoint.username);
        } else {
            tokens.message =
                "skipped: with only the Auth Token roomctl cannot mint access tokens; "
                "Twilio needs a Standard API key (TWILIO_API_KEY/TWILIO_API_SECRET) to "
                "sign them";
        }
    }

    void probe_health(Probe& p, const http::Response& r) {
        std::string body = first_line(r.body);
        if (r.status == 200) {
            p.status = ProbeStatus::ok;
            p.message = "GET / answered 200 " + (body.empty() ? std::string{"(empty)"} : body);
        } else if (r.status == 406) {
            p.status = ProbeStatus::failed;
            p.message = "server is up but not ready (406): " + body;
        } else {
            p.status = ProbeStatus::failed;
            p.message = fmt::format(
                "GET / answered HTTP {} ({}): is this the LiveKit server's HTTP port (7880)?",
                r.status, body.empty() ? r.media_type() : body);
        }
    }

    // The skew as the Date header shows it. What it breaks depends on the provider: LiveKit
    // checks every API token roomctl signs (and every join token) against its clock with 60 s
    // of leeway, so beyond that every call fails. Twilio's REST API takes Basic auth, which no
    // clock affects, but it checks the access tokens `token create` signs (nbf, exp) against
    // its own clock with no documented leeway. On both, --min-age ages are measured on the
    // server's clock (MediaServer::clock_offset), so cleanup is safe either way.
    void probe_clock(Probe& p, const http::Response& r, clock::time_point sent,
                     clock::time_point received) {
        const auto offset = media::clock_offset_of(r, sent, received);
        if (!offset) {
            p.message = "skipped: the server sent no Date header";
            return;
        }
        const std::int64_t secs = *offset;
        const std::int64_t n = std::llabs(secs);
        const std::string skew = fmt::format("server clock is {} s {} this machine", n,
                                             secs >= 0 ? "ahead of" : "behind");
        const bool twilio = m_settings.provider == config::Provider::twilio;
        p.status = n >= k_leeway_seconds ? ProbeStatus::failed : ProbeStatus::ok;
        if (n < k_warn_skew_seconds) {
            p.message = fmt::format("clocks agree within {} s", k_warn_skew_seconds);
        } else if (!twilio) {
            p.message = n >= k_leeway_seconds
                            ? fmt::format(
                                  "{}; LiveKit allows {} s, so tokens will be rejected "
                                  "(sync clocks with NTP)",
                                  skew, k_leeway_seconds)
                            : fmt::format("{} (LiveKit allows {} s; sync clocks soon)", skew,
                                          k_leeway_seconds);
        } else {
            // Local ahead: a token's nbf lies in Twilio's future; local behind: it expires early.
            const std::string effect =
                secs < 0 ? fmt::format(
                               "access tokens signed here are not valid at Twilio for "
                               "their first {} s",
                               n)
                         : fmt::format("access tokens signed here expire {} s early at Twilio", n);
            p.message = fmt::format(
                "{}; Twilio checks access tokens (nbf, exp) against its own clock with no "
                "documented leeway, so {} (REST calls use Basic auth and are unaffected; "
                "--min-age ages use the server's clock); sync clocks with NTP{}",
                skew, effect, n >= k_leeway_seconds ? "" : " soon");
        }
    }

    void probe_auth(Probe& p) {
        livekit::VideoGrant grant;
        grant.room_list = true;
        // A name that cannot exist: the answer is {"rooms":[]} and reveals nothing.
        nlohmann::json request = {{"names", {"roomctl-check-" + random_suffix()}}};
        auto r = m_transport.send(livekit::twirp_request(m_endpoint, "ListRooms", request, grant));
        if (r.status == 401) {
            // The probe's answer is the cause itself, without the command-style prefix.
            p.status = ProbeStatus::failed;
            p.message = livekit::explain_auth_failure(r.body, m_endpoint.api_key);
            return;
        }
        livekit::interpret_twirp_response("ListRooms", r, m_endpoint);
        p.status = ProbeStatus::ok;
        p.message = fmt::format("API key {} accepted (ListRooms with a roomList-only token)",
                                m_endpoint.api_key);
    }

    void probe_join(Probe& p) {
        bool named = !m_options.room.empty();
        livekit::AccessTokenSpec spec;
        spec.api_key = m_endpoint.api_key;
        spec.identity = "roomctl-check";
        spec.ttl = std::chrono::minutes{1};
        spec.video.room_join = true;
        spec.video.room = named ? m_options.room : "roomctl-check-" + random_suffix();
        auto token = livekit::mint(spec, m_endpoint.api_secret, clock::now());
        auto r = livekit::rtc_validate(m_transport, m_endpoint.base_url, token, m_options.timeout);
        std::string body = first_line(r.body);
        if (r.status == 200) {
            p.status = ProbeStatus::ok;
            p.message =
                named ? fmt::format("a join token for room \"{}\" is accepted", m_options.room)
                      : "join tokens are accepted (/rtc/validate: success)";
        } else if (r.status == 404 &&
                   body.find("requested room does not exist") != std::string::npos) {
            if (named) {
                p.status = ProbeStatus::failed;
                p.message = fmt::format(
                    "room \"{}\" does not exist and the server does not auto-create rooms: "
                    "clients get \"requested room does not exist\" (run roomctl recreate {}: "
                    "it creates the room and records its SID in the row)",
                    m_options.room, m_options.room);
            } else {
                p.status = ProbeStatus::ok;
                p.message =
                    "join tokens are accepted; room.auto_create is off, so clients can "
                    "only join rooms that exist";
            }
        } else if (r.status == 401) {
            p.status = ProbeStatus::failed;
            p.message = livekit::explain_auth_failure(r.body, m_endpoint.api_key);
        } else if (r.status == 404) {
            p.status = ProbeStatus::failed;
            p.message = fmt::format("/rtc/validate answered 404 ({}): is this a LiveKit server?",
                                    body.empty() ? "empty body" : body);
        } else {
            p.status = ProbeStatus::failed;
            p.message = fmt::format("/rtc/validate answered HTTP {}: {}", r.status, body);
        }
    }

    void run_database() { run_database_probes(m_settings, m_report.probes); }

    const config::Settings& m_settings;
    http::Transport& m_transport;
    const CheckOptions& m_options;
    livekit::ApiEndpoint m_endpoint;
    CheckReport m_report;
};

}  // namespace

std::string to_string(ProbeStatus s) {
    switch (s) {
        case ProbeStatus::ok:
            return "ok";
        case ProbeStatus::failed:
            return "failed";
        case ProbeStatus::skipped:
            return "skipped";
    }
    return "unknown";
}

bool CheckReport::ok() const {
    for (const auto& p : probes) {
        if (p.status == ProbeStatus::failed) return false;
    }
    return true;
}

CheckReport run_checks(const config::Settings& settings, http::Transport& transport,
                       const CheckOptions& options) {
    return Runner(settings, transport, options).run();
}

std::string random_suffix() {
    static const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device rd;
    std::string s;
    for (int i = 0; i < 10; ++i) s += alphabet[rd() % 36];
    return s;
}

}  // namespace roomctl::check
