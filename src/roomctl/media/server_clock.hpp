#pragma once
// The media server's clock, as the Date headers of its answers show it. Ages that decide a
// deletion (`--min-age`) must be measured on the server's clock: a room's creation_time is
// the server's, and this machine's clock may be minutes off. Header-only: both providers'
// clients and `check` use it, and it needs nothing but the transport interface.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "roomctl/http/transport.hpp"

namespace roomctl::media {

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7, the only form
// servers may send) into unix seconds. nullopt for anything else (the obsolete RFC 850 and
// asctime forms included: no server roomctl talks to sends them).
inline std::optional<std::int64_t> parse_http_date(std::string_view v) {
    // "Www, DD Mon YYYY HH:MM:SS GMT" is exactly 29 characters.
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
        v[16] != ' ' || v[19] != ':' || v[22] != ':' || v[25] != ' ' || v.substr(26) != "GMT")
        return std::nullopt;
    auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
        int n = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (v[i] < '0' || v[i] > '9') return std::nullopt;
            n = n * 10 + (v[i] - '0');
        }
        return n;
    };
    constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto month_at = months.find(v.substr(8, 3));
    const auto day = number(5, 2), year = number(12, 4), hour = number(17, 2),
               minute = number(20, 2), second = number(23, 2);
    if (month_at == std::string_view::npos || month_at % 3 != 0 || !day || !year || !hour ||
        !minute || !second || *hour > 23 || *minute > 59 || *second > 60)
        return std::nullopt;
    const std::chrono::year_month_day date{
        std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(month_at / 3 + 1)},
        std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) return std::nullopt;
    const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
    return static_cast<std::int64_t>(days) * 86'400 + *hour * 3'600 + *minute * 60 + *second;
}

// Server time minus local time, in whole seconds, from an answer whose Date header was
// produced between `sent` and `received` (local clock): the Date names a whole second, so its
// middle is compared with the middle of the exchange. nullopt when there is no valid Date.
inline std::optional<std::int64_t> clock_offset_of(const http::Response& r,
                                                   std::chrono::system_clock::time_point sent,
                                                   std::chrono::system_clock::time_point received) {
    const auto date = r.header("date");
    const auto server = date ? parse_http_date(*date) : std::nullopt;
    if (!server) return std::nullopt;
    const auto mid = sent + (received - sent) / 2;
    const double local = std::chrono::duration<double>(mid.time_since_epoch()).count();
    const double offset = static_cast<double>(*server) + 0.5 - local;
    return static_cast<std::int64_t>(offset < 0 ? offset - 0.5 : offset + 0.5);
}

// "this machine's clock is 900 s ahead of the server" for an offset (server minus local).
inline std::string describe_local_clock(std::int64_t offset) {
    const auto n = offset < 0 ? -offset : offset;
    return "this machine's clock is " + std::to_string(n) + " s " +
           (offset < 0 ? "ahead of" : "behind") + " the server";
}

// A transport that passes every request through and remembers the clock offset shown by the
// most recent answer that carried a valid Date header. Not thread-safe (neither are the
// clients that own one).
class ClockWatch final : public http::Transport {
public:
    explicit ClockWatch(http::Transport& inner) : m_inner(inner) {}
    http::Response send(const http::Request& request) override {
        const auto sent = std::chrono::system_clock::now();
        auto response = m_inner.send(request);
        if (auto o = clock_offset_of(response, sent, std::chrono::system_clock::now()))
            m_offset = o;
        return response;
    }
    // Streams through to the inner transport (a ListRooms answer is parsed as it arrives).
    http::Response send_streaming(const http::Request& request,
                                  http::BodyConsumer& consumer) override {
        const auto sent = std::chrono::system_clock::now();
        auto response = m_inner.send_streaming(request, consumer);
        if (auto o = clock_offset_of(response, sent, std::chrono::system_clock::now()))
            m_offset = o;
        return response;
    }
    // Server minus local seconds; nullopt until an answer with a Date header came.
    std::optional<std::int64_t> offset() const { return m_offset; }

private:
    http::Transport& m_inner;
    std::optional<std::int64_t> m_offset;
};

}  // namespace roomctl::media
