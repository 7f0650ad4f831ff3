#include "roomctl/report/json.hpp"

#include <ctime>

namespace roomctl::report {

using nlohmann::json;

json envelope(const std::string& command) {
    return json{{"schema_version", k_schema_version}, {"command", command}};
}

std::string iso8601(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

json string_or_null(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace roomctl::report
