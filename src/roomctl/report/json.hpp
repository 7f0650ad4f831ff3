#pragma once
// What every JSON document of roomctl shares (schema_version 1): the envelope and the time
// format. Each feature's document is built in its view (audit_view, plan_view, check_view,
// rooms_view, config_view, inspect_view); field names are documented in README.md "JSON
// output". Pure functions: data in, nlohmann::json or string out.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace roomctl::report {

inline constexpr int k_schema_version = 1;

// {"schema_version": 1, "command": command}; the view adds its fields after these.
nlohmann::json envelope(const std::string& command);
std::string iso8601(std::int64_t unix_seconds);  // "2026-11-22T06:36:00Z"
// The string, or JSON null for nullopt (a database NULL, a value the server did not send).
nlohmann::json string_or_null(const std::optional<std::string>& v);

}  // namespace roomctl::report
