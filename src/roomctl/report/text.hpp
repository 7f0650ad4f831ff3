#pragma once
// Human renderings of the same data the JSON documents carry. Pure: they return strings;
// `color` only adds ANSI styling, never content.

#include <string>
#include <vector>

#include "roomctl/check/probes.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"

namespace roomctl::report {

struct TextStyle {
    bool color = false;
    std::int64_t now = 0;  // unix seconds, for ages ("created 5m ago")
};

// Left-aligned columns separated by two spaces; the header row is upper case.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

std::string render_check(const check::CheckReport& r, const TextStyle& style);
std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style);
std::string render_room(const media::ServerRoom& room, const TextStyle& style);
std::string render_participants(const std::vector<media::Participant>& ps);
std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style);
// `command` is "recreate" or "cleanup"; `applied` false renders the plan of a dry run.
std::string render_plan(const std::string& command, const reconcile::Plan& plan, bool applied,
                        const TextStyle& style);

}  // namespace roomctl::report
