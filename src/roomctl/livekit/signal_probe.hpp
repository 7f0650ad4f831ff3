#pragma once
// The pure half of the /rtc signalling probe (`check`'s server.signal, `explain`): the URL,
// the few protobuf bytes it sends and reads, and one sentence per outcome. The exchange itself
// is http::websocket_exchange (io/module.hpp); nothing here does I/O.
//
// Protocol (livekit/protocol protobufs/livekit_rtc.proto, livekit_models.proto;
// livekit/livekit pkg/service/rtcservice.go):
//   GET /rtc?access_token=JWT&protocol=N with Upgrade: websocket. The token is validated before
//   the upgrade (a refusal is an HTTP status: 401, 404 "requested room does not exist", ...);
//   without the Upgrade header the server answers 404 with an empty body.
//   After 101 each binary message is a SignalResponse; the first is `join` (field 1,
//   JoinResponse: room 1 {sid 1, name 2}, participant 2 {sid 1, identity 2}, server_version 4,
//   server_info 12 {version 2}) or `leave` (field 8, LeaveRequest: can_reconnect 1, reason 2
//   (DisconnectReason), action 3).
//   A client leaves with SignalRequest `leave` (field 8) {reason CLIENT_INITIATED, action
//   DISCONNECT}.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "roomctl/http/websocket.hpp"

namespace roomctl::livekit {

// The protocol version the probe announces (livekit-client sends 16; servers accept older and
// newer values).
constexpr int k_signal_protocol = 16;

// ---- protobuf wire format (only what the probe needs) ----

// One field of a message. `bytes` points into the reader's input (wire type 2 only).
struct ProtoField {
    std::uint32_t number = 0;
    int wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
    std::uint64_t varint = 0;
    std::string_view bytes;
};

// Reads fields in order. Bounds-checked: a truncated or malformed input (varint longer than
// 10 bytes, length past the end, field number 0, groups, unknown wire types) ends reading with
// malformed() true; it never reads outside `data`.
class WireReader {
public:
    explicit WireReader(std::string_view data) : m_data(data) {}
    bool next(ProtoField& field);  // false at the end or on malformed input
    bool malformed() const { return m_malformed; }

private:
    bool varint(std::uint64_t& out);
    std::string_view m_data;
    std::size_t m_pos = 0;
    bool m_malformed = false;
};

// ---- the first SignalResponse ----

enum class SignalKind { join, leave, other, undecodable };

struct FirstSignal {
    SignalKind kind = SignalKind::undecodable;
    std::uint32_t field = 0;  // the oneof field number that was set (other: which)
    // join
    std::string room_name, room_sid, participant_identity, participant_sid, server_version;
    // leave
    int leave_reason = 0;  // DisconnectReason
    int leave_action = 0;  // LeaveRequest.Action: 0 DISCONNECT, 1 RESUME, 2 RECONNECT
    bool can_reconnect = false;
};

// Decodes the first message; never throws. An empty message or one that is not a valid
// SignalResponse is `undecodable`.
FirstSignal decode_first_signal(std::string_view message);

// SignalRequest{leave: LeaveRequest{reason: CLIENT_INITIATED, action: DISCONNECT}}.
std::string encode_leave_request();

// "JOIN_FAILURE", "ROOM_DELETED", ...; "reason 42" for a value this build does not know.
std::string disconnect_reason_name(int reason);
// The SignalResponse field's name for messages ("join", "leave", "offer", "field 31").
std::string signal_response_name(std::uint32_t field);

// ws(s)://host[:port]/rtc?access_token=JWT&protocol=16&auto_subscribe=0&sdk=roomctl from the
// server's http(s) base URL (no trailing slash). The token is in the query as browsers send it,
// so the probe takes the same path through proxies as the app's clients.
std::string signal_url(const std::string& base_url, const std::string& token);

// ---- interpretation ----

struct SignalContext {
    std::string room;      // the room the token names
    std::string identity;  // the probe's identity
    std::string host;      // the URL's host, for the TLS sentence
    std::chrono::milliseconds step_timeout{5'000};
};

struct SignalVerdict {
    bool ok = false;
    http::WsStep step = http::WsStep::done;  // the step the sentence is about
    std::string message;  // one line: what happened and, on failure, its likely cause and fix
    std::optional<FirstSignal> first;  // when a first message was read
    bool room_missing = false;         // 404 "requested room does not exist" before the upgrade
    bool proxy_headers = false;        // upgrade_headers_dropped: the fix is the proxy's config
};

// True when the upgrade was answered as if it never asked for one: LiveKit's /rtc answers a
// GET without Upgrade with 404 and an empty body (rtcservice.go), and 426 means a proxy spoke
// HTTP/1.0 upstream. Either way a proxy in front dropped Upgrade/Connection.
bool upgrade_headers_dropped(const http::WsExchange& exchange);

// One sentence for the whole exchange: on success which room was joined, as whom, the server's
// version and the steps' times; otherwise the first step that failed and its cause in operator
// words (proxy headers, idle timeouts, certificate names, ...). What the server sent is quoted
// with its control bytes escaped (text::escape_controls), so the sentence stays one line. Pure.
SignalVerdict interpret_signal(const http::WsExchange& exchange, const SignalContext& context);

}  // namespace roomctl::livekit
