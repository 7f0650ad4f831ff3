#pragma once
// A listening TCP socket on 127.0.0.1 with a port the kernel chose, for the unit tests' small
// HTTP servers (trace_test, retry_test, curl_streaming_test). Header-only, no gtest.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace roomctl::testing {

struct LoopbackListener {
    int fd = -1;
    int port = 0;
};

// Throws std::runtime_error when no socket can listen on 127.0.0.1; the caller owns `fd`.
inline LoopbackListener listen_on_loopback(int backlog = 8) {
    LoopbackListener l;
    l.fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if (l.fd < 0 || ::bind(l.fd, sa, len) != 0 || ::listen(l.fd, backlog) != 0 ||
        ::getsockname(l.fd, sa, &len) != 0) {
        if (l.fd >= 0) ::close(l.fd);
        throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    l.port = ntohs(addr.sin_port);
    return l;
}

}  // namespace roomctl::testing
