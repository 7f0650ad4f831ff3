// The value conversions every settings entry (registry.hpp) shares: text from a flag, a
// variable or a per-command flag parsed into a Value, and a Value printed for `config show`.
// The table itself is in registry.cpp.

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <stdexcept>

#include "roomctl/config/registry.hpp"
#include "roomctl/config/settings.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string show_timeout(milliseconds ms) {
    if (ms.count() % 1000 == 0) return format_duration(std::chrono::duration_cast<seconds>(ms));
    return fmt::format("{}ms", ms.count());
}

std::int64_t whole_seconds(const Value& v) {
    if (const auto* ms = std::get_if<milliseconds>(&v))
        return std::chrono::duration_cast<seconds>(*ms).count();
    return std::get<std::int64_t>(v);
}

}  // namespace

Value parse_text(const SettingSpec& spec, std::string_view text, std::string_view from,
                 bool is_flag) {
    auto fail = [&](const std::string& what) -> Error {
        if (is_flag) return usage_error(what);
        return config_error(fmt::format("{} (from {})", what, from));
    };
    // parse_duration throws Error(usage) naming the value; the message also names the flag,
    // and from the environment or a file it is a configuration error named by its source.
    auto duration = [&]() -> seconds {
        try {
            return parse_duration(text);
        } catch (const Error& e) {
            if (is_flag) throw usage_error(fmt::format("{}: {}", from, e.what()));
            throw config_error(fmt::format("{}: {}", from, e.what()));
        }
    };
    switch (spec.kind) {
        case Kind::text:
        case Kind::url:
        case Kind::database_url:
        case Kind::path:
        case Kind::provider:
            return std::string{text};
        case Kind::list:
            return std::vector<std::string>{std::string{text}};
        case Kind::request_timeout:
        case Kind::db_timeout: {
            const auto s = duration();
            if (s.count() <= 0) throw fail(fmt::format("{} must be at least 1s", from));
            if (spec.kind == Kind::db_timeout && s > std::chrono::hours{24})
                throw fail(fmt::format("{} must be at most 24h", from));
            return std::chrono::duration_cast<milliseconds>(s);
        }
        case Kind::seconds: {
            const auto s = duration();
            if (s.count() > std::numeric_limits<std::uint32_t>::max())
                throw fail(fmt::format("{} is too large", from));
            return std::chrono::duration_cast<milliseconds>(s);
        }
        case Kind::count: {
            std::int64_t n = -1;
            const auto* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, n);
            if (ec != std::errc{} || ptr != end || n < 0 || n > spec.max)
                throw fail(fmt::format("{} must be a whole number from 0 to {}", from, spec.max));
            return n;
        }
    }
    throw std::logic_error("unknown setting kind");
}

bool is_textual(Kind kind) {
    return kind == Kind::text || kind == Kind::url || kind == Kind::database_url ||
           kind == Kind::path || kind == Kind::provider;
}

std::string show_value(const SettingSpec& spec, const Settings& s) {
    const Value v = spec.get(s);
    if (spec.secret) return redact_secret(std::get<std::string>(v));
    switch (spec.kind) {
        case Kind::url:
            return hide_userinfo(std::get<std::string>(v));
        case Kind::database_url:
            return redact_database_url(std::get<std::string>(v));
        case Kind::list:
            return fmt::format("{}", fmt::join(std::get<std::vector<std::string>>(v), ", "));
        case Kind::request_timeout:
        case Kind::db_timeout:
            return show_timeout(std::get<milliseconds>(v));
        case Kind::seconds:
            return format_duration(seconds{whole_seconds(v)});
        case Kind::count:
            return std::to_string(std::get<std::int64_t>(v));
        case Kind::text:
        case Kind::path:
        case Kind::provider:
            return std::get<std::string>(v);
    }
    return {};
}

void apply_command_flag(Settings& s, std::string_view key, std::string_view flag,
                        std::string_view text) {
    if (text.empty()) return;
    const auto* spec = find_setting(key);
    if (spec == nullptr) throw std::out_of_range(fmt::format("no setting {}", key));
    spec->set(s, parse_text(*spec, text, flag, true));
    s.origins[std::string{key}] = Origin{Source::flag, std::string{flag}};
}

}  // namespace roomctl::config
