#pragma once
// libcurl implementation of Transport. One instance owns one easy handle (connection reuse
// across sequential calls); it is not thread-safe: give each worker thread its own instance.
// TLS peer and host verification are always on; `ca_file` adds a private CA.

#include <memory>

#include "roomctl/http/transport.hpp"

namespace roomctl::http {

class CurlTransport final : public Transport {
public:
    explicit CurlTransport(TransportOptions options = {});
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    Response send(const Request& request) override;
    // The body goes to `consumer` from libcurl's write callback as it arrives (no copy of the
    // whole answer is kept when begin() accepts it); everything else is send()'s.
    Response send_streaming(const Request& request, BodyConsumer& consumer) override;

private:
    Response transfer(const Request& request, BodyConsumer* consumer);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Describes a URL's endpoint for messages: "127.0.0.1:7880".
std::string endpoint_of(const std::string& url);

}  // namespace roomctl::http
