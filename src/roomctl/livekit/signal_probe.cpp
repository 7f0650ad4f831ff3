#include "roomctl/livekit/signal_probe.hpp"

#include <fmt/format.h>

#include "roomctl/http/form.hpp"
#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::livekit {

// ---- wire format ----

bool WireReader::varint(std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (m_pos >= m_data.size()) return false;
        auto byte = static_cast<unsigned char>(m_data[m_pos++]);
        if (shift == 63 && byte > 1) return false;  // more than 64 bits
        out |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

bool WireReader::next(ProtoField& field) {
    if (m_malformed || m_pos >= m_data.size()) return false;
    std::uint64_t key = 0;
    if (!varint(key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
        m_malformed = true;
        return false;
    }
    field = {};
    field.number = static_cast<std::uint32_t>(key >> 3);
    field.wire_type = static_cast<int>(key & 7);
    switch (field.wire_type) {
        case 0:
            if (varint(field.varint)) return true;
            break;
        case 1:
        case 5: {
            std::size_t n = field.wire_type == 1 ? 8 : 4;
            if (m_data.size() - m_pos >= n) {
                m_pos += n;
                return true;
            }
            break;
        }
        case 2: {
            std::uint64_t len = 0;
            if (varint(len) && len <= m_data.size() - m_pos) {
                field.bytes = m_data.substr(m_pos, static_cast<std::size_t>(len));
                m_pos += static_cast<std::size_t>(len);
                return true;
            }
            break;
        }
        default:  // groups (3, 4) are not used by LiveKit; 6 and 7 do not exist
            break;
    }
    m_malformed = true;
    return false;
}

namespace {

// Reads string fields `wanted` (field number -> destination) of a nested message; false when
// it is malformed.
template <std::size_t N>
bool read_strings(std::string_view message,
                  const std::pair<std::uint32_t, std::string*> (&wanted)[N]) {
    WireReader r(message);
    ProtoField f;
    while (r.next(f)) {
        for (const auto& [number, out] : wanted) {
            if (f.number == number && f.wire_type == 2) out->assign(f.bytes);
        }
    }
    return !r.malformed();
}

bool decode_join(std::string_view join, FirstSignal& s) {
    WireReader r(join);
    ProtoField f;
    std::string info_version;
    bool ok = true;
    while (r.next(f)) {
        if (f.wire_type != 2) continue;
        if (f.number == 1) {
            ok &= read_strings(f.bytes, {{1u, &s.room_sid}, {2u, &s.room_name}});
        } else if (f.number == 2) {
            ok &= read_strings(f.bytes, {{1u, &s.participant_sid}, {2u, &s.participant_identity}});
        } else if (f.number == 4) {
            s.server_version.assign(f.bytes);
        } else if (f.number == 12) {
            ok &= read_strings(f.bytes, {{2u, &info_version}});
        }
    }
    if (!info_version.empty()) s.server_version = info_version;
    return ok && !r.malformed();
}

bool decode_leave(std::string_view leave, FirstSignal& s) {
    WireReader r(leave);
    ProtoField f;
    while (r.next(f)) {
        if (f.wire_type != 0) continue;
        if (f.number == 1) s.can_reconnect = f.varint != 0;
        if (f.number == 2) s.leave_reason = static_cast<int>(f.varint & 0x7fffffff);
        if (f.number == 3) s.leave_action = static_cast<int>(f.varint & 0x7fffffff);
    }
    return !r.malformed();
}

std::string seconds(std::chrono::milliseconds d) {
    return d.count() < 10'000 ? fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0)
                              : fmt::format("{} s", d.count() / 1000);
}

std::string body_words(const http::WsExchange& x) {
    std::string body = text::first_line(scrub_tokens(x.http_body), 200);
    return body.empty() ? std::string{"an empty body"} : "\"" + body + "\"";
}

const char* leave_hint(int reason) {
    switch (reason) {
        case 7:
            return "the server could not admit the participant: a full room (max_participants) "
                   "or a room that is closing?";
        case 2:
            return "another participant joined with the same identity";
        case 3:
            return "the server is shutting down";
        case 4:
            return "the participant was removed (RemoveParticipant)";
        case 5:
            return "the room was deleted while joining";
        case 10:
            return "the room was closed";
        case 6:
            return "the server does not know this session";
        default:
            return "see the server's log for this participant";
    }
}

std::string step_times(const http::WsExchange& x) {
    std::string out;
    for (const auto& [step, took] : x.durations) {
        if (step == http::WsStep::reply || step == http::WsStep::close) continue;
        const char* name = step == http::WsStep::connect   ? "connect"
                           : step == http::WsStep::tls     ? "TLS"
                           : step == http::WsStep::upgrade ? "101"
                                                           : "join";
        out += fmt::format("{}{} {} ms", out.empty() ? "" : ", ", name, took.count());
    }
    return out;
}

std::string upgrade_failure(const http::WsExchange& x, const SignalContext& c, bool& room_missing) {
    const long s = x.http_status;
    const std::string instead = fmt::format(
        "the server answered HTTP {} with {} instead of 101 Switching Protocols", s, body_words(x));
    std::string body = text::first_line(x.http_body, 400);
    if (s == 404 && body.find("requested room does not exist") != std::string::npos) {
        room_missing = true;
        return fmt::format(
            "room \"{}\" does not exist and the server does not auto-create rooms "
            "(room.auto_create: false): the join was refused with HTTP 404 before the upgrade",
            c.room);
    }
    if (s == 404 && upgrade_headers_dropped(x)) {
        return instead +
               ": a proxy in front of LiveKit is not passing the Upgrade and Connection headers "
               "(nginx: proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
               "\"upgrade\"; proxy_http_version 1.1)";
    }
    if (s == 404)
        return instead +
               ": /rtc is not routed to LiveKit (is the URL's path right? "
               "does the proxy forward /rtc?)";
    if (s == 401 || s == 403)
        return fmt::format("the server refused the probe's join token with HTTP {} ({})", s,
                           body_words(x));
    if (s == 400 || s == 503 || s == 500)
        return fmt::format("the server refused the join with HTTP {}: {}", s, body_words(x));
    if (s == 502 || s == 504)
        return instead +
               ": the proxy in front of LiveKit cannot reach it, or does not "
               "forward WebSocket requests";
    if (s == 426 && upgrade_headers_dropped(x))
        return instead +
               ": a proxy downgraded the request to HTTP/1.0 or dropped its "
               "Upgrade header (nginx: proxy_http_version 1.1)";
    if (s >= 200 && s < 300)
        return instead +
               ": something other than LiveKit answers /rtc (a web server or a "
               "proxy's default route)";
    if (s >= 300 && s < 400) {
        auto loc = x.http_headers.find("location");
        return instead + (loc != x.http_headers.end()
                              ? fmt::format(": it redirects to {} (use that URL)",
                                            text::first_line(loc->second, 200))
                              : std::string{": a redirect, which WebSocket clients do not follow"});
    }
    return instead;
}

}  // namespace

FirstSignal decode_first_signal(std::string_view message) {
    FirstSignal s;
    WireReader r(message);
    ProtoField f;
    std::uint32_t last = 0;
    std::string_view payload;
    bool any = false;
    while (r.next(f)) {
        any = true;
        last = f.number;  // a oneof: the last one set wins
        payload = f.bytes;
        s.field = f.number;
        if (f.number == 1 || f.number == 8) {
            if (f.wire_type != 2) return FirstSignal{};
        }
    }
    if (r.malformed() || !any) return FirstSignal{};
    if (last == 1) {
        if (!decode_join(payload, s)) return FirstSignal{};
        s.kind = SignalKind::join;
    } else if (last == 8) {
        if (!decode_leave(payload, s)) return FirstSignal{};
        s.kind = SignalKind::leave;
    } else {
        s.kind = SignalKind::other;
    }
    return s;
}

std::string encode_leave_request() {
    // SignalRequest.leave (8, length-delimited) = LeaveRequest{reason (2) = CLIENT_INITIATED (1),
    // action (3) = DISCONNECT (0): the default, so not written}.
    return std::string{"\x42\x02\x10\x01", 4};
}

std::string disconnect_reason_name(int reason) {
    static const char* const names[] = {
        "UNKNOWN_REASON",      "CLIENT_INITIATED",  "DUPLICATE_IDENTITY", "SERVER_SHUTDOWN",
        "PARTICIPANT_REMOVED", "ROOM_DELETED",      "STATE_MISMATCH",     "JOIN_FAILURE",
        "MIGRATION",           "SIGNAL_CLOSE",      "ROOM_CLOSED",        "USER_UNAVAILABLE",
        "USER_REJECTED",       "SIP_TRUNK_FAILURE", "CONNECTION_TIMEOUT", "MEDIA_FAILURE",
        "AGENT_ERROR"};
    if (reason >= 0 && reason < static_cast<int>(std::size(names))) return names[reason];
    return fmt::format("reason {}", reason);
}

std::string signal_response_name(std::uint32_t field) {
    switch (field) {
        case 1:
            return "join";
        case 2:
            return "answer";
        case 3:
            return "offer";
        case 4:
            return "trickle";
        case 5:
            return "update";
        case 8:
            return "leave";
        case 16:
            return "refresh_token";
        case 18:
            return "pong";
        case 19:
            return "reconnect";
        case 20:
            return "pong_resp";
        default:
            return fmt::format("field {}", field);
    }
}

std::string signal_url(const std::string& base_url, const std::string& token) {
    std::string url = base_url;
    if (url.rfind("https://", 0) == 0)
        url = "wss://" + url.substr(8);
    else if (url.rfind("http://", 0) == 0)
        url = "ws://" + url.substr(7);
    while (!url.empty() && url.back() == '/') url.pop_back();
    return fmt::format("{}/rtc?access_token={}&protocol={}&auto_subscribe=0&sdk=roomctl", url,
                       http::url_encode(token), k_signal_protocol);
}

namespace {

SignalVerdict interpret(const http::WsExchange& x, const SignalContext& c) {
    SignalVerdict v;
    v.step = x.stopped_at;
    const std::string timeout = fmt::format("{} ms", c.step_timeout.count());
    const bool cancelled = x.cause == http::FailureCause::cancelled;
    if (cancelled) {
        v.message = fmt::format("interrupted during the {} step", http::to_string(x.stopped_at));
        return v;
    }
    const bool timed_out = x.cause == http::FailureCause::timeout;
    switch (x.stopped_at) {
        case http::WsStep::connect:
            if (x.cause == http::FailureCause::dns)
                v.message = text::first_line(x.error, 300) + " (DNS: is the URL's host right?)";
            else if (x.cause == http::FailureCause::refused)
                v.message = fmt::format(
                    "connection refused at {}: nothing listens there (is the port right? is "
                    "LiveKit or its proxy running?)",
                    x.endpoint);
            else if (timed_out)
                v.message = fmt::format(
                    "no TCP connection to {} within {}: a firewall dropping packets, or a "
                    "wrong address?",
                    x.endpoint, timeout);
            else
                v.message = fmt::format("cannot connect to {}: {}", x.endpoint,
                                        text::first_line(x.error, 300));
            return v;
        case http::WsStep::tls:
            if (timed_out)
                v.message = fmt::format(
                    "no TLS handshake from {} within {}: is this port serving TLS? (a wss:// "
                    "URL pointed at a plain HTTP port)",
                    x.endpoint, timeout);
            else if (x.error.find("mismatch") != std::string::npos)
                v.message = fmt::format(
                    "TLS to {} failed: {}: the certificate does not name \"{}\"; clients "
                    "see this as close code 1006 (serve a certificate for this host name, or "
                    "use the URL the certificate names)",
                    x.endpoint, text::first_line(x.error, 300), c.host);
            else
                v.message = fmt::format(
                    "TLS to {} failed: {} (is the certificate's CA trusted here? --cacert "
                    "names a CA bundle)",
                    x.endpoint, text::first_line(x.error, 300));
            return v;
        case http::WsStep::upgrade:
            if (x.http_status != 0)
                v.message = upgrade_failure(x, c, v.room_missing);
            else if (timed_out)
                v.message = fmt::format(
                    "no HTTP answer to the WebSocket upgrade within {}: a proxy or load "
                    "balancer holds the request (does it support WebSockets?), or the port "
                    "is not LiveKit's",
                    timeout);
            else
                v.message = fmt::format(
                    "{} during the WebSocket upgrade: a proxy or load balancer dropped the "
                    "request",
                    text::first_line(x.error, 300));
            return v;
        case http::WsStep::first_message:
            if (x.closed_without_frame)
                v.message = fmt::format(
                    "the connection closed without a close frame (1006) {} after the upgrade, "
                    "before the server's first message: a load balancer or proxy idle timeout? "
                    "(raise it above LiveKit's ping interval; nginx: proxy_read_timeout)",
                    seconds(x.after_upgrade));
            else if (x.close_code)
                v.message = fmt::format(
                    "the server closed the WebSocket with code {}{} {} after the upgrade, "
                    "before the join response",
                    *x.close_code,
                    x.close_reason.empty() ? std::string{}
                                           : " (\"" + text::first_line(x.close_reason, 120) + "\")",
                    seconds(x.after_upgrade));
            else if (timed_out)
                v.message = fmt::format(
                    "the upgrade succeeded but no message came within {}: the server (or a "
                    "proxy buffering the connection) sent nothing",
                    timeout);
            else
                v.message = "reading the first message failed: " + text::first_line(x.error, 300);
            return v;
        default:
            break;
    }
    // A first message was read.
    if (!x.first_message_binary) {
        v.step = http::WsStep::first_message;
        v.message = fmt::format(
            "the first message is text ({} bytes), not a LiveKit SignalResponse: is this a "
            "LiveKit server?",
            x.first_message.size());
        return v;
    }
    FirstSignal first = decode_first_signal(x.first_message);
    v.first = first;
    if (first.kind == SignalKind::undecodable) {
        v.step = http::WsStep::first_message;
        v.message = fmt::format(
            "the first message ({} bytes) is not a LiveKit SignalResponse: is this a LiveKit "
            "server?",
            x.first_message.size());
        return v;
    }
    if (first.kind == SignalKind::leave) {
        v.step = http::WsStep::first_message;
        v.message =
            fmt::format("the server answered the join with leave (reason {}): {}",
                        disconnect_reason_name(first.leave_reason), leave_hint(first.leave_reason));
        return v;
    }
    if (first.kind == SignalKind::other) {
        v.step = http::WsStep::first_message;
        v.message = fmt::format("the server's first message was {}, not join",
                                signal_response_name(first.field));
        return v;
    }
    const std::string joined = fmt::format(
        "joined room \"{}\"{} as {}{}", first.room_name.empty() ? c.room : first.room_name,
        first.room_sid.empty() ? "" : " (" + first.room_sid + ")",
        first.participant_identity.empty() ? c.identity : first.participant_identity,
        first.server_version.empty() ? "" : " (server " + first.server_version + ")");
    if (x.stopped_at == http::WsStep::close && x.closed_without_frame) {
        v.step = http::WsStep::close;
        v.message = fmt::format(
            "{} but the connection closed without a close frame (1006) {} after the upgrade, "
            "before the server confirmed the leave: a load balancer or proxy idle timeout, or "
            "a proxy that does not forward the client's messages? (nginx: proxy_read_timeout)",
            joined, seconds(x.after_upgrade));
        return v;
    }
    if (x.stopped_at == http::WsStep::reply) {
        v.step = http::WsStep::reply;
        v.message = fmt::format(
            "{} but could not send leave: {} (the probe participant stays until the server "
            "notices)",
            joined, text::first_line(x.error, 200));
        return v;
    }
    v.ok = true;
    v.step = http::WsStep::done;
    if (x.stopped_at == http::WsStep::close) {
        v.message = fmt::format(
            "{} over {} and sent leave; the server did not close the "
            "connection within {} ({})",
            joined, x.tls ? "wss" : "ws", timeout, step_times(x));
        return v;
    }
    v.message =
        fmt::format("{} over {} and left ({})", joined, x.tls ? "wss" : "ws", step_times(x));
    return v;
}

}  // namespace

bool upgrade_headers_dropped(const http::WsExchange& x) {
    if (x.stopped_at != http::WsStep::upgrade) return false;
    return (x.http_status == 404 && text::first_line(x.http_body).empty()) || x.http_status == 426;
}

SignalVerdict interpret_signal(const http::WsExchange& x, const SignalContext& c) {
    auto v = interpret(x, c);
    v.proxy_headers = !v.ok && upgrade_headers_dropped(x);
    // The sentence quotes what the server sent (the refused upgrade's body, a close reason, a
    // redirect, the joined room's name): none of it may break the line or reach the terminal
    // as a control sequence (found by fuzz_signal_response).
    v.message = text::escape_controls(v.message);
    return v;
}

}  // namespace roomctl::livekit
