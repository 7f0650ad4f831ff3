// fuzz_signal_response: what a LiveKit server (or whatever answers /rtc in its place) sends
// the signalling probe (`check`'s server.signal, `explain`). Input: raw bytes, read as
//   - the first WebSocket message: livekit::decode_first_signal (the SignalResponse's join or
//     leave), and livekit::WireReader walked over it and over every length-delimited field
//     nested in it, three levels deep (as the decoder reads room and participant);
//   - the names it prints: disconnect_reason_name, signal_response_name;
//   - the whole verdict: livekit::interpret_signal on an exchange that upgraded and read this
//     message (ended cleanly, cut without a close frame, closed with a code), and on one whose
//     upgrade was answered with a status taken from the first two bytes and this body.
// Every verdict message must be one line: it is printed as the probe's (and explain's) cause.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "roomctl/http/websocket.hpp"
#include "roomctl/livekit/signal_probe.hpp"

namespace {

using namespace roomctl;

void walk(std::string_view data, int depth) {
    livekit::WireReader reader(data);
    livekit::ProtoField field;
    while (reader.next(field)) {
        if (field.wire_type == 2) {
            // The view must lie inside the input (ASan checks the reads).
            volatile char sink = 0;
            for (char c : field.bytes) sink = static_cast<char>(sink ^ c);
            if (depth < 3) walk(field.bytes, depth + 1);
        }
    }
}

void check_one_line(const livekit::SignalVerdict& v) {
    if (v.message.find('\n') != std::string::npos || v.message.find('\r') != std::string::npos) {
        __builtin_trap();
    }
}

livekit::SignalContext context() {
    livekit::SignalContext c;
    c.room = "fuzz-room";
    c.identity = "roomctl-probe-fuzz";
    c.host = "livekit.fuzz";
    c.step_timeout = std::chrono::milliseconds{5'000};
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    walk(input, 0);

    const auto first = livekit::decode_first_signal(input);
    (void)livekit::disconnect_reason_name(first.leave_reason);
    (void)livekit::signal_response_name(first.field);

    const auto c = context();
    http::WsExchange x;
    x.endpoint = "livekit.fuzz:7880";
    x.http_status = 101;
    x.first_message = input;
    x.first_message_binary = size % 2 == 0;
    x.durations = {{http::WsStep::connect, std::chrono::milliseconds{1}},
                   {http::WsStep::upgrade, std::chrono::milliseconds{2}},
                   {http::WsStep::first_message, std::chrono::milliseconds{3}}};
    check_one_line(livekit::interpret_signal(x, c));  // left cleanly

    x.stopped_at = http::WsStep::close;
    x.closed_without_frame = true;
    check_one_line(livekit::interpret_signal(x, c));  // cut after the first message (1006)

    x.closed_without_frame = false;
    x.close_code = size > 0 ? 1000 + data[0] : 1000;
    x.close_reason = input.substr(0, 123);
    check_one_line(livekit::interpret_signal(x, c));  // closed with a code and this reason

    http::WsExchange refused;
    refused.endpoint = x.endpoint;
    refused.stopped_at = http::WsStep::upgrade;
    refused.http_status = size >= 2 ? 100 + (data[0] << 8 | data[1]) % 500 : 404;
    refused.http_headers = {{"location", input.substr(0, 64)}, {"content-type", "text/plain"}};
    refused.http_body = input;
    check_one_line(livekit::interpret_signal(refused, c));
    return 0;
}
