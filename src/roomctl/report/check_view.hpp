#pragma once
// `roomctl check`: the probes' results as a JSON document and as text. Pure: data in, JSON or
// string out.

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/check/probes.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"schema_version": 1, "command": "check", "ok": bool, "failed": n, "probes": [{"name",
// "target", "status" ("ok"|"failed"|"skipped"), "message", "duration_ms"}, ...]}
nlohmann::json check_json(const check::CheckReport& r);

// One line per probe (mark, name, message), then "all N probes passed" or "F of N probes failed".
// style.quiet: only the failed probes and the count; nothing at all when none failed.
std::string render_check(const check::CheckReport& r, const TextStyle& style);

}  // namespace roomctl::report
