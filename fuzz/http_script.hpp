#pragma once
// Shared by fuzz_livekit_response and fuzz_twilio_response: the fuzz input is a script of HTTP
// answers, and the tests' ScriptedTransport (tests/support/scripted_transport.hpp, loaded by
// load_script) hands them to a real client (RoomServiceClient, VideoClient) one request at a
// time, so the clients' own parsing, paging and error mapping run on them.
//
// Input format (what the corpus files look like):
//
//   HTTP/1.1 200 OK                      <- status line: "HTTP/<anything> <status>"
//   Content-Type: application/json       <- header lines until an empty line
//   Retry-After: 1
//                                        <- empty line
//   {"rooms": [...]}                     <- body, up to the next line starting "HTTP/"
//   HTTP/1.1 404 Not Found               <- the next answer, for the client's next request
//   ...
//
// Input that does not start with "HTTP/" is one 200 application/json answer whose body is the
// whole input, so a bare JSON file is a valid seed too. When the script runs out, send()
// throws TransportError(dns): "no answer", which the clients report as roomctl::Error and never
// retry; answers left over are no problem.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/http/transport.hpp"
#include "support/scripted_transport.hpp"

namespace roomctl::fuzz {

inline std::vector<http::Response> parse_script(std::string_view in) {
    std::vector<http::Response> out;
    constexpr std::string_view k_start = "HTTP/";
    if (in.substr(0, k_start.size()) != k_start) {
        http::Response r;
        r.status = 200;
        r.headers["content-type"] = "application/json";
        r.body = std::string{in};
        out.push_back(std::move(r));
        return out;
    }
    // Bound the work per input: a script of thousands of tiny answers is no more interesting.
    constexpr std::size_t k_max_answers = 16;
    while (!in.empty() && out.size() < k_max_answers) {
        http::Response r;
        auto take_line = [&in]() {
            const auto nl = in.find('\n');
            std::string_view line = in.substr(0, nl);
            in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            return line;
        };
        std::string_view status_line = take_line();  // "HTTP/1.1 200 OK"
        const auto sp = status_line.find(' ');
        long status = 0;
        if (sp != std::string_view::npos) {
            for (std::size_t i = sp + 1; i < status_line.size() && i < sp + 4; ++i) {
                const char c = status_line[i];
                if (c < '0' || c > '9') break;
                status = status * 10 + (c - '0');
            }
        }
        r.status = status;
        while (!in.empty()) {
            std::string_view line = take_line();
            if (line.empty()) break;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            std::string name{line.substr(0, colon)};
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            r.headers[name] = std::string{value};  // last value wins, as CurlTransport does
        }
        // The body runs to the next status line at the start of a line.
        const std::size_t end = in.find("\nHTTP/");
        if (end == std::string_view::npos) {
            r.body = std::string{in};
            in = {};
        } else {
            r.body = std::string{in.substr(0, end)};
            in.remove_prefix(end + 1);
        }
        out.push_back(std::move(r));
    }
    return out;
}

// Loads `script` into a fresh transport: each answer serves the next request, whatever it is;
// when the script runs out, TransportError(dns) "fuzz script: no answer left"; answers left
// over are fine (no failure handler: fuzz targets have no gtest).
inline void load_script(support::ScriptedTransport& transport,
                        const std::vector<http::Response>& script) {
    for (const auto& answer : script) transport.then(answer);
    transport.allow_unused().when_exhausted(http::FailureCause::dns, "fuzz script: no answer left");
}

}  // namespace roomctl::fuzz
