#pragma once
// HTTP transport: sends one request, returns status, headers and body. It never interprets
// 4xx/5xx (callers do, because Twirp and Twilio put their error codes in the body) and never
// knows JSON. Network-level failures throw TransportError with a cause in operator words.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roomctl/util/error.hpp"

namespace roomctl::http {

struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Whole-transfer deadline. Connect timeout is min(this, TransportOptions::connect_timeout).
    std::chrono::milliseconds timeout{10'000};
};

struct Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased; last value wins
    std::string body;
    // Media type from Content-Type, lower-cased, without parameters ("application/json").
    std::string media_type() const;
    std::optional<std::string> header(const std::string& lower_name) const;
};

// cancelled: TransportOptions::cancel was set (SIGINT/SIGTERM); never repeated.
enum class FailureCause { refused, dns, timeout, tls, too_large, other, cancelled };

// A request that got no HTTP response. what() reads like "connection refused at 127.0.0.1:7880".
// Kind runtime, except interrupted for FailureCause::cancelled (exit 130).
class TransportError : public Error {
public:
    TransportError(FailureCause cause, const std::string& message)
        : Error(cause == FailureCause::cancelled ? ErrorKind::interrupted : ErrorKind::runtime,
                message),
          m_cause(cause) {}
    FailureCause cause() const noexcept { return m_cause; }

private:
    FailureCause m_cause;
};

// Receives one line per request/response at -v (and per header with trace_headers); values
// are already redacted (http/trace.hpp).
using TraceSink = std::function<void(const std::string&)>;

// Receives an answer's body piece by piece while it arrives (Transport::send_streaming), so a
// large answer can be parsed during the transfer and never held whole. One attempt is
// begin(), then write()s, then end(); a retried request starts again with begin().
class BodyConsumer {
public:
    virtual ~BodyConsumer() = default;
    // The answer's status and headers are in (body empty), no body byte yet. True: this
    // answer's body goes to write(), Response::body stays empty, and end() follows exactly
    // once; false: the body is collected into Response::body as send() does (error bodies).
    virtual bool begin(const Response& head) = 0;
    // The next piece of the body, in order; never empty. Runs on the transfer's thread and may
    // block briefly (back-pressure). An exception aborts the transfer and leaves send_streaming.
    virtual void write(std::string_view piece) = 0;
    // After a begin() that returned true: `complete` when the whole body arrived (the answer
    // is then returned), false when the transfer failed after all (send_streaming then throws
    // TransportError: cut off, too large, timeout, cancelled). Must not throw.
    virtual void end(bool complete) noexcept = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    // Throws TransportError when no response was received.
    virtual Response send(const Request& request) = 0;
    // send(), with the body handed to `consumer` as it arrives when consumer.begin() accepts
    // the answer; the limits (max_response_bytes, timeout, cancel) and errors are send()'s.
    // This default receives the whole answer first and hands it over in one piece: right for
    // transports that do not stream (wrappers, scripted tests).
    virtual Response send_streaming(const Request& request, BodyConsumer& consumer) {
        Response response = send(request);
        std::string body = std::move(response.body);
        response.body.clear();
        if (!consumer.begin(response)) {
            response.body = std::move(body);
            return response;
        }
        try {
            if (!body.empty()) consumer.write(body);
        } catch (...) {
            consumer.end(false);
            throw;
        }
        consumer.end(true);
        return response;
    }
};

struct TransportOptions {
    std::chrono::milliseconds connect_timeout{5'000};
    std::string ca_file;                         // extra CA bundle (--cacert); empty = system CAs
    std::size_t max_response_bytes = 64u << 20;  // responses larger than this are refused
    TraceSink trace;                             // may be empty
    bool trace_headers = false;  // -vv: also trace request and response headers (redacted)
    // Set (by the SIGINT/SIGTERM path) to abandon work: a transfer in flight is aborted within
    // about 50 ms (CurlTransport looks at the flag between short waits, and its progress
    // callback aborts too), and a send after it was set fails before connecting; both throw
    // TransportError(cancelled).
    // A pointer, not a global: the transport lives in libroomctl_io.so, which has its own copy
    // of roomctl's globals. Must outlive the transport; may be null.
    const std::atomic<bool>* cancel = nullptr;
};

}  // namespace roomctl::http
