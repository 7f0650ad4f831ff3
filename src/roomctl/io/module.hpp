#pragma once
// Network and database access live in a module, libroomctl_io.so, loaded the first time a
// command needs either. libcurl and libpqxx (with libpq) bring ~35 shared libraries (GnuTLS,
// Kerberos, LDAP, ...) whose mapping and constructors cost ~7 ms of every start; commands that
// need neither (token create, token inspect, config show, completion, man) no longer pay it.
//
// The module is looked for next to the executable (the build tree), then in ../lib/roomctl/
// relative to it (the installed layout: /usr/bin/roomctl, /usr/lib/roomctl/). It must come
// from the same roomctl version. It stays loaded until the process exits.

#include <memory>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/http/transport.hpp"
#include "roomctl/http/websocket.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::io {

// Each throws Error(config) naming the path when the module cannot be loaded or is from
// another version ("reinstall roomctl"); otherwise it behaves as the function it stands for.

// http::CurlTransport (http/curl_transport.hpp): one connection, not thread-safe.
std::unique_ptr<http::Transport> make_transport(http::TransportOptions options);
// http::endpoint_of: "127.0.0.1:7880" for messages.
std::string endpoint_of(const std::string& url);
// store::connect_room_store (store/room_store.hpp).
std::unique_ptr<store::RoomStore> connect_room_store(const std::string& database_url,
                                                     const config::RoomMapping& mapping,
                                                     const store::StoreOptions& options);
// store::probe_database.
std::string probe_database(const std::string& database_url);
// http::websocket_exchange (http/websocket.hpp): Boost.Beast lives in the module, so a command
// that never opens a WebSocket never maps it (bench/README.md, "WebSocket library").
http::WsExchange websocket_exchange(const http::WsExchangeOptions& options);

// The entry points the module exports through roomctl_io_module(). Internal to roomctl.
struct Module {
    const char* version;  // ROOMCTL_VERSION of the module's build
    std::unique_ptr<http::Transport> (*make_transport)(http::TransportOptions);
    std::string (*endpoint_of)(const std::string&);
    std::unique_ptr<store::RoomStore> (*connect_room_store)(const std::string&,
                                                            const config::RoomMapping&,
                                                            const store::StoreOptions&);
    std::string (*probe_database)(const std::string&);
    http::WsExchange (*websocket_exchange)(const http::WsExchangeOptions&);
};

}  // namespace roomctl::io

extern "C" const roomctl::io::Module* roomctl_io_module();
