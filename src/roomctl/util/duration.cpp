#include "roomctl/util/duration.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>

#include "roomctl/util/error.hpp"

namespace roomctl {

std::chrono::seconds parse_duration(std::string_view text, BareNumber bare_number) {
    auto fail = [&](std::string_view why) {
        return usage_error(
            fmt::format("invalid duration \"{}\": {} (use e.g. 90s, 10m, 6h, 1d)", text, why));
    };
    if (text.empty()) throw fail("empty");
    std::int64_t total = 0;
    std::size_t i = 0;
    bool bare = true;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) throw fail("expected a number");
        std::int64_t n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (n > std::numeric_limits<std::int32_t>::max()) throw fail("too large");
            n = n * 10 + (text[i] - '0');
            ++i;
        }
        std::int64_t unit = 1;
        if (i < text.size()) {
            bare = false;
            switch (text[i]) {
                case 's':
                    unit = 1;
                    break;
                case 'm':
                    unit = 60;
                    break;
                case 'h':
                    unit = 3600;
                    break;
                case 'd':
                    unit = 86400;
                    break;
                default:
                    throw fail(fmt::format("unknown unit '{}'", text[i]));
            }
            ++i;
        } else if (!bare) {
            throw fail("missing unit after the last number");
        }
        total += n * unit;
        if (total > std::numeric_limits<std::int32_t>::max()) throw fail("too large");
    }
    if (bare && total != 0 && bare_number == BareNumber::refused) {
        throw usage_error(fmt::format(
            "invalid duration \"{0}\": a unit is required, did you mean {0}m? (or {0}s, {0}h, "
            "{0}d)",
            text));
    }
    return std::chrono::seconds{total};
}

std::uint32_t parse_seconds_u32(std::string_view text, std::string_view flag) {
    std::int64_t s = 0;
    try {
        s = parse_duration(text).count();
    } catch (const Error& e) {
        throw usage_error(fmt::format("{}: {}", flag, e.what()));
    }
    if (s > std::numeric_limits<std::uint32_t>::max()) {
        throw usage_error(fmt::format("{} is too large", flag));
    }
    return static_cast<std::uint32_t>(s);
}

std::string format_duration(std::chrono::seconds s) {
    auto v = s.count();
    if (v < 0) return "-" + format_duration(std::chrono::seconds{-v});
    if (v < 60) return fmt::format("{}s", v);
    if (v < 3600)
        return v % 60 ? fmt::format("{}m{}s", v / 60, v % 60) : fmt::format("{}m", v / 60);
    if (v < 86400) {
        auto m = (v % 3600) / 60;
        return m ? fmt::format("{}h{}m", v / 3600, m) : fmt::format("{}h", v / 3600);
    }
    auto h = (v % 86400) / 3600;
    return h ? fmt::format("{}d{}h", v / 86400, h) : fmt::format("{}d", v / 86400);
}

}  // namespace roomctl
