#include "roomctl/reconcile/audit.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace roomctl::reconcile {

std::string to_string(FindingKind k) {
    switch (k) {
        case FindingKind::missing: return "missing";
        case FindingKind::orphaned: return "orphaned";
        case FindingKind::sid_drift: return "sid_drift";
    }
    return "unknown";
}

AuditResult audit(const Inventory& inv) {
    AuditResult result;
    auto& s = result.summary;
    s.database_rooms = inv.database.size();
    s.server_rooms = inv.server.size();

    // Several rows may share a name (an ended session and its live successor); the live row
    // is the one that owns the server room.
    std::map<std::string, const store::DbRoom*> live;
    std::map<std::string, const store::DbRoom*> any_row;
    for (const auto& row : inv.database) {
        if (row.live) live.try_emplace(row.name, &row);
        any_row.try_emplace(row.name, &row);
    }
    s.live_rooms = live.size();
    std::map<std::string, const media::ServerRoom*> server;
    for (const auto& room : inv.server) server.try_emplace(room.name, &room);

    for (const auto& [name, row] : live) {
        auto it = server.find(name);
        if (it == server.end()) {
            result.findings.push_back({FindingKind::missing, name, row->sid, std::nullopt,
                                       row->status, 0, 0});
            continue;
        }
        const auto& room = *it->second;
        if (!row->sid || row->sid->empty() || *row->sid != room.sid) {
            result.findings.push_back({FindingKind::sid_drift, name, row->sid, room.sid,
                                       row->status, room.num_participants, room.creation_time});
        } else {
            ++s.in_sync;
        }
    }
    for (const auto& [name, room] : server) {
        if (live.count(name)) continue;
        auto row = any_row.find(name);
        std::optional<std::string> db_sid, db_status;
        if (row != any_row.end()) {
            db_sid = row->second->sid;
            db_status = row->second->status;
        }
        result.findings.push_back({FindingKind::orphaned, name, db_sid, room->sid, db_status,
                                   room->num_participants, room->creation_time});
    }
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [](const Finding& a, const Finding& b) {
                         if (a.kind != b.kind) return a.kind < b.kind;
                         return a.room < b.room;
                     });
    for (const auto& f : result.findings) {
        switch (f.kind) {
            case FindingKind::missing: ++s.missing; break;
            case FindingKind::orphaned: ++s.orphaned; break;
            case FindingKind::sid_drift: ++s.sid_drift; break;
        }
    }
    return result;
}

}  // namespace roomctl::reconcile
