#include "roomctl/media/factory.hpp"

#include "roomctl/http/curl_transport.hpp"
#include "roomctl/livekit/room_service.hpp"

namespace roomctl::media {

namespace {

// Owns the transport the client talks through, so callers hold one object.
class LiveKitServer final : public MediaServer {
public:
    LiveKitServer(http::TransportOptions options, livekit::ApiEndpoint endpoint)
        : m_transport(std::move(options)), m_client(m_transport, std::move(endpoint)) {}
    std::string provider() const override { return m_client.provider(); }
    std::vector<ServerRoom> list_rooms(const std::vector<std::string>& names) override {
        return m_client.list_rooms(names);
    }
    ServerRoom create_room(const CreateRoomOptions& o) override { return m_client.create_room(o); }
    DeleteOutcome delete_room(const std::string& name) override {
        return m_client.delete_room(name);
    }
    std::vector<Participant> list_participants(const std::string& room) override {
        return m_client.list_participants(room);
    }

private:
    http::CurlTransport m_transport;
    livekit::RoomServiceClient m_client;
};

}  // namespace

http::TransportOptions transport_options(const config::Settings& s, http::TraceSink trace) {
    http::TransportOptions o;
    o.ca_file = s.ca_file;
    o.trace = std::move(trace);
    o.connect_timeout = std::min(o.connect_timeout, s.request_timeout);
    return o;
}

std::unique_ptr<MediaServer> connect_media_server(const config::Settings& s,
                                                  http::TraceSink trace) {
    config::require_media_server(s);
    livekit::ApiEndpoint endpoint{config::api_url(s.livekit), s.livekit.api_key,
                                  s.livekit.api_secret, s.request_timeout};
    return std::make_unique<LiveKitServer>(transport_options(s, std::move(trace)),
                                           std::move(endpoint));
}

}  // namespace roomctl::media
