#pragma once
// Network and database access live in a module, libroomctl_io.so, loaded the first time a
// command needs either. libcurl and libpqxx (with libpq) bring ~35 shared libraries (GnuTLS,
// Kerberos, LDAP, ...) whose mapping and constructors cost ~7 ms of every start; commands that
// need neither (token create, token inspect, config show, completion, man) no longer pay it.
//
// WebSocket library (the /rtc signalling probe, http/websocket.hpp): Boost.Beast 1.74
// (libboost-dev, header-only, over Asio and the OpenSSL the module already loads for libcurl),
// not libwebsockets 4.1.6. Beast hands back a refused upgrade's status, headers and body (the
// 404-with-empty-body of a proxy that drops Upgrade is the diagnosis) and runs each step
// (resolve/connect, TLS with SNI and host name verification, upgrade, read, write, close) as
// its own operation under our deadline and SIGINT flag, in the module's one Asio context.
// libwebsockets is a C library with its own service loop and callback protocol that a bounded
// per-step probe would have to drive; it was not built here for comparison. Measured
// (2026-11-30, 2 cores shared with other builds, load ~4): websocket.cpp alone compiles in
// 70-92 s wall and 1.5 GB RSS (RelWithDebInfo; curl_transport.cpp: 3.9 s), ccache absorbs it
// after the first build; it adds 0.95 MB of text to this module (1.9 MB in all) and no shared
// library (libssl.so.3 was already a dependency through libcurl). The executable links none of
// it: roomctl's libraries are unchanged (libc, libstdc++, libm, libgcc_s, libcrypto, libfmt,
// libtomlplusplus, libyaml-cpp), `token create` never maps this module (LD_DEBUG=files), and
// the core gained ~76 KB of text (livekit/signal_probe, check/signal_layer). `token create`
// start-up as the bench's row 4 measures it, 41 runs interleaved on that loaded machine:
// median 24.4 ms (min 19.5) against 21.4 ms (min 17.8) for this morning's build-bench binary,
// whose text was 0.95 MB smaller from the day's other work (this probe's share: 76 KB); the
// dynamic loader's start-up was 5.7 M cycles against 6.8 M (LD_DEBUG=statistics). Repeat on a
// quiet machine with bench/run.sh startup before quoting a ratio.
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
// that never opens a WebSocket never maps it (see "WebSocket library" above).
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
