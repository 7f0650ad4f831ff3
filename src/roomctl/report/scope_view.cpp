#include "roomctl/report/scope_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace roomctl::report {

std::string scope_summary(std::size_t scoped, std::size_t all, const reconcile::Scope& scope,
                          const std::vector<std::string>& kinds) {
    return fmt::format(
        "scope: {} of {} finding(s){}{}", scoped, all,
        scope.rooms.empty() ? std::string()
                            : fmt::format(", rooms {}", fmt::join(scope.rooms, ", ")),
        kinds.empty() ? std::string() : fmt::format(", kinds {}", fmt::join(kinds, ", ")));
}

nlohmann::json scope_json(const reconcile::Scope& scope, const std::string& session,
                          const std::vector<reconcile::ScopeNote>& notes) {
    nlohmann::json note_docs = nlohmann::json::array();
    for (const auto& n : notes) {
        note_docs.push_back({{"room", n.room}, {"declined", n.declined}, {"message", n.message}});
    }
    std::vector<std::string> kinds;
    for (auto k : scope.kinds) kinds.push_back(reconcile::to_string(k));
    return {{"rooms", scope.rooms},
            {"session", session.empty() ? nlohmann::json(nullptr) : nlohmann::json(session)},
            {"kinds", kinds},
            {"notes", note_docs}};
}

}  // namespace roomctl::report
