// The WebSocket exchange of http/websocket.hpp with Boost.Beast. Every asynchronous step runs
// on a private io_context in slices of at most 50 ms, so the step deadline and the cancel flag
// (SIGINT) are looked at between slices; a step that runs out of time closes the socket, which
// completes its operation with operation_aborted.
#include "roomctl/http/websocket.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>

#include "roomctl/util/error.hpp"

namespace roomctl::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wsk = boost::beast::websocket;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

struct Target {
    bool tls = false;
    std::string host;  // without brackets
    std::string port;
    std::string host_header;
    std::string path;  // path and query
};

Target parse_target(const std::string& url) {
    Target t;
    std::string rest;
    auto lower = url.substr(0, 6);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("wss://", 0) == 0) {
        t.tls = true;
        rest = url.substr(6);
    } else if (lower.rfind("ws://", 0) == 0) {
        rest = url.substr(5);
    } else {
        throw usage_error("a WebSocket URL starts with ws:// or wss://");
    }
    auto slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (t.path[0] == '?') t.path = "/" + t.path;
    t.host_header = authority;
    std::string port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) throw usage_error("a WebSocket URL has an unclosed [");
        t.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        t.host = authority.substr(0, colon);
        if (colon != std::string::npos) port = authority.substr(colon + 1);
    }
    if (t.host.empty()) throw usage_error("a WebSocket URL needs a host");
    t.port = port.empty() ? (t.tls ? "443" : "80") : port;
    return t;
}

bool is_ip(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// "certificate verify failed: hostname mismatch (the certificate is for a.example, b.example)"
std::string tls_failure(SSL* ssl, const boost::system::error_code& ec) {
    long verify = SSL_get_verify_result(ssl);
    if (verify == X509_V_OK) return ec.message();
    std::string out =
        fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(verify));
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        X509* cert = SSL_get1_peer_certificate(ssl);
        if (cert) {
            std::string names;
            auto* sans = static_cast<GENERAL_NAMES*>(
                X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
            int n = sans ? sk_GENERAL_NAME_num(sans) : 0;
            for (int i = 0; i < n && i < 4; ++i) {
                const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
                std::string name;
                if (g->type == GEN_DNS) {
                    auto* s = g->d.dNSName;
                    name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                static_cast<std::size_t>(ASN1_STRING_length(s)));
                } else if (g->type == GEN_IPADD) {
                    auto* s = g->d.iPAddress;
                    const auto* b = ASN1_STRING_get0_data(s);
                    if (ASN1_STRING_length(s) == 4)
                        name = fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
                    else
                        name = "an IPv6 address";
                }
                if (!name.empty()) names += (names.empty() ? "" : ", ") + name;
            }
            if (sans) GENERAL_NAMES_free(sans);
            X509_free(cert);
            if (!names.empty()) out += fmt::format(" (the certificate is for {})", names);
        }
    }
    return out;
}

bool closed_abruptly(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_aborted;
}

class Exchange {
public:
    Exchange(const WsExchangeOptions& o, WsExchange& out, const Target& t)
        : m_opt(o), m_out(out), m_target(t), m_socket(m_ioc) {}

    void run() {
        if (!connect()) return;
        if (m_target.tls) {
            asio::ssl::context ctx(asio::ssl::context::tls_client);
            ctx.set_verify_mode(asio::ssl::verify_peer);
            boost::system::error_code ec;
            if (!m_opt.ca_file.empty())
                ctx.load_verify_file(m_opt.ca_file, ec);
            else
                ctx.set_default_verify_paths(ec);
            if (ec)
                return fail(WsStep::tls, FailureCause::tls,
                            fmt::format("cannot read the CA certificates: {}", ec.message()));
            wsk::stream<asio::ssl::stream<tcp::socket>> ws(std::move(m_socket), ctx);
            SSL* ssl = ws.next_layer().native_handle();
            if (is_ip(m_target.host)) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), m_target.host.c_str());
            } else {
                // SSL_set_tlsext_host_name is a macro with an old-style cast (-Werror).
                SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(m_target.host.c_str()));
                X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), m_target.host.c_str(), 0);
            }
            auto started = steady::now();
            bool done = false;
            ws.next_layer().async_handshake(asio::ssl::stream_base::client,
                                            [&](boost::system::error_code e) {
                                                ec = e;
                                                done = true;
                                            });
            if (!wait(done, ws, WsStep::tls)) return;
            if (ec) return fail(WsStep::tls, FailureCause::tls, tls_failure(ssl, ec));
            step_done(WsStep::tls, started);
            talk(ws);
        } else {
            wsk::stream<tcp::socket> ws(std::move(m_socket));
            talk(ws);
        }
    }

private:
    void fail(WsStep step, FailureCause cause, const std::string& error) {
        m_out.stopped_at = step;
        m_out.cause = cause;
        m_out.error = error;
        trace(fmt::format("ws {} failed: {}", to_string(step), error));
    }

    void trace(const std::string& line) {
        if (m_opt.trace) m_opt.trace(line);
    }

    void step_done(WsStep step, steady::time_point started) {
        auto took = std::chrono::duration_cast<ms>(steady::now() - started);
        m_out.durations.emplace_back(step, took);
        trace(fmt::format("ws {} {} ({} ms)", to_string(step), m_out.endpoint, took.count()));
    }

    // Runs the io_context until `done`; false (and the step failed) on deadline or cancel.
    template <class Closable>
    bool wait(bool& done, Closable& stream, WsStep step) {
        auto deadline = steady::now() + m_opt.step_timeout;
        m_ioc.restart();
        while (!done) {
            bool cancelled = m_opt.cancel && m_opt.cancel->load();
            auto now = steady::now();
            if (cancelled || now >= deadline) {
                boost::system::error_code ignored;
                beast::get_lowest_layer(stream).close(ignored);
                m_ioc.restart();
                m_ioc.run_for(ms{500});  // lets the aborted handler run
                if (cancelled) {
                    fail(step, FailureCause::cancelled, "interrupted");
                } else {
                    fail(step, FailureCause::timeout,
                         fmt::format("no progress within {} ms", m_opt.step_timeout.count()));
                }
                return false;
            }
            auto slice = std::min<steady::duration>(ms{50}, deadline - now);
            if (m_ioc.run_one_for(slice) == 0 && m_ioc.stopped()) m_ioc.restart();
        }
        return true;
    }

    bool connect() {
        auto started = steady::now();
        tcp::resolver resolver(m_ioc);
        boost::system::error_code ec;
        bool done = false;
        tcp::resolver::results_type results;
        resolver.async_resolve(m_target.host, m_target.port,
                               [&](boost::system::error_code e, tcp::resolver::results_type r) {
                                   ec = e;
                                   results = std::move(r);
                                   done = true;
                               });
        {
            auto deadline = steady::now() + m_opt.step_timeout;
            m_ioc.restart();
            while (!done) {
                bool cancelled = m_opt.cancel && m_opt.cancel->load();
                if (cancelled || steady::now() >= deadline) {
                    resolver.cancel();
                    m_ioc.restart();
                    m_ioc.run_for(ms{500});
                    fail(WsStep::connect,
                         cancelled ? FailureCause::cancelled : FailureCause::timeout,
                         cancelled ? "interrupted"
                                   : fmt::format("could not resolve host {} within {} ms",
                                                 m_target.host, m_opt.step_timeout.count()));
                    return false;
                }
                if (m_ioc.run_one_for(ms{50}) == 0 && m_ioc.stopped()) m_ioc.restart();
            }
        }
        if (ec) {
            fail(WsStep::connect, FailureCause::dns,
                 fmt::format("could not resolve host {}: {}", m_target.host, ec.message()));
            return false;
        }
        done = false;
        asio::async_connect(m_socket, results,
                            [&](boost::system::error_code e, const tcp::endpoint& ep) {
                                ec = e;
                                if (!e) m_out.address = ep.address().to_string();
                                done = true;
                            });
        if (!wait(done, m_socket, WsStep::connect)) return false;
        if (ec) {
            fail(
                WsStep::connect,
                ec == asio::error::connection_refused ? FailureCause::refused : FailureCause::other,
                fmt::format("{} at {}", ec.message(), m_out.endpoint));
            return false;
        }
        m_socket.set_option(tcp::no_delay(true));
        step_done(WsStep::connect, started);
        return true;
    }

    template <class Stream>
    void talk(wsk::stream<Stream>& ws) {
        ws.read_message_max(m_opt.max_message_bytes);
        ws.set_option(wsk::stream_base::decorator([this](wsk::request_type& req) {
            req.set(beast::http::field::user_agent, "roomctl/" ROOMCTL_VERSION);
            for (const auto& [k, v] : m_opt.headers) req.set(k, v);
        }));
        // Upgrade.
        auto started = steady::now();
        boost::system::error_code ec;
        bool done = false;
        wsk::response_type res;
        ws.async_handshake(res, m_target.host_header, m_target.path,
                           [&](boost::system::error_code e) {
                               ec = e;
                               done = true;
                           });
        if (!wait(done, ws, WsStep::upgrade)) return;
        m_out.http_status = static_cast<long>(res.result_int());
        for (const auto& field : res) {
            std::string name(field.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            m_out.http_headers[name] = std::string(field.value());
        }
        m_out.http_body = res.body().substr(0, 2048);
        if (ec) {
            if (m_out.http_status == 0 && closed_abruptly(ec)) {
                return fail(WsStep::upgrade, FailureCause::other,
                            "the connection was closed before any HTTP answer");
            }
            return fail(WsStep::upgrade, FailureCause::other, ec.message());
        }
        step_done(WsStep::upgrade, started);
        auto upgraded = steady::now();
        auto since_upgrade = [&] {
            m_out.after_upgrade = std::chrono::duration_cast<ms>(steady::now() - upgraded);
        };

        // First message.
        started = steady::now();
        beast::flat_buffer buffer;
        done = false;
        ws.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        bool in_time = wait(done, ws, WsStep::first_message);
        since_upgrade();
        if (!in_time) return;
        // A close frame was received when reason() is set, even if the TLS teardown after it
        // then failed (a server that closes TCP without TLS close_notify).
        const auto got_close = [&] { return ws.reason().code != wsk::close_code::none; };
        if (ec) {
            if (ec == wsk::error::closed || got_close()) {
                m_out.close_code = static_cast<int>(ws.reason().code);
                m_out.close_reason = std::string(ws.reason().reason.c_str());
                return fail(
                    WsStep::first_message, FailureCause::other,
                    fmt::format("the server closed the WebSocket with code {}", *m_out.close_code));
            }
            if (closed_abruptly(ec)) {
                m_out.closed_without_frame = true;
                return fail(WsStep::first_message, FailureCause::other,
                            "the connection closed without a close frame: " + ec.message());
            }
            return fail(WsStep::first_message, FailureCause::other, ec.message());
        }
        m_out.first_message = beast::buffers_to_string(buffer.data());
        m_out.first_message_binary = ws.got_binary();
        step_done(WsStep::first_message, started);

        // Reply.
        if (!m_opt.reply.empty()) {
            started = steady::now();
            done = false;
            ws.binary(true);
            ws.async_write(asio::buffer(m_opt.reply),
                           [&](boost::system::error_code e, std::size_t) {
                               ec = e;
                               done = true;
                           });
            if (!wait(done, ws, WsStep::reply)) return;
            if (ec) return fail(WsStep::reply, FailureCause::other, ec.message());
            m_out.reply_sent = true;
            step_done(WsStep::reply, started);
        }

        // Close. After a reply the server is expected to end the session itself (LiveKit
        // answers a leave with leave and close 1000): read until its close frame, so that a
        // connection cut without one (a proxy or load balancer) is seen. Without a reply, we
        // close first.
        started = steady::now();
        done = false;
        // Outlives the wait below: each completion starts the next read with it.
        std::function<void(boost::system::error_code, std::size_t)> on_read;
        if (m_out.reply_sent) {
            on_read = [&](boost::system::error_code e, std::size_t) {
                if (!e) {
                    buffer.consume(buffer.size());
                    ws.async_read(buffer, on_read);
                    return;
                }
                ec = e;
                done = true;
            };
            buffer.consume(buffer.size());
            ws.async_read(buffer, on_read);
        } else {
            ws.async_close(wsk::close_code::normal, [&](boost::system::error_code e) {
                ec = e;
                done = true;
            });
        }
        in_time = wait(done, ws, WsStep::close);
        since_upgrade();
        if (!in_time) return;
        if (ec == wsk::error::closed || (ec && got_close())) {
            m_out.close_code = static_cast<int>(ws.reason().code);
            m_out.close_reason = std::string(ws.reason().reason.c_str());
        } else if (closed_abruptly(ec)) {
            m_out.closed_without_frame = true;
            return fail(WsStep::close, FailureCause::other,
                        "the connection closed without a close frame: " + ec.message());
        } else if (ec) {
            return fail(WsStep::close, FailureCause::other, ec.message());
        }
        step_done(WsStep::close, started);
    }

    const WsExchangeOptions& m_opt;
    WsExchange& m_out;
    const Target& m_target;
    asio::io_context m_ioc;
    tcp::socket m_socket;
};

}  // namespace

WsExchange websocket_exchange(const WsExchangeOptions& options) {
    Target target = parse_target(options.url);
    WsExchange out;
    out.tls = target.tls;
    out.endpoint =
        (target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host) + ":" +
        target.port;
    if (options.cancel && options.cancel->load()) {
        out.stopped_at = WsStep::connect;
        out.cause = FailureCause::cancelled;
        out.error = "interrupted";
        return out;
    }
    Exchange(options, out, target).run();
    return out;
}

}  // namespace roomctl::http
