#pragma once
// A scoped run (`audit|recreate|cleanup NAME…`, --session, --kind; reconcile/scope.hpp): the
// status line saying how much of the picture it acts on, and the document's "scope" object.
// Pure.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "roomctl/reconcile/scope.hpp"

namespace roomctl::report {

// "scope: 2 of 9 finding(s), rooms a, b, kinds missing": `scoped` of the whole run's `all`
// findings, the rooms asked for (names and the --session's rooms) and the --kind words as typed.
std::string scope_summary(std::size_t scoped, std::size_t all, const reconcile::Scope& scope,
                          const std::vector<std::string>& kinds);

// {"rooms": [...], "session": ID|null (empty `session`), "kinds": [...] (FindingKind words),
//  "notes": [{"room", "declined", "message"}]}.
nlohmann::json scope_json(const reconcile::Scope& scope, const std::string& session,
                          const std::vector<reconcile::ScopeNote>& notes);

}  // namespace roomctl::report
