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
        case FindingKind::name_mismatch: return "name_mismatch";
    }
    return "unknown";
}

std::optional<std::string> template_matching(const std::string& value, const std::string& room) {
    if (value.empty() || value == room) return std::nullopt;
    auto at = room.find(value);
    if (at == std::string::npos) return std::nullopt;
    return room.substr(0, at) + "{name}" + room.substr(at + value.size());
}

namespace {

// Short values match too easily ("a" is in "stray"): demand a real identifier.
constexpr std::size_t k_min_shared_length = 4;

// The server room an expected room name corresponds to, if exactly one candidate differs
// from it only by affixes. `a` and `b` match when one contains the other.
bool affix_related(const std::string& a, const std::string& b) {
    const auto& shorter = a.size() < b.size() ? a : b;
    const auto& longer = a.size() < b.size() ? b : a;
    return shorter.size() >= k_min_shared_length && shorter.size() < longer.size() &&
           longer.find(shorter) != std::string::npos;
}

// Turns unambiguous (one-to-one) pairs of missing rows and orphaned rooms into name_mismatch
// findings, removing the two findings each pair replaces.
void pair_name_mismatches(std::vector<Finding>& findings) {
    std::vector<std::size_t> missing, orphaned;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (findings[i].kind == FindingKind::missing) missing.push_back(i);
        if (findings[i].kind == FindingKind::orphaned && !findings[i].database_name) orphaned.push_back(i);
    }
    auto candidates = [&](const std::string& name, const std::vector<std::size_t>& pool) {
        std::vector<std::size_t> out;
        for (auto j : pool) {
            if (affix_related(name, findings[j].room)) out.push_back(j);
        }
        return out;
    };
    std::vector<bool> drop(findings.size(), false);
    std::vector<Finding> pairs;
    for (auto m : missing) {
        auto matches = candidates(findings[m].room, orphaned);
        if (matches.size() != 1) continue;
        auto o = matches.front();
        if (candidates(findings[o].room, missing).size() != 1) continue;  // ambiguous back
        Finding f = findings[o];
        f.kind = FindingKind::name_mismatch;
        f.database_name = findings[m].database_name;
        f.database_sid = findings[m].database_sid;
        f.database_status = findings[m].database_status;
        f.expected_room = findings[m].room;
        // The template that makes the row's value name the server's room.
        f.suggested_template =
            template_matching(findings[m].database_name.value_or(findings[m].room), f.room)
                .value_or("");
        drop[m] = drop[o] = true;
        pairs.push_back(std::move(f));
    }
    std::vector<Finding> kept;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (!drop[i]) kept.push_back(std::move(findings[i]));
    }
    for (auto& p : pairs) kept.push_back(std::move(p));
    findings = std::move(kept);
}

}  // namespace

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
        if (row.live) live.try_emplace(row.room, &row);
        any_row.try_emplace(row.room, &row);
    }
    s.live_rooms = live.size();
    std::map<std::string, const media::ServerRoom*> server;
    for (const auto& room : inv.server) server.try_emplace(room.name, &room);

    for (const auto& [name, row] : live) {
        auto it = server.find(name);
        if (it == server.end()) {
            result.findings.push_back(
                {FindingKind::missing, name, row->name, row->sid, std::nullopt, row->status, 0, 0,
                 {}, {}, std::nullopt});
            continue;
        }
        const auto& room = *it->second;
        if (!row->sid || row->sid->empty() || *row->sid != room.sid) {
            result.findings.push_back({FindingKind::sid_drift, name, row->name, row->sid,
                                       room.sid, row->status, room.num_participants,
                                       room.creation_time, {}, {}, room});
        } else {
            ++s.in_sync;
        }
    }
    for (const auto& [name, room] : server) {
        if (live.count(name)) continue;
        auto row = any_row.find(name);
        std::optional<std::string> db_name, db_sid, db_status;
        if (row != any_row.end()) {
            db_name = row->second->name;
            db_sid = row->second->sid;
            db_status = row->second->status;
        }
        result.findings.push_back({FindingKind::orphaned, name, db_name, db_sid, room->sid,
                                   db_status, room->num_participants, room->creation_time, {}, {},
                                   *room});
    }
    pair_name_mismatches(result.findings);
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
            case FindingKind::name_mismatch: ++s.name_mismatch; break;
        }
    }
    return result;
}

}  // namespace roomctl::reconcile
