#include "roomctl/wiring/factory.hpp"

#include <fmt/format.h>

#include "roomctl/io/module.hpp"
#include "roomctl/livekit/room_service.hpp"
#include "roomctl/twilio/video_client.hpp"

namespace roomctl::wiring {

namespace {

using media::CreateRoomOptions;
using media::DeleteOutcome;
using media::MediaServer;
using media::Participant;
using media::ServerRoom;

// Retries are announced on the same -v trace as the requests they repeat, and their back-off
// ends when the transfers' cancel flag is set.
template <class Retry>
Retry with_trace(Retry retry, const http::TransportOptions& options) {
    retry.trace = options.trace;
    retry.cancel = options.cancel;
    return retry;
}

// A provider client together with the connection it talks through, so callers hold one
// object. Every call is forwarded unchanged.
template <class Client, class Endpoint, class Retry>
class OwningServer final : public MediaServer {
public:
    OwningServer(http::TransportOptions options, Endpoint endpoint, Retry retry)
        : m_transport(io::make_transport(options)),
          m_client(*m_transport, std::move(endpoint), with_trace(retry, options)) {}
    std::string provider() const override { return m_client.provider(); }
    std::vector<ServerRoom> list_rooms(const std::vector<std::string>& names) override {
        return m_client.list_rooms(names);
    }
    ServerRoom create_room(const CreateRoomOptions& o) override { return m_client.create_room(o); }
    DeleteOutcome delete_room(const std::string& name, const std::string& sid) override {
        return m_client.delete_room(name, sid);
    }
    std::vector<Participant> list_participants(const std::string& room) override {
        return m_client.list_participants(room);
    }
    std::size_t max_room_name_length() const override { return m_client.max_room_name_length(); }
    std::optional<ServerRoom> confirm_missing(const std::string& name,
                                              const std::string& sid) override {
        return m_client.confirm_missing(name, sid);
    }
    std::uint32_t max_empty_timeout() const override { return m_client.max_empty_timeout(); }
    std::uint32_t empty_timeout_step() const override { return m_client.empty_timeout_step(); }
    void validate(const CreateRoomOptions& o) const override { m_client.validate(o); }
    std::optional<ServerRoom> previous_room(const std::string& sid) override {
        return m_client.previous_room(sid);
    }
    std::optional<std::int64_t> clock_offset() const override { return m_client.clock_offset(); }
    std::optional<ServerRoom> get_room(const std::string& key) override {
        return m_client.get_room(key);
    }
    ServerRoom update_room_metadata(const std::string& room, const std::string& metadata) override {
        return m_client.update_room_metadata(room, metadata);
    }
    std::optional<Participant> get_participant(const std::string& room,
                                               const std::string& who) override {
        return m_client.get_participant(room, who);
    }
    void remove_participant(const std::string& room, const std::string& who) override {
        m_client.remove_participant(room, who);
    }
    Participant update_participant(const std::string& room, const std::string& identity,
                                   const media::ParticipantUpdate& update) override {
        return m_client.update_participant(room, identity, update);
    }
    media::Track mute_track(const std::string& room, const std::string& identity,
                            const std::string& track_sid, bool muted) override {
        return m_client.mute_track(room, identity, track_sid, muted);
    }

private:
    std::unique_ptr<http::Transport> m_transport;  // declared first: the client refers to it
    Client m_client;
};

}  // namespace

twilio::Endpoint twilio_endpoint(const config::Settings& s) {
    const auto& t = s.twilio;
    twilio::Endpoint e;
    e.base_url = t.base_url;
    while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
    e.account_sid = t.account_sid;
    e.api_key = t.uses_api_key();
    e.username = e.api_key ? t.api_key : t.account_sid;
    e.password = e.api_key ? t.api_secret : t.auth_token;
    e.timeout = s.request_timeout;
    return e;
}

http::TransportOptions transport_options(const config::Settings& s, http::TraceSink trace,
                                         bool trace_headers, const std::atomic<bool>* cancel) {
    http::TransportOptions o;
    o.cancel = cancel;
    o.ca_file = s.ca_file;
    o.trace = std::move(trace);
    o.trace_headers = trace_headers;
    o.connect_timeout = std::min(o.connect_timeout, s.request_timeout);
    return o;
}

http::RateLimits make_rate_limits(const config::Settings& s) {
    constexpr double twilio_writes = 20, twilio_reads = 80;  // per account (twilio-video.md)
    double rate = s.provider == config::Provider::twilio ? twilio_writes : 0;
    if (!s.rate.empty()) {
        auto parsed = http::parse_rate(s.rate);
        if (!parsed) {
            auto origin = s.origins.find("rate");
            constexpr const char* how = "write it as 20/s, 1200/m or 0 (unlimited)";
            if (origin != s.origins.end() && origin->second.source == config::Source::flag)
                throw usage_error(fmt::format("--rate \"{}\" is not a rate: {}", s.rate, how));
            throw config_error(fmt::format(
                "rate \"{}\" ({}) is not a rate: {}", s.rate,
                origin != s.origins.end() ? config::to_string(origin->second) : "settings", how));
        }
        rate = *parsed;
    }
    http::RateLimits limits;
    http::RateLimiterOptions writes;
    writes.rate = rate;
    limits.writes = std::make_shared<http::RateLimiter>(writes);
    if (s.provider == config::Provider::twilio) {
        http::RateLimiterOptions reads;
        reads.rate = twilio_reads;
        limits.reads = std::make_shared<http::RateLimiter>(reads);
    } else {
        limits.reads = limits.writes;
    }
    return limits;
}

std::unique_ptr<media::MediaServer> connect_media_server(const config::Settings& s,
                                                         http::TraceSink trace, bool trace_headers,
                                                         const std::atomic<bool>* cancel,
                                                         const http::RateLimits* limits) {
    config::require_media_server(s);
    auto options = transport_options(s, std::move(trace), trace_headers, cancel);
    if (s.provider == config::Provider::twilio) {
        twilio::RetryPolicy retry;
        if (limits) {
            retry.limiter = limits->writes;
            retry.read_limiter = limits->reads;
        }
        return std::make_unique<
            OwningServer<twilio::VideoClient, twilio::Endpoint, twilio::RetryPolicy>>(
            std::move(options), twilio_endpoint(s), std::move(retry));
    }
    livekit::ApiEndpoint endpoint{config::api_url(s.livekit), s.livekit.api_key,
                                  s.livekit.api_secret, s.request_timeout};
    http::RetryPolicy retry;
    if (limits) retry.limiter = limits->writes;  // one limit for every call
    return std::make_unique<
        OwningServer<livekit::RoomServiceClient, livekit::ApiEndpoint, http::RetryPolicy>>(
        std::move(options), std::move(endpoint), std::move(retry));
}

}  // namespace roomctl::wiring
