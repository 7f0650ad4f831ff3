#include "roomctl/reconcile/scope.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

namespace {

constexpr std::array k_kinds{
    FindingKind::missing,        FindingKind::orphaned,     FindingKind::sid_drift,
    FindingKind::name_mismatch,  FindingKind::unclassified, FindingKind::foreign_sid,
    FindingKind::duplicate_name, FindingKind::not_yet_due,
};

bool about(const Finding& f, const std::string& name) {
    if (f.room == name && !f.no_room_name) return true;
    return f.kind == FindingKind::name_mismatch && f.expected_room == name;
}

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

std::string kinds_text(const std::vector<FindingKind>& kinds) {
    std::vector<std::string> names;
    for (auto k : kinds) {
        auto n = to_string(k);
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

// Why `command` does nothing about a room whose findings are `kinds` (first kind decides).
ScopeNote finding_note(const NamedRoom& n, ScopedCommand command) {
    const auto room = quoted(n.name);
    const auto kind = n.kinds.front();
    const bool recreate = command == ScopedCommand::recreate;
    if (kind == FindingKind::duplicate_name) {
        return {n.name, true,
                fmt::format("room {} is named by several live rows (duplicate_name): nothing is "
                            "created, recorded or deleted for it until one remains",
                            room)};
    }
    if (kind == FindingKind::not_yet_due) {
        return {n.name, !recreate,
                fmt::format("room {} is not due yet: its session starts later than "
                            "--starting-within; a later recreate run creates it",
                            room)};
    }
    if (recreate && kind == FindingKind::orphaned) {
        return {n.name, true,
                fmt::format("room {} is not recreated: the server has it and no live row owns it "
                            "(orphaned); roomctl cleanup {} deletes it",
                            room, n.name)};
    }
    if (!recreate && kind == FindingKind::missing) {
        return {n.name, true,
                fmt::format("room {} is not deleted: the server has no such room and a live row "
                            "wants it (missing); roomctl recreate {} creates it",
                            room, n.name)};
    }
    if (!recreate && (kind == FindingKind::sid_drift || kind == FindingKind::foreign_sid)) {
        return {n.name, true,
                fmt::format("room {} is not deleted: a live row owns it ({}); cleanup deletes only "
                            "orphaned rooms",
                            room, to_string(kind))};
    }
    if (recreate && kind == FindingKind::sid_drift) {
        return {n.name, true,
                fmt::format("room {} has SID drift, but the mapping records no SID ([rooms] "
                            "sid_column): nothing to record",
                            room)};
    }
    return {n.name, true,
            fmt::format("room {} is {}: {} does nothing for it (roomctl audit {} says why)", room,
                        kinds_text(n.kinds), recreate ? "recreate" : "cleanup", n.name)};
}

}  // namespace

std::vector<std::string> finding_kind_names() {
    std::vector<std::string> out;
    for (auto k : k_kinds) out.push_back(to_string(k));
    return out;
}

FindingKind finding_kind(std::string_view text) {
    std::vector<std::string> names;
    for (auto k : k_kinds) {
        if (to_string(k) == text) return k;
        names.push_back(to_string(k));
    }
    throw usage_error(fmt::format("--kind \"{}\" is no finding kind; use one of {}", text,
                                  fmt::join(names, ", ")));
}

bool in_scope(const Finding& f, const Scope& scope) {
    if (!scope.kinds.empty() && !scope.kinds.contains(f.kind)) return false;
    if (scope.rooms.empty()) return true;
    return std::any_of(scope.rooms.begin(), scope.rooms.end(),
                       [&](const std::string& name) { return about(f, name); });
}

std::vector<NamedRoom> name_rooms(const AuditResult& whole, const Inventory& inventory,
                                  const Scope& scope) {
    std::vector<NamedRoom> out;
    for (const auto& name : scope.rooms) {
        if (std::any_of(out.begin(), out.end(), [&](const NamedRoom& n) { return n.name == name; }))
            continue;
        NamedRoom n;
        n.name = name;
        for (const auto& f : whole.findings) {
            if (!about(f, name)) continue;
            n.kinds.push_back(f.kind);
            if (scope.kinds.empty() || scope.kinds.contains(f.kind)) n.in_scope.push_back(f.kind);
        }
        const auto row = std::find_if(inventory.database.begin(), inventory.database.end(),
                                      [&](const store::DbRoom& r) { return r.room == name; });
        const auto live_row = std::find_if(
            inventory.database.begin(), inventory.database.end(), [&](const store::DbRoom& r) {
                return r.room == name && r.liveness == store::Liveness::live;
            });
        const bool on_server =
            std::any_of(inventory.server.begin(), inventory.server.end(),
                        [&](const media::ServerRoom& r) { return r.name == name; });
        if (!n.kinds.empty()) {
            n.state = NameState::finding;
        } else if (on_server) {
            // A server room no finding is about is owned by a live row with its SID.
            n.state = NameState::in_sync;
            if (live_row != inventory.database.end()) n.status = live_row->status;
        } else if (row != inventory.database.end()) {
            n.state = NameState::ended;
            n.status = row->status;
        }
        out.push_back(std::move(n));
    }
    return out;
}

void require_known(const std::vector<NamedRoom>& names) {
    std::vector<std::string> unknown;
    for (const auto& n : names) {
        if (n.state == NameState::unknown) unknown.push_back(quoted(n.name));
    }
    if (unknown.empty()) return;
    throw runtime_error(fmt::format(
        "no row and no server room named {}: nothing done; roomctl audit and roomctl rooms list "
        "show the names",
        fmt::join(unknown, ", ")));
}

std::size_t scope_findings(AuditResult& audit, const Scope& scope) {
    if (scope.everything()) return 0;
    const auto before = audit.findings.size();
    std::erase_if(audit.findings, [&](const Finding& f) { return !in_scope(f, scope); });
    count_findings(audit.summary, audit.findings);
    return before - audit.findings.size();
}

std::vector<ScopeNote> scope_notes(const std::vector<NamedRoom>& names, const AuditResult& scoped,
                                   const Plan& plan, ScopedCommand command) {
    std::vector<ScopeNote> out;
    const bool cleanup = command == ScopedCommand::cleanup;
    for (const auto& n : names) {
        const auto room = quoted(n.name);
        const auto status = n.status ? fmt::format(" (status \"{}\")", *n.status) : std::string();
        switch (n.state) {
            case NameState::unknown:
                continue;  // require_known's business
            case NameState::in_sync:
                if (cleanup) {
                    out.push_back({n.name, true,
                                   fmt::format("room {} is not deleted: a live row owns it{} and "
                                               "it is in sync; cleanup deletes only orphaned rooms",
                                               room, status)});
                } else {
                    out.push_back(
                        {n.name, false, fmt::format("room {} is in sync: nothing to do", room)});
                }
                continue;
            case NameState::ended:
                out.push_back(
                    {n.name, command == ScopedCommand::recreate,
                     fmt::format("room {}: its row says ended{} and the server has no such room: "
                                 "nothing to do{}",
                                 room, status,
                                 command == ScopedCommand::recreate
                                     ? " (recreate makes rooms for live rows only)"
                                     : "")});
                continue;
            case NameState::finding:
                break;
        }
        if (n.in_scope.empty()) {
            out.push_back(
                {n.name, false,
                 fmt::format("room {} is {}, which --kind leaves out", room, kinds_text(n.kinds))});
            continue;
        }
        if (command == ScopedCommand::audit) continue;
        // The rooms the plan's actions for this name carry: the name, and for a
        // name_mismatch the other side's name.
        std::vector<std::string> rooms{n.name};
        for (const auto& f : scoped.findings) {
            if (!about(f, n.name)) continue;
            rooms.push_back(f.room);
            rooms.push_back(f.expected_room);
        }
        const bool acted =
            std::any_of(plan.actions.begin(), plan.actions.end(), [&](const Action& a) {
                return std::find(rooms.begin(), rooms.end(), a.room) != rooms.end();
            });
        if (!acted) out.push_back(finding_note(n, command));
    }
    return out;
}

std::vector<std::string> session_rooms(store::RoomStore& store, const config::RoomMapping& m,
                                       const std::string& session) {
    const auto rows = store.find_session(session);
    if (rows.empty()) {
        throw runtime_error(fmt::format("no row in {} has {} = \"{}\": nothing done", m.table,
                                        m.session_column, session));
    }
    std::vector<std::string> rooms;
    for (const auto& row : rows) {
        if (row.room.empty()) continue;
        if (std::find(rooms.begin(), rooms.end(), row.room) == rooms.end()) {
            rooms.push_back(row.room);
        }
    }
    if (rooms.empty()) {
        throw runtime_error(fmt::format(
            "the {} row(s) of session \"{}\" have no room name (a column [rooms] "
            "room_name_template reads is NULL): nothing done; fill it in or fix the template",
            rows.size(), session));
    }
    return rooms;
}

}  // namespace roomctl::reconcile
