// -v / -vv request tracing never shows credentials: the pure helpers, and the real transport
// talking to a loopback HTTP server with the Twilio (Basic auth) and LiveKit (Bearer)
// clients. The server only answers on 127.0.0.1; nothing leaves the machine.

#include "roomctl/http/trace.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/wiring/factory.hpp"
#include "support/loopback_listener.hpp"

namespace roomctl::http {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

TEST(TraceHeader, SecretHeadersAreRedacted) {
    EXPECT_EQ(trace_header("Authorization", "Bearer eyJhbGciOi.x.y"),
              "Authorization: Bearer ********");
    EXPECT_EQ(trace_header("authorization", "Basic U0s6c2VjcmV0"), "authorization: Basic ********");
    EXPECT_EQ(trace_header("Proxy-Authorization", "opaque"), "Proxy-Authorization: ********");
    EXPECT_EQ(trace_header("Set-Cookie", "session=abc; Path=/"), "Set-Cookie: ********");
    EXPECT_EQ(trace_header("Cookie", "a b"), "Cookie: ********");
    EXPECT_EQ(trace_header("X-Session-Token", "tok"), "X-Session-Token: ********");
    EXPECT_EQ(trace_header("x-client-secret", "s"), "x-client-secret: ********");
    EXPECT_EQ(trace_header("X-Twilio-Signature", "sig"), "X-Twilio-Signature: ********");
    EXPECT_EQ(trace_header("Content-Type", "application/json"), "Content-Type: application/json");
    EXPECT_EQ(trace_header("twilio-request-id", "RQ123"), "twilio-request-id: RQ123");
}

TEST(TraceUrl, HidesUserinfoAndSecretQueryValues) {
    EXPECT_EQ(trace_url("http://127.0.0.1:7880/twirp/livekit.RoomService/ListRooms"),
              "http://127.0.0.1:7880/twirp/livekit.RoomService/ListRooms");
    EXPECT_EQ(trace_url("https://user:pw@host/x"), "https://********@host/x");
    EXPECT_EQ(trace_url("http://h/rtc/validate?access_token=eyJ.a.b&auto_subscribe=1"),
              "http://h/rtc/validate?access_token=********&auto_subscribe=1");
    EXPECT_EQ(trace_url("https://video.twilio.com/v1/Rooms?Status=in-progress&PageSize=1000"),
              "https://video.twilio.com/v1/Rooms?Status=in-progress&PageSize=1000");
    EXPECT_EQ(trace_url("http://h/p?Secret=x&password=y#frag"),
              "http://h/p?Secret=********&password=********#frag");
    EXPECT_EQ(trace_url("/v1/Rooms?a=1"), "/v1/Rooms?a=1");
}

// A loopback HTTP/1.1 server: answers every request with `body` and a few response headers
// (two of them secret-looking), closing each connection. Records the raw requests.
class LoopbackServer {
public:
    explicit LoopbackServer(std::string body) : m_body(std::move(body)) {
        const auto listener = roomctl::testing::listen_on_loopback();
        m_fd = listener.fd;
        m_port = listener.port;
        m_thread = std::thread([this] { serve(); });
    }
    ~LoopbackServer() {
        m_stop.store(true);
        m_thread.join();
        ::close(m_fd);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::string requests() {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    void serve() {
        while (!m_stop.load()) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) continue;
            std::string req;
            char buf[4096];
            std::size_t need = std::string::npos;
            while (need == std::string::npos || req.size() < need) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                req.append(buf, static_cast<std::size_t>(n));
                const auto end = req.find("\r\n\r\n");
                if (need == std::string::npos && end != std::string::npos) {
                    std::size_t length = 0;
                    const auto cl = req.find("Content-Length: ");
                    if (cl != std::string::npos && cl < end)
                        length = std::stoul(req.substr(cl + 16));
                    need = end + 4 + length;
                }
            }
            {
                std::lock_guard lock(m_mutex);
                m_requests += req + "\n";
            }
            const std::string resp =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                "Set-Cookie: session=cookie-secret-value; Path=/\r\n"
                "X-Session-Token: header-token-value\r\nX-Request-Id: req-42\r\n"
                "Content-Length: " +
                std::to_string(m_body.size()) + "\r\nConnection: close\r\n\r\n" + m_body;
            std::size_t sent = 0;
            while (sent < resp.size()) {
                const auto n = ::send(c, resp.data() + sent, resp.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) break;
                sent += static_cast<std::size_t>(n);
            }
            ::close(c);
        }
    }

    std::string m_body;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    std::mutex m_mutex;
    std::string m_requests;
};

const char* k_rooms_body = R"({"rooms":[],"meta":{"next_page_url":null}})";

// The value of the request's Authorization header as the server received it.
std::string sent_authorization(const std::string& requests) {
    const auto at = requests.find("Authorization: ");
    if (at == std::string::npos) return {};
    const auto end = requests.find("\r\n", at);
    return requests.substr(at + 15, end - at - 15);
}

struct Traced {
    std::vector<std::string> lines;
    std::string all() const {
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
    }
};

Traced list_rooms_traced(const config::Settings& s, bool headers) {
    Traced t;
    auto server = wiring::connect_media_server(
        s, [&t](const std::string& line) { t.lines.push_back(line); }, headers);
    EXPECT_NO_THROW(server->list_rooms({}));
    return t;
}

config::Settings twilio_settings(const std::string& url) {
    config::Settings s;
    s.provider = config::Provider::twilio;
    s.twilio.account_sid = "AC0123456789abcdef0123456789abcdef";
    s.twilio.api_key = "SKfedcba9876543210fedcba9876543210";
    s.twilio.api_secret = "twilio-api-secret-value";
    s.twilio.base_url = url;
    return s;
}

TEST(RequestTrace, TwilioBasicAuthNeverTraced) {
    LoopbackServer srv{k_rooms_body};
    for (bool headers : {false, true}) {
        const auto t = list_rooms_traced(twilio_settings(srv.url()), headers);
        const auto all = t.all();
        const auto auth = sent_authorization(srv.requests());
        ASSERT_EQ(auth.rfind("Basic ", 0), 0u) << srv.requests();  // credentials were sent...
        EXPECT_FALSE(contains(all, auth.substr(6))) << all;        // ...and never traced
        EXPECT_FALSE(contains(all, "twilio-api-secret-value")) << all;
        EXPECT_FALSE(contains(all, "cookie-secret-value")) << all;
        EXPECT_FALSE(contains(all, "header-token-value")) << all;
        EXPECT_TRUE(contains(all, "> GET " + srv.url() + "/v1/Rooms?Status=in-progress")) << all;
        EXPECT_TRUE(contains(all, "< 200 (")) << all;
        if (headers) {
            EXPECT_TRUE(contains(all, "> Authorization: Basic ********")) << all;
            EXPECT_TRUE(contains(all, "< set-cookie: ********")) << all;
            EXPECT_TRUE(contains(all, "< x-session-token: ********")) << all;
            EXPECT_TRUE(contains(all, "< x-request-id: req-42")) << all;
        } else {
            EXPECT_EQ(t.lines.size(), 2u) << all;  // -v: request and status lines only
        }
    }
}

TEST(RequestTrace, TwilioAuthTokenNeverTraced) {
    LoopbackServer srv{k_rooms_body};
    auto s = twilio_settings(srv.url());
    s.twilio.api_key.clear();
    s.twilio.api_secret.clear();
    s.twilio.auth_token = "twilio-auth-token-value";
    const auto all = list_rooms_traced(s, true).all();
    const auto auth = sent_authorization(srv.requests());
    ASSERT_EQ(auth.rfind("Basic ", 0), 0u);
    EXPECT_FALSE(contains(all, auth.substr(6))) << all;
    EXPECT_FALSE(contains(all, "twilio-auth-token-value")) << all;
}

TEST(RequestTrace, LiveKitBearerNeverTraced) {
    LoopbackServer srv{k_rooms_body};
    config::Settings s;
    s.livekit.url = srv.url();
    s.livekit.api_key = "APIkey123";
    s.livekit.api_secret = "livekit-api-secret-value";
    for (bool headers : {false, true}) {
        const auto all = list_rooms_traced(s, headers).all();
        const auto auth = sent_authorization(srv.requests());
        ASSERT_EQ(auth.rfind("Bearer ", 0), 0u) << srv.requests();
        const auto jwt = auth.substr(7);
        ASSERT_GT(jwt.size(), 20u);
        EXPECT_FALSE(contains(all, jwt)) << all;
        EXPECT_FALSE(contains(all, jwt.substr(0, jwt.find('.')))) << all;  // not even the header
        EXPECT_FALSE(contains(all, "livekit-api-secret-value")) << all;
        EXPECT_FALSE(contains(all, "cookie-secret-value")) << all;
        EXPECT_TRUE(contains(all, "> POST " + srv.url() + "/twirp/livekit.RoomService/ListRooms"))
            << all;
        if (headers) {
            EXPECT_TRUE(contains(all, "> Authorization: Bearer ********")) << all;
        }
    }
}

}  // namespace
}  // namespace roomctl::http
