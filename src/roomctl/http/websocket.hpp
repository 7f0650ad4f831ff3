#pragma once
// One bounded WebSocket exchange, step by step, for probes (LiveKit's /rtc signalling):
// resolve + TCP connect, TLS (wss://), the HTTP upgrade, the server's first message, one reply,
// and the close. It reports where it stopped and everything seen up to there (the refused
// upgrade's status, headers and body; the close frame or its absence) so that the caller can
// name the cause. It knows no protocol above WebSocket and never interprets what it saw.
//
// Built into libroomctl_io.so only (Boost.Beast over Boost.Asio and OpenSSL); the core reaches
// it through io::websocket_exchange. Why Beast and what it costs: io/module.hpp.

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "roomctl/http/transport.hpp"

namespace roomctl::http {

// The steps in order. WsExchange::stopped_at names the step that did not complete
// (`done` when all did).
enum class WsStep { connect, tls, upgrade, first_message, reply, close, done };
// "connect", "tls", "upgrade", ... Inline: the core uses it, the module defines the exchange.
inline std::string to_string(WsStep step) {
    static const char* const names[] = {"connect", "tls",   "upgrade", "first_message",
                                        "reply",   "close", "done"};
    return names[static_cast<int>(step)];
}

struct WsExchangeOptions {
    // ws://host[:port]/path?query or wss://... The query may carry a credential: it is never
    // traced or reported.
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;  // extra upgrade request headers
    // Bound of each step (connect, TLS, upgrade, first message, reply, close), not of the
    // whole exchange; DNS and TCP together count as the connect step. After a reply the close
    // step reads until the server closes (a server that ends the session itself, as LiveKit
    // does after leave); without one it sends the close frame itself.
    std::chrono::milliseconds step_timeout{5'000};
    std::string ca_file;  // as TransportOptions::ca_file: replaces the system CAs when set
    // Binary message sent after the first message was read (empty: send nothing, just close).
    std::string reply;
    std::size_t max_message_bytes = 1u << 20;  // a bigger first message fails first_message
    TraceSink trace;                           // one line per step at -v; may be empty
    // As TransportOptions::cancel: checked at least every 50 ms; a set flag ends the exchange
    // at the current step with cause cancelled. May be null; must outlive the call.
    const std::atomic<bool>* cancel = nullptr;
};

struct WsExchange {
    std::string endpoint;  // "host:port"
    bool tls = false;
    WsStep stopped_at = WsStep::done;
    // Set when stopped_at != done: the kind of failure and the library's words for it
    // ("certificate verify failed (hostname mismatch)", "Connection refused", ...).
    std::optional<FailureCause> cause;
    std::string error;
    std::string address;  // the IP address connected to, once connected

    // The upgrade's answer: 101 on success, else the server's status, headers (names
    // lower-cased) and the start of its body. 0 when no HTTP answer came.
    long http_status = 0;
    std::map<std::string, std::string> http_headers;
    std::string http_body;

    std::string first_message;  // the first data message, as received
    bool first_message_binary = false;
    bool reply_sent = false;

    // How the connection ended when the server ended it: its close frame's code and reason,
    // or none (closed_without_frame: TCP closed or reset with no close frame; browsers and
    // SDKs show that as 1006).
    std::optional<int> close_code;
    std::string close_reason;
    bool closed_without_frame = false;
    // From the 101 answer to the moment the server's close (or our timeout) was seen.
    std::chrono::milliseconds after_upgrade{0};
    // Time each completed step took, in order (connect, tls, upgrade, first_message, ...).
    std::vector<std::pair<WsStep, std::chrono::milliseconds>> durations;
};

// Runs the exchange. Never throws for network, TLS or protocol failures (they are the result);
// throws Error(usage) only for a URL that is not ws:// or wss://.
WsExchange websocket_exchange(const WsExchangeOptions& options);

}  // namespace roomctl::http
