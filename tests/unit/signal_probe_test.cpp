// The pure half of the /rtc probe: the protobuf wire reader, the leave request, the URL, and
// the sentence for each way the exchange can end.
#include "roomctl/livekit/signal_probe.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace roomctl;
using namespace roomctl::livekit;

namespace {

// Test-side protobuf encoding, written independently of the reader under test.
std::string varint(std::uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
    return out;
}
std::string field_bytes(std::uint32_t n, const std::string& payload) {
    return varint((n << 3) | 2) + varint(payload.size()) + payload;
}
std::string field_varint(std::uint32_t n, std::uint64_t v) { return varint(n << 3) + varint(v); }

std::string join_response(const std::string& room, const std::string& room_sid,
                          const std::string& identity, const std::string& version) {
    std::string room_msg = field_bytes(1, room_sid) + field_bytes(2, room) + field_varint(3, 300);
    std::string participant = field_bytes(1, "PA_x1") + field_bytes(2, identity);
    std::string info = field_varint(1, 0) + field_bytes(2, version) + field_varint(3, 16);
    std::string join = field_bytes(1, room_msg) + field_bytes(2, participant) +
                       field_bytes(4, "0.0.1-old") + field_varint(6, 1) + field_bytes(12, info);
    return field_bytes(1, join);
}

http::WsExchange joined_exchange(const std::string& message) {
    http::WsExchange x;
    x.endpoint = "127.0.0.1:7880";
    x.stopped_at = http::WsStep::done;
    x.http_status = 101;
    x.first_message = message;
    x.first_message_binary = true;
    x.reply_sent = true;
    x.durations = {{http::WsStep::connect, std::chrono::milliseconds{2}},
                   {http::WsStep::upgrade, std::chrono::milliseconds{3}},
                   {http::WsStep::first_message, std::chrono::milliseconds{7}}};
    return x;
}

SignalContext context() {
    SignalContext c;
    c.room = "standup";
    c.identity = "roomctl-probe-abc";
    c.host = "livekit.example.com";
    c.step_timeout = std::chrono::milliseconds{2000};
    return c;
}

}  // namespace

TEST(SignalWire, ReadsVarintsAndLengthDelimitedFields) {
    std::string data = field_varint(3, 300) + field_bytes(2, "hi") + field_varint(7, 1ull << 40);
    WireReader r(data);
    ProtoField f;
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.number, 3u);
    EXPECT_EQ(f.varint, 300u);
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.number, 2u);
    EXPECT_EQ(f.bytes, "hi");
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.varint, 1ull << 40);
    EXPECT_FALSE(r.next(f));
    EXPECT_FALSE(r.malformed());
}

TEST(SignalWire, SkipsFixedWidthFields) {
    std::string data = varint((5 << 3) | 1) + std::string(8, 'x') + varint((6 << 3) | 5) +
                       std::string(4, 'y') + field_bytes(2, "z");
    WireReader r(data);
    ProtoField f;
    ASSERT_TRUE(r.next(f));
    ASSERT_TRUE(r.next(f));
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.bytes, "z");
    EXPECT_FALSE(r.malformed());
}

TEST(SignalWire, TruncatedAndMalformedInputsStopWithoutOverreading) {
    const std::string cases[] = {
        std::string{"\x0a\x05hi", 4},                                         // length past the end
        std::string{"\x08", 1},                                               // varint missing
        std::string{"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12},  // >10 bytes
        std::string{"\x00\x01", 2},                                           // field number 0
        std::string{"\x0b", 1},                                               // group start
        std::string{"\x09\x01\x02", 3},                                       // fixed64 truncated
        std::string{"\x0e", 1},                                               // wire type 6
    };
    for (const auto& c : cases) {
        WireReader r(c);
        ProtoField f;
        while (r.next(f)) {
        }
        EXPECT_TRUE(r.malformed()) << testing::PrintToString(c);
        EXPECT_EQ(decode_first_signal(c).kind, SignalKind::undecodable);
    }
}

TEST(SignalWire, RandomBytesNeverCrash) {
    std::mt19937 rng(16);
    for (int i = 0; i < 20000; ++i) {
        std::string s(rng() % 64, '\0');
        for (auto& ch : s) ch = static_cast<char>(rng());
        (void)decode_first_signal(s);
    }
    // Every prefix of a valid join decodes or is undecodable, never anything else.
    std::string join = join_response("standup", "RM_1", "roomctl-probe-abc", "1.9.0");
    for (std::size_t n = 0; n < join.size(); ++n) {
        auto kind = decode_first_signal(join.substr(0, n)).kind;
        EXPECT_TRUE(kind == SignalKind::undecodable || kind == SignalKind::join);
    }
}

TEST(SignalDecode, JoinGivesRoomParticipantAndServerInfoVersion) {
    auto s = decode_first_signal(join_response("standup", "RM_1", "roomctl-probe-abc", "1.9.0"));
    ASSERT_EQ(s.kind, SignalKind::join);
    EXPECT_EQ(s.room_name, "standup");
    EXPECT_EQ(s.room_sid, "RM_1");
    EXPECT_EQ(s.participant_identity, "roomctl-probe-abc");
    EXPECT_EQ(s.participant_sid, "PA_x1");
    EXPECT_EQ(s.server_version, "1.9.0");  // server_info.version wins over server_version
}

TEST(SignalDecode, LeaveGivesReasonAndAction) {
    auto s = decode_first_signal(
        field_bytes(8, field_varint(1, 0) + field_varint(2, 7) + field_varint(3, 0)));
    ASSERT_EQ(s.kind, SignalKind::leave);
    EXPECT_EQ(s.leave_reason, 7);
    EXPECT_EQ(disconnect_reason_name(s.leave_reason), "JOIN_FAILURE");
    EXPECT_EQ(disconnect_reason_name(99), "reason 99");
}

TEST(SignalDecode, OtherMessagesAndEmptyInput) {
    auto s = decode_first_signal(field_bytes(5, ""));
    EXPECT_EQ(s.kind, SignalKind::other);
    EXPECT_EQ(signal_response_name(s.field), "update");
    EXPECT_EQ(decode_first_signal("").kind, SignalKind::undecodable);
    EXPECT_EQ(decode_first_signal(field_varint(1, 3)).kind, SignalKind::undecodable);
}

TEST(SignalEncode, LeaveRequestIsSignalRequestField8WithClientInitiated) {
    std::string leave = encode_leave_request();
    WireReader r(leave);
    ProtoField f;
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f.number, 8u);
    EXPECT_EQ(f.wire_type, 2);
    WireReader inner(f.bytes);
    ProtoField g;
    ASSERT_TRUE(inner.next(g));
    EXPECT_EQ(g.number, 2u);
    EXPECT_EQ(g.varint, 1u);  // CLIENT_INITIATED
    EXPECT_FALSE(inner.next(g));
    EXPECT_FALSE(r.next(f));
}

TEST(SignalUrl, MapsSchemeAndCarriesTokenAndProtocol) {
    EXPECT_EQ(
        signal_url("https://lk.example.com", "a.b.c"),
        "wss://lk.example.com/rtc?access_token=a.b.c&protocol=16&auto_subscribe=0&sdk=roomctl");
    EXPECT_EQ(signal_url("http://127.0.0.1:7880/", "t").rfind("ws://127.0.0.1:7880/rtc?", 0), 0u);
}

TEST(SignalVerdictTest, SuccessNamesRoomIdentityVersionAndSteps) {
    auto v = interpret_signal(
        joined_exchange(join_response("standup", "RM_1", "roomctl-probe-abc", "1.9.0")), context());
    EXPECT_TRUE(v.ok);
    EXPECT_EQ(v.message,
              "joined room \"standup\" (RM_1) as roomctl-probe-abc (server 1.9.0) over ws and "
              "left (connect 2 ms, 101 3 ms, join 7 ms)");
}

TEST(SignalVerdictTest, UpgradeAnsweredWith404EmptyBodyNamesTheProxyHeaders) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::upgrade;
    x.cause = http::FailureCause::other;
    x.http_status = 404;
    auto v = interpret_signal(x, context());
    EXPECT_FALSE(v.ok);
    EXPECT_NE(v.message.find("HTTP 404 with an empty body instead of 101 Switching Protocols"),
              std::string::npos);
    EXPECT_NE(v.message.find("proxy_set_header Upgrade $http_upgrade"), std::string::npos);
    EXPECT_FALSE(v.room_missing);
    EXPECT_TRUE(v.proxy_headers);
    x.http_status = 426;
    EXPECT_TRUE(interpret_signal(x, context()).proxy_headers);
    // A 404 with LiveKit's words is the room, not the proxy; a 502 is the proxy's upstream.
    x.http_status = 404;
    x.http_body = "requested room does not exist";
    EXPECT_FALSE(interpret_signal(x, context()).proxy_headers);
    x.http_status = 502;
    x.http_body.clear();
    EXPECT_FALSE(interpret_signal(x, context()).proxy_headers);
}

TEST(SignalVerdictTest, MissingRoomBeforeUpgrade) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::upgrade;
    x.http_status = 404;
    x.http_body = "requested room does not exist\n";
    auto v = interpret_signal(x, context());
    EXPECT_TRUE(v.room_missing);
    EXPECT_NE(v.message.find("room \"standup\" does not exist"), std::string::npos);
    EXPECT_NE(v.message.find("auto_create"), std::string::npos);
}

TEST(SignalVerdictTest, OtherUpgradeAnswers) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::upgrade;
    x.http_status = 502;
    EXPECT_NE(interpret_signal(x, context()).message.find("cannot reach it"), std::string::npos);
    x.http_status = 200;
    x.http_body = "<html>";
    EXPECT_NE(interpret_signal(x, context()).message.find("something other than LiveKit"),
              std::string::npos);
    x.http_status = 401;
    x.http_body = "no permissions to access the room";
    EXPECT_NE(interpret_signal(x, context()).message.find("refused the probe's join token"),
              std::string::npos);
}

// fuzz_signal_response's first finding (fuzz/corpus/.../upgrade_body_with_controls): server
// text quoted in the sentence must not carry control bytes into check's one-line output.
TEST(SignalVerdictTest, ServerTextCannotBreakTheLineOrReachTheTerminal) {
    const auto no_controls = [](const std::string& m) {
        for (unsigned char ch : m) {
            if (ch < 0x20 || ch == 0x7f) return false;
        }
        return true;
    };
    http::WsExchange x;
    x.stopped_at = http::WsStep::upgrade;
    x.http_status = 502;
    x.http_body = "bad gateway\r\x1b[31mred\x1a";
    auto v = interpret_signal(x, context());
    EXPECT_TRUE(no_controls(v.message)) << v.message;
    EXPECT_NE(v.message.find("\\x1b[31mred"), std::string::npos) << v.message;
    http::WsExchange closed;
    closed.stopped_at = http::WsStep::first_message;
    closed.close_code = 1008;
    closed.close_reason = "policy\r\x1b]0;title\x07";
    v = interpret_signal(closed, context());
    EXPECT_TRUE(no_controls(v.message)) << v.message;
}

TEST(SignalVerdictTest, CloseWithoutFrameAfterUpgradeIs1006IdleTimeout) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::first_message;
    x.closed_without_frame = true;
    x.after_upgrade = std::chrono::milliseconds{1200};
    auto v = interpret_signal(x, context());
    EXPECT_EQ(v.step, http::WsStep::first_message);
    EXPECT_NE(v.message.find("closed without a close frame (1006) 1.2 s after the upgrade"),
              std::string::npos);
    EXPECT_NE(v.message.find("idle timeout"), std::string::npos);
}

TEST(SignalVerdictTest, LeaveInsteadOfJoinNamesTheReason) {
    auto v = interpret_signal(joined_exchange(field_bytes(8, field_varint(2, 7))), context());
    EXPECT_FALSE(v.ok);
    EXPECT_NE(v.message.find("leave (reason JOIN_FAILURE)"), std::string::npos);
    EXPECT_NE(v.message.find("full room"), std::string::npos);
}

TEST(SignalVerdictTest, TlsNameMismatchNamesTheHost) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::tls;
    x.cause = http::FailureCause::tls;
    x.endpoint = "livekit.example.com:443";
    x.error = "certificate verify failed: hostname mismatch (the certificate is for other.example)";
    auto v = interpret_signal(x, context());
    EXPECT_NE(v.message.find("does not name \"livekit.example.com\""), std::string::npos);
    EXPECT_NE(v.message.find("other.example"), std::string::npos);
}

TEST(SignalVerdictTest, TimeoutsAreBoundedAndSaySo) {
    http::WsExchange x;
    x.stopped_at = http::WsStep::upgrade;
    x.cause = http::FailureCause::timeout;
    EXPECT_NE(interpret_signal(x, context())
                  .message.find("no HTTP answer to the WebSocket "
                                "upgrade within 2000 ms"),
              std::string::npos);
    x.stopped_at = http::WsStep::connect;
    x.endpoint = "10.0.0.1:7880";
    EXPECT_NE(interpret_signal(x, context()).message.find("no TCP connection to 10.0.0.1:7880"),
              std::string::npos);
    x.cause = http::FailureCause::refused;
    EXPECT_NE(interpret_signal(x, context()).message.find("connection refused"), std::string::npos);
}

TEST(SignalVerdictTest, NonSignalFirstMessages) {
    auto x = joined_exchange("not protobuf \xff");
    EXPECT_NE(interpret_signal(x, context()).message.find("not a LiveKit SignalResponse"),
              std::string::npos);
    x.first_message_binary = false;
    EXPECT_NE(interpret_signal(x, context()).message.find("is text"), std::string::npos);
}
