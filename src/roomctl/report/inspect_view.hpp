#pragma once
// What `token inspect` prints: the JSON document (schema_version 1) and the human text, from
// an Inspection and the optional /rtc/validate answer. Pure; never includes the token itself.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "roomctl/inspect/inspect.hpp"

namespace roomctl::report {

// {"schema_version":1,"command":"token inspect","provider","header","claims","grants",
//  "identity","signature":"valid|invalid|not_checked","purpose","not_before","expires_at",
//  "valid","diagnoses":[{code,severity,message}],"server"?}
nlohmann::json inspect_json(const inspect::Inspection& r, const inspect::InspectOptions& o,
                            const std::optional<inspect::ServerCheck>& server, bool refused);

// Header, claims, grants, identity, signature, validity window (relative to `now`, unix
// seconds), one line per diagnosis and a verdict.
std::string render_inspect(const inspect::Inspection& r, const inspect::InspectOptions& o,
                           const std::optional<inspect::ServerCheck>& server, std::int64_t now);

}  // namespace roomctl::report
