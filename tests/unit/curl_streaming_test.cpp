// CurlTransport::send_streaming against a local HTTP server: the body reaches a BodyConsumer
// piece by piece from libcurl's write callback, with send()'s limits and errors; and
// RoomServiceClient::list_rooms parses a ListRooms answer as it arrives, starting afresh on a
// retry after an answer cut off mid-body.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "roomctl/http/curl_transport.hpp"
#include "roomctl/http/retry.hpp"
#include "roomctl/livekit/room_service.hpp"
#include "roomctl/livekit/rooms_sax.hpp"
#include "support/loopback_listener.hpp"

namespace roomctl::http {
namespace {

using std::chrono::milliseconds;

// One scripted answer per connection, in order: the raw bytes written after the request was
// read, then the connection is closed, or held open (`stall`) until the server is destroyed.
struct Scripted {
    std::string bytes;
    bool stall = false;
};

class ScriptServer {
public:
    explicit ScriptServer(std::vector<Scripted> script) : m_script(std::move(script)) {
        const auto listener = roomctl::testing::listen_on_loopback();
        m_fd = listener.fd;
        port = listener.port;
        m_thread = std::thread([this] { serve(); });
    }
    ~ScriptServer() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/twirp/x"; }
    int connections() const { return m_served; }
    int port = 0;

private:
    void serve() {
        for (const auto& answer : m_script) {
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) return;
            read_request(c);
            for (std::size_t at = 0; at < answer.bytes.size();) {
                auto n =
                    ::send(c, answer.bytes.data() + at, answer.bytes.size() - at, MSG_NOSIGNAL);
                if (n <= 0) break;
                at += static_cast<std::size_t>(n);
            }
            ++m_served;
            while (answer.stall && !m_stop) std::this_thread::sleep_for(milliseconds{10});
            ::close(c);
        }
    }
    static void read_request(int c) {
        std::string got;
        char buf[4096];
        std::size_t need = std::string::npos;
        while (need == std::string::npos || got.size() < need) {
            auto n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            got.append(buf, static_cast<std::size_t>(n));
            auto end = got.find("\r\n\r\n");
            if (need == std::string::npos && end != std::string::npos) {
                auto cl = got.find("Content-Length: ");
                std::size_t body = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
                need = end + 4 + body;
            }
        }
    }

    std::vector<Scripted> m_script;
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_served{0};
    std::thread m_thread;
};

std::string http_answer(int status, const std::string& body, const std::string& type,
                        std::size_t promised = 0) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(promised ? promised : body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// Records what the transport hands over.
class Recorder final : public BodyConsumer {
public:
    explicit Recorder(bool accept = true) : m_accept(accept) {}
    bool begin(const Response& head) override {
        ++begins;
        status = head.status;
        type = head.media_type();
        body.clear();
        return m_accept;
    }
    void write(std::string_view piece) override {
        EXPECT_FALSE(piece.empty());
        ++writes;
        body.append(piece);
        if (throw_after && body.size() >= throw_after) throw std::runtime_error("reader gave up");
    }
    void end(bool complete) noexcept override { ends.push_back(complete); }

    int begins = 0, writes = 0;
    long status = 0;
    std::string type, body;
    std::vector<bool> ends;
    std::size_t throw_after = 0;

private:
    bool m_accept;
};

Request post(const std::string& url) {
    Request r;
    r.method = "POST";
    r.url = url;
    r.body = "{}";
    r.timeout = milliseconds{10'000};
    return r;
}

const std::string k_big(300'000, 'x');  // several write callbacks' worth

TEST(CurlStreaming, TheBodyArrivesInPiecesAndIsNotKeptInTheResponse) {
    ScriptServer server({{http_answer(200, k_big, "application/json; charset=utf-8")}});
    CurlTransport transport;
    Recorder r;
    auto answer = transport.send_streaming(post(server.url()), r);
    EXPECT_EQ(answer.status, 200);
    EXPECT_TRUE(answer.body.empty());
    EXPECT_EQ(r.begins, 1);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.type, "application/json");
    EXPECT_EQ(r.body, k_big);
    EXPECT_GT(r.writes, 1);
    EXPECT_EQ(r.ends, std::vector<bool>{true});
}

TEST(CurlStreaming, ARefusedAnswerIsCollectedWholeAsSendDoes) {
    const std::string error = R"({"code":"unavailable","msg":"try later"})";
    ScriptServer server({{http_answer(503, error, "application/json")}});
    CurlTransport transport;
    Recorder r(false);
    auto answer = transport.send_streaming(post(server.url()), r);
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.body, error);
    EXPECT_EQ(r.begins, 1);
    EXPECT_EQ(r.writes, 0);
    EXPECT_TRUE(r.ends.empty());
}

TEST(CurlStreaming, AnEmptyBodyIsOfferedAndEnded) {
    ScriptServer server({{http_answer(200, "", "application/json")}});
    CurlTransport transport;
    Recorder r;
    EXPECT_EQ(transport.send_streaming(post(server.url()), r).status, 200);
    EXPECT_EQ(r.begins, 1);
    EXPECT_EQ(r.writes, 0);
    EXPECT_EQ(r.ends, std::vector<bool>{true});
}

TEST(CurlStreaming, ABodyCutOffMidwayEndsTheConsumerAndFailsAsSendDoes) {
    ScriptServer server(
        {{http_answer(200, k_big.substr(0, 100'000), "application/json", k_big.size())}});
    CurlTransport transport;
    Recorder r;
    try {
        transport.send_streaming(post(server.url()), r);
        ADD_FAILURE() << "a cut-off answer must fail";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::other) << e.what();
    }
    EXPECT_EQ(r.ends, std::vector<bool>{false});
}

// Streams `answer` through a transport whose limit is 100,000 bytes into `r`; expects the
// refusal (too_large, with the limit named).
void expect_refused_as_too_large(const std::string& answer, Recorder& r) {
    ScriptServer server({{answer}});
    TransportOptions options;
    options.max_response_bytes = 100'000;
    CurlTransport transport(options);
    try {
        transport.send_streaming(post(server.url()), r);
        ADD_FAILURE() << "an oversized answer must fail";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::too_large) << e.what();
        EXPECT_NE(std::string{e.what()}.find("exceeds 100000 bytes; refusing to read it"),
                  std::string::npos)
            << e.what();
    }
}

TEST(CurlStreaming, TheSizeLimitCountsStreamedBytes) {
    // No Content-Length: the body ends when the connection closes, so only counting the
    // streamed bytes can stop it.
    Recorder r;
    expect_refused_as_too_large(
        "HTTP/1.1 200 X\r\nContent-Type: application/json\r\n"
        "Connection: close\r\n\r\n" +
            k_big,
        r);
    EXPECT_GT(r.body.size(), 0u);
    EXPECT_LE(r.body.size(), 100'000u);
    EXPECT_EQ(r.ends, std::vector<bool>{false});
}

TEST(CurlStreaming, AnAnswerAnnouncedOverTheLimitIsRefusedBeforeItsFirstByte) {
    // A streamed parse would build rooms from every byte it is given: an announced size over
    // the limit must not reach the consumer at all.
    Recorder r;
    expect_refused_as_too_large(http_answer(200, k_big, "application/json"), r);
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.ends.empty());  // end() only follows a begin() that accepted the answer
}

TEST(CurlStreaming, AConsumerThatThrowsAbortsTheTransferWithItsException) {
    ScriptServer server({{http_answer(200, k_big, "application/json")}});
    CurlTransport transport;
    Recorder r;
    r.throw_after = 1;
    EXPECT_THROW(transport.send_streaming(post(server.url()), r), std::runtime_error);
    EXPECT_EQ(r.ends, std::vector<bool>{false});
}

TEST(CurlStreaming, ACancelDuringAStreamedBodyEndsItWithinMilliseconds) {
    // Half the body, then the server goes quiet with the connection open.
    ScriptServer server(
        {{http_answer(200, k_big.substr(0, 50'000), "application/json", k_big.size()), true}});
    std::atomic<bool> cancel{false};
    TransportOptions options;
    options.cancel = &cancel;
    CurlTransport transport(options);
    Recorder r;
    std::chrono::steady_clock::time_point set_at;
    std::thread interrupter([&] {
        std::this_thread::sleep_for(milliseconds{300});
        set_at = std::chrono::steady_clock::now();
        cancel.store(true);
    });
    try {
        transport.send_streaming(post(server.url()), r);
        ADD_FAILURE() << "a stalled answer must not complete";
    } catch (const TransportError& e) {
        EXPECT_EQ(e.cause(), FailureCause::cancelled) << e.what();
    }
    const auto ended = std::chrono::steady_clock::now();
    interrupter.join();
    EXPECT_LT(ended - set_at, milliseconds{200});  // polled every 50 ms
    EXPECT_EQ(r.body.size(), 50'000u);
    EXPECT_EQ(r.ends, std::vector<bool>{false});
}

std::string list_rooms_body(int n, const std::string& prefix) {
    std::string body = R"({"rooms":[)";
    for (int i = 0; i < n; ++i) {
        if (i) body += ',';
        body += R"({"sid":"RM_)" + prefix + std::to_string(i) + R"(","name":")" + prefix +
                std::to_string(i) + R"(","metadata":")" + std::string(100, 'm') + R"("})";
    }
    return body + "]}";
}

TEST(CurlStreaming, ListRoomsRetriedAfterACutOffBodyParsesOnlyTheNewAnswer) {
    // Attempt 1: a different room set, cut off after most of it; attempt 2: the whole answer.
    const std::string first = list_rooms_body(2'000, "old-");
    const std::string second = list_rooms_body(1'500, "new-");
    ScriptServer server({{http_answer(200, first.substr(0, first.size() - 1'000),
                                      "application/json", first.size())},
                         {http_answer(200, second, "application/json")}});
    CurlTransport transport;
    livekit::ApiEndpoint endpoint;
    endpoint.base_url = "http://127.0.0.1:" + std::to_string(server.port);
    endpoint.api_key = "devkey";
    endpoint.api_secret = "secret-0123456789abcdef0123456789abcdef";
    RetryPolicy policy;
    policy.base_delay = milliseconds{1};
    policy.max_delay = milliseconds{2};
    livekit::RoomServiceClient client(transport, endpoint, policy);
    auto rooms = client.list_rooms({});
    EXPECT_EQ(server.connections(), 2);
    ASSERT_EQ(rooms.size(), 1'500u);
    for (std::size_t i = 0; i < rooms.size(); ++i)
        ASSERT_EQ(rooms[i].name, "new-" + std::to_string(i));
}

TEST(CurlStreaming, ListRoomsReportsABadStreamedBodyAsTheWholeBodyParserDoes) {
    const std::string bad = R"({"rooms":[{"name":"a","num_participants":-1}]})";
    ScriptServer server({{http_answer(200, bad, "application/json")}});
    CurlTransport transport;
    livekit::ApiEndpoint endpoint;
    endpoint.base_url = "http://127.0.0.1:" + std::to_string(server.port);
    endpoint.api_key = "devkey";
    endpoint.api_secret = "secret-0123456789abcdef0123456789abcdef";
    livekit::RoomServiceClient client(transport, endpoint);
    std::string streamed, whole;
    try {
        client.list_rooms({});
    } catch (const Error& e) {
        streamed = e.what();
    }
    try {
        livekit::parse_list_rooms(bad);
    } catch (const Error& e) {
        whole = e.what();
    }
    EXPECT_FALSE(whole.empty());
    EXPECT_EQ(streamed, whole);
}

}  // namespace
}  // namespace roomctl::http
