#pragma once
// One scripted http::Transport for every test and fuzz target that drives a real client
// (RoomServiceClient, VideoClient, send_with_retry) without a network: it records each
// request and answers it from stubs, like gh's httpmock registry.
//
//   ScriptedTransport t{support::fail_test};                 // gtest (gtest_failure.hpp)
//   t.on("POST", "/twirp/livekit.RoomService/ListRooms", support::json_answer(200, {...}));
//   t.then(support::answer(503)).then(support::transport_failure(FailureCause::timeout));
//
// Matching: a request takes the first stub, in the order they were added, that is unused and
// matches it. on(method, path, ...) matches the method and the URL's path exactly (no scheme,
// host or query; an empty method or path matches any); then(...) matches any request, so a
// run of then() answers requests in sequence. Each stub answers once.
//
// Problems are reported through the FailureHandler given to the constructor: a request no
// stub matches (it then throws std::logic_error, which no client catches), and, when the
// transport is destroyed (or verify() is called), each stub never used, with the file and line
// that added it. fuzz/ uses the same class without gtest: no handler, allow_unused(), and
// when_exhausted() to answer a script that ran out with a TransportError instead.
//
// Thread-safe: workers may share one instance.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "roomctl/http/transport.hpp"

namespace roomctl::support {

// Where a stub was added, for the message about it (gcc and clang builtins: clang 14, which
// builds fuzz/, has no std::source_location).
struct Site {
    const char* file = "";
    int line = 0;
};

// Receives one line per problem and the site of the stub concerned (for an unexpected
// request: the site of the last stub added, or none). May be empty: problems go unreported.
using FailureHandler = std::function<void(const std::string& problem, const Site& where)>;

// The URL's path: what follows scheme and authority, up to '?' or '#' ("/v1/Rooms").
inline std::string path_of(const std::string& url) {
    std::size_t start = 0;
    if (const auto scheme = url.find("://"); scheme != std::string::npos) {
        start = url.find('/', scheme + 3);
        if (start == std::string::npos) return "/";
    }
    const auto end = url.find_first_of("?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class ScriptedTransport final : public http::Transport {
public:
    using Step = std::variant<http::Response, http::TransportError>;

    explicit ScriptedTransport(FailureHandler fail = {}) : m_fail(std::move(fail)) {}
    // A script: each request takes the next step (then() for each, in order).
    ScriptedTransport(FailureHandler fail, std::initializer_list<Step> script,
                      const char* file = __builtin_FILE(), int line = __builtin_LINE())
        : m_fail(std::move(fail)) {
        for (const auto& step : script) add({}, {}, step, Site{file, line});
    }
    ScriptedTransport(const ScriptedTransport&) = delete;
    ScriptedTransport& operator=(const ScriptedTransport&) = delete;
    ~ScriptedTransport() override { verify(); }

    // The next request `method` `path` gets `step` (an answer, or a failure to throw).
    ScriptedTransport& on(std::string method, std::string path, Step step,
                          const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
        return add(std::move(method), std::move(path), std::move(step), Site{file, line});
    }
    // The next request, whatever it is, gets `step`.
    ScriptedTransport& then(Step step, const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
        return add({}, {}, std::move(step), Site{file, line});
    }
    // Stubs left unused are fine (a fuzz script longer than the client's requests).
    ScriptedTransport& allow_unused() {
        std::lock_guard lock(m_mutex);
        m_allow_unused = true;
        return *this;
    }
    // A request no stub matches throws TransportError(cause, message) and is no problem (a
    // fuzz script that ran out), instead of being reported and throwing std::logic_error.
    ScriptedTransport& when_exhausted(http::FailureCause cause, std::string message) {
        std::lock_guard lock(m_mutex);
        m_exhausted = http::TransportError(cause, message);
        return *this;
    }

    http::Response send(const http::Request& request) override {
        std::unique_lock lock(m_mutex);
        m_requests.push_back(request);
        const std::string path = path_of(request.url);
        for (auto& s : m_stubs) {
            if (s.used || !matches(s, request.method, path)) continue;
            s.used = true;
            Step step = s.step;
            lock.unlock();
            if (auto* e = std::get_if<http::TransportError>(&step)) throw *e;
            return std::get<http::Response>(step);
        }
        if (m_exhausted) throw *m_exhausted;
        const std::string problem = "unexpected request " + request.method + " " + request.url +
                                    " (no unused stub matches " + request.method + " " + path + ")";
        const Site where = m_stubs.empty() ? Site{} : m_stubs.back().where;
        lock.unlock();
        if (m_fail) m_fail(problem, where);
        throw std::logic_error(problem);
    }

    // Reports each stub never used (unless allow_unused()), once. The destructor calls it.
    void verify() {
        std::vector<std::pair<std::string, Site>> problems;
        {
            std::lock_guard lock(m_mutex);
            for (auto& s : m_stubs) {
                if (s.used || s.reported || m_allow_unused) continue;
                s.reported = true;
                problems.emplace_back("stub never used: " + describe(s), s.where);
            }
        }
        if (m_fail)
            for (const auto& [problem, where] : problems) m_fail(problem, where);
    }

    // Every request received, in order (answered or not).
    std::vector<http::Request> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    std::size_t attempts() const {
        std::lock_guard lock(m_mutex);
        return m_requests.size();
    }
    // Stubs not used yet.
    std::size_t pending() const {
        std::lock_guard lock(m_mutex);
        std::size_t n = 0;
        for (const auto& s : m_stubs) n += s.used ? 0 : 1;
        return n;
    }

private:
    struct Stub {
        std::string method, path;  // empty: any
        Step step;
        Site where;
        bool used = false, reported = false;
    };

    static bool matches(const Stub& s, const std::string& method, const std::string& path) {
        return (s.method.empty() || s.method == method) && (s.path.empty() || s.path == path);
    }
    static std::string describe(const Stub& s) {
        const std::string route = s.method.empty() && s.path.empty()
                                      ? std::string{"any request"}
                                      : (s.method.empty() ? "any method" : s.method) + " " +
                                            (s.path.empty() ? "any path" : s.path);
        if (const auto* r = std::get_if<http::Response>(&s.step))
            return route + " -> HTTP " + std::to_string(r->status);
        return route + " -> " + std::get<http::TransportError>(s.step).what();
    }
    ScriptedTransport& add(std::string method, std::string path, Step step, Site where) {
        std::lock_guard lock(m_mutex);
        m_stubs.push_back({std::move(method), std::move(path), std::move(step), where});
        return *this;
    }

    FailureHandler m_fail;
    mutable std::mutex m_mutex;
    std::vector<Stub> m_stubs;
    std::vector<http::Request> m_requests;
    bool m_allow_unused = false;
    std::optional<http::TransportError> m_exhausted;
};

// An answer with `status`, an optional body and headers (names lower-case, as the transport
// gives them).
inline http::Response answer(long status, std::string body = {},
                             std::map<std::string, std::string> headers = {}) {
    http::Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return r;
}

// A JSON answer: Content-Type application/json and `body` serialised.
inline http::Response json_answer(long status, const nlohmann::json& body,
                                  std::map<std::string, std::string> headers = {}) {
    headers["content-type"] = "application/json";
    return answer(status, body.dump(), std::move(headers));
}

// A request that got no answer (what CurlTransport throws).
inline http::TransportError transport_failure(http::FailureCause cause,
                                              const std::string& message = "scripted failure") {
    return {cause, message};
}

}  // namespace roomctl::support
