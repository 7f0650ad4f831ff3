#pragma once
// Human renderings of the same data the JSON documents carry. Pure: they return strings;
// `color` only adds ANSI styling, never content.

#include <string>
#include <vector>

#include "roomctl/check/probes.hpp"
#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/plan.hpp"
#include "roomctl/reconcile/safety.hpp"

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
// Findings table, the summary line, and the fixes worth spelling out: one room_name_template
// explaining every name mismatch, and the unclassified status values with their row counts.
std::string render_audit(const reconcile::AuditResult& r, const TextStyle& style);
// `command` is "recreate" or "cleanup"; `applied` false renders the plan of a dry run.
// `refusals` (reconcile::assess) are listed after the plan, one per line, under "--apply is
// refused as unsafe"; with any, the closing line says that nothing was changed, even when
// `applied` (the executor did not run).
std::string render_plan(const std::string& command, const reconcile::Plan& plan, bool applied,
                        const TextStyle& style,
                        const std::vector<reconcile::Refusal>& refusals = {});

}  // namespace roomctl::report
