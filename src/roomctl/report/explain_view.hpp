#pragma once
// `roomctl explain`: its JSON document and its text. The facts first (row, room, naming,
// token, clock), then the causes in the order they bite, then the one command that fixes the
// first. The token itself never appears; its claims do.

#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/explain/diagnose.hpp"
#include "roomctl/explain/facts.hpp"
#include "roomctl/report/text.hpp"

namespace roomctl::report {

// {"request", "rows", "room", "token", "clock_offset_seconds", "causes", "symptom", "fix",
//  "ok"} in the common envelope.
nlohmann::json explain_json(const explain::Facts& facts, const explain::Explanation& why);

std::string render_explain(const explain::Facts& facts, const explain::Explanation& why,
                           const TextStyle& style);

}  // namespace roomctl::report
