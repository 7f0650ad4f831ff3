#include "roomctl/http/curl_transport.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>
#include <string_view>

#include "roomctl/http/trace.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::http {

namespace {

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using text::lower;
using text::trim;

// Where the body goes: into Response::body, or, once a BodyConsumer accepted the answer,
// to the consumer piece by piece. The limit counts every byte either way.
struct Sink {
    Response* response = nullptr;
    std::size_t limit = 0;
    CURL* handle = nullptr;
    BodyConsumer* consumer = nullptr;  // null: send(), collect the body
    std::size_t received = 0;
    bool overflow = false;
    enum class Mode { undecided, collecting, streaming } mode = Mode::undecided;
    std::exception_ptr failure;  // what the consumer threw; the transfer was aborted for it

    // Asks the consumer, once the head is in, whether it takes this answer's body.
    void decide() {
        if (!consumer) {
            mode = Mode::collecting;
            return;
        }
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response->status);
        mode = consumer->begin(*response) ? Mode::streaming : Mode::collecting;
    }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t bytes = size * n;
    if (sink->received + bytes > sink->limit) {
        sink->overflow = true;
        return 0;  // aborts the transfer: an unbounded response must not exhaust memory
    }
    sink->received += bytes;
    try {
        if (sink->mode == Sink::Mode::undecided) sink->decide();
        if (sink->mode == Sink::Mode::streaming) {
            if (bytes) sink->consumer->write(std::string_view(data, bytes));
        } else {
            sink->response->body.append(data, bytes);
        }
    } catch (...) {
        // An exception must not cross libcurl's C frames: abort, rethrow after perform().
        sink->failure = std::current_exception();
        return 0;
    }
    return bytes;
}

struct HeaderSink {
    Response* response;
    bool complete = false;  // the blank line that ends the header block arrived
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* sink = static_cast<HeaderSink*>(user);
    auto* response = sink->response;
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        response->headers.clear();  // a new response (after 100-continue or a redirect)
        sink->complete = false;
        return size * n;
    }
    if (line == "\r\n" || line == "\n") {
        sink->complete = true;
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        response->headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    return size * n;
}

// Aborts the transfer once the cancel flag is set. libcurl calls this while data flows and
// at least about once a second while it waits, so a cancel takes effect within ~1 s.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* cancel = static_cast<const std::atomic<bool>*>(user);
    return cancel->load() ? 1 : 0;
}

}  // namespace

std::string endpoint_of(const std::string& url) {
    CURLU* u = curl_url();
    std::string out = url;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char* host = nullptr;
        char* port = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
            out = host;
            if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
                out += std::string(":") + port;
            }
        }
        curl_free(host);
        curl_free(port);
    }
    curl_url_cleanup(u);
    return out;
}

struct CurlTransport::Impl {
    TransportOptions options;
    CURL* handle = nullptr;
    CURLM* multi = nullptr;  // only with options.cancel: see perform()
    char error_buffer[CURL_ERROR_SIZE]{};

    // curl_easy_perform, except that with a cancel flag the transfer is driven here, waking
    // every 50 ms to look at the flag: curl_easy_perform's own loop waits up to a second,
    // and the progress callback alone would leave a SIGTERM waiting that long. The multi
    // handle lives as long as the transport, so its connection cache keeps connections alive
    // between requests as the easy handle's would.
    CURLcode perform() {
        if (!options.cancel) return curl_easy_perform(handle);
        if (!multi && !(multi = curl_multi_init())) return CURLE_OUT_OF_MEMORY;
        if (curl_multi_add_handle(multi, handle) != CURLM_OK) return CURLE_FAILED_INIT;
        CURLcode rc = CURLE_OK;
        for (int running = 1; running;) {
            if (curl_multi_perform(multi, &running) != CURLM_OK) {
                rc = CURLE_FAILED_INIT;
                break;
            }
            if (!running) break;
            if (options.cancel->load()) {
                rc = CURLE_ABORTED_BY_CALLBACK;  // removing the handle below ends the transfer
                break;
            }
            if (curl_multi_poll(multi, nullptr, 0, 50, nullptr) != CURLM_OK) {
                rc = CURLE_FAILED_INIT;
                break;
            }
        }
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == handle) rc = msg->data.result;
        }
        curl_multi_remove_handle(multi, handle);
        return rc;
    }
};

CurlTransport::CurlTransport(TransportOptions options) : m_impl(std::make_unique<Impl>()) {
    global_init_once();
    m_impl->options = std::move(options);
    m_impl->handle = curl_easy_init();
    if (!m_impl->handle) throw runtime_error("could not initialise libcurl");
}

CurlTransport::~CurlTransport() {
    curl_easy_cleanup(m_impl->handle);
    if (m_impl->multi) curl_multi_cleanup(m_impl->multi);
}

Response CurlTransport::send(const Request& request) { return transfer(request, nullptr); }

Response CurlTransport::send_streaming(const Request& request, BodyConsumer& consumer) {
    return transfer(request, &consumer);
}

Response CurlTransport::transfer(const Request& request, BodyConsumer* consumer) {
    const auto* cancel = m_impl->options.cancel;
    if (cancel && cancel->load()) {
        throw TransportError(
            FailureCause::cancelled,
            fmt::format("interrupted before a request to {}", endpoint_of(request.url)));
    }
    CURL* h = m_impl->handle;
    curl_easy_reset(h);  // keeps the connection cache, clears per-request options
    Response response;
    Sink sink;
    sink.response = &response;
    sink.limit = m_impl->options.max_response_bytes;
    sink.handle = h;
    sink.consumer = consumer;
    HeaderSink header_sink{&response};

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m_impl->error_buffer);
    m_impl->error_buffer[0] = '\0';
    auto total = request.timeout.count();
    auto connect = std::min<long long>(total, m_impl->options.connect_timeout.count());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(total));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect));
    // Verification stays on; a private CA is added, never a bypass.
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!m_impl->options.ca_file.empty()) {
        curl_easy_setopt(h, CURLOPT_CAINFO, m_impl->options.ca_file.c_str());
    }
    curl_easy_setopt(h, CURLOPT_USERAGENT, "roomctl/" ROOMCTL_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &header_sink);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    // An answer whose Content-Length is over the limit is refused before its first byte: a
    // streamed ListRooms would otherwise build rooms from up to the limit's worth of it, and
    // tiny rooms take ten times their JSON's size as objects (test_hostile's 100 MB answer of
    // 47-byte rooms: ~540 MB). Without a Content-Length the sink's count stops the transfer.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(m_impl->options.max_response_bytes));
    if (cancel) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }

    if (request.method == "POST") {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        if (!request.body.empty()) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size()));
        }
    }

    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : request.headers) {
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

    const auto& trace = m_impl->options.trace;
    if (trace) {
        // Method and URL, never the body (it may carry metadata); headers only at -vv, with
        // credentials (Bearer tokens, Basic auth) redacted.
        trace(fmt::format("> {} {} ({} bytes)", request.method, trace_url(request.url),
                          request.body.size()));
        if (m_impl->options.trace_headers)
            for (const auto& [name, value] : request.headers)
                trace("> " + trace_header(name, value));
    }
    CURLcode rc = m_impl->perform();
    curl_slist_free_all(headers);
    const bool streamed = sink.mode == Sink::Mode::streaming;
    if (streamed && (rc != CURLE_OK || !header_sink.complete)) consumer->end(false);
    if (sink.failure) {
        if (trace) trace("< failed: the answer's reader gave up");
        std::rethrow_exception(sink.failure);
    }

    if (rc != CURLE_OK) {
        std::string where = endpoint_of(request.url);
        std::string detail =
            m_impl->error_buffer[0] ? m_impl->error_buffer : curl_easy_strerror(rc);
        if (trace) trace(fmt::format("< failed: {}", detail));
        if (cancel && cancel->load()) {
            // Whatever libcurl reports once the flag is set (normally ABORTED_BY_CALLBACK),
            // the cause is the interrupt: the request may or may not have reached the server.
            throw TransportError(
                FailureCause::cancelled,
                fmt::format("interrupted while waiting for an answer from {}", where));
        }
        switch (rc) {
            case CURLE_COULDNT_CONNECT:
                throw TransportError(FailureCause::refused,
                                     fmt::format("connection refused at {}", where));
            case CURLE_COULDNT_RESOLVE_HOST:
                throw TransportError(FailureCause::dns,
                                     fmt::format("cannot resolve host of {}", where));
            case CURLE_OPERATION_TIMEDOUT:
                throw TransportError(FailureCause::timeout,
                                     fmt::format("no answer from {} within {} ms", where, total));
            case CURLE_PEER_FAILED_VERIFICATION:
            case CURLE_SSL_CACERT_BADFILE:
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_SSL_CERTPROBLEM:
                throw TransportError(
                    FailureCause::tls,
                    fmt::format("TLS handshake with {} failed: {} (use --cacert for a private CA)",
                                where, detail));
            case CURLE_FILESIZE_EXCEEDED:
                throw TransportError(
                    FailureCause::too_large,
                    fmt::format("response from {} exceeds {} bytes; refusing to read it", where,
                                m_impl->options.max_response_bytes));
            case CURLE_WRITE_ERROR:
                if (sink.overflow) {
                    throw TransportError(
                        FailureCause::too_large,
                        fmt::format("response from {} exceeds {} bytes; refusing to read it", where,
                                    m_impl->options.max_response_bytes));
                }
                [[fallthrough]];
            default:
                throw TransportError(FailureCause::other,
                                     fmt::format("request to {} failed: {}", where, detail));
        }
    }
    if (!header_sink.complete) {
        // libcurl takes a connection closed inside the header block for a whole answer with
        // no body; it is a lost answer like any other cut-off one.
        std::string detail =
            fmt::format("the answer from {} was cut off in its headers", endpoint_of(request.url));
        if (trace) trace("< failed: " + detail);
        throw TransportError(FailureCause::other, detail);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (sink.mode == Sink::Mode::undecided) sink.decide();  // an answer with an empty body
    if (sink.mode == Sink::Mode::streaming) consumer->end(true);
    if (trace) {
        trace(fmt::format("< {} ({} bytes)", response.status, sink.received));
        if (m_impl->options.trace_headers)
            for (const auto& [name, value] : response.headers)
                trace("< " + trace_header(name, value));
    }
    return response;
}

}  // namespace roomctl::http
