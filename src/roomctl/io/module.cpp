// The module's side of io/module.hpp: built into libroomctl_io.so with libcurl and libpqxx.
#include "roomctl/io/module.hpp"

#include "roomctl/http/curl_transport.hpp"
#include "roomctl/http/websocket.hpp"

extern "C" __attribute__((visibility("default"))) const roomctl::io::Module* roomctl_io_module() {
    using namespace roomctl;
    static const io::Module module{
        ROOMCTL_VERSION,
        [](http::TransportOptions options) -> std::unique_ptr<http::Transport> {
            return std::make_unique<http::CurlTransport>(std::move(options));
        },
        [](const std::string& url) { return http::endpoint_of(url); },
        [](const std::string& url, const config::RoomMapping& mapping,
           const store::StoreOptions& options) {
            return store::connect_room_store(url, mapping, options);
        },
        [](const std::string& url) { return store::probe_database(url); },
        [](const http::WsExchangeOptions& options) { return http::websocket_exchange(options); },
    };
    return &module;
}
