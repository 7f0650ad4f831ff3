#include "roomctl/reconcile/audit.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "roomctl/config/settings.hpp"
#include "roomctl/reconcile/audit_rows.hpp"

namespace roomctl::reconcile {

std::string to_string(FindingKind k) {
    switch (k) {
        case FindingKind::missing:
            return "missing";
        case FindingKind::orphaned:
            return "orphaned";
        case FindingKind::sid_drift:
            return "sid_drift";
        case FindingKind::name_mismatch:
            return "name_mismatch";
        case FindingKind::unclassified:
            return "unclassified";
        case FindingKind::foreign_sid:
            return "foreign_sid";
        case FindingKind::duplicate_name:
            return "duplicate_name";
        case FindingKind::not_yet_due:
            return "not_yet_due";
    }
    return "unknown";
}

std::string to_string(MissingCause c) {
    switch (c) {
        case MissingCause::never_created:
            return "never_created";
        case MissingCause::expired:
            return "expired";
        case MissingCause::unknown:
            break;
    }
    return "unknown";
}

std::optional<std::string> sid_provider(const std::string& sid) {
    auto all = [&](std::size_t from, auto pred) {
        return std::all_of(sid.begin() + static_cast<std::ptrdiff_t>(from), sid.end(),
                           [&](char c) { return pred(static_cast<unsigned char>(c)); });
    };
    if (sid.size() == 3 + 12 && sid.compare(0, 3, "RM_") == 0 &&
        all(3, [](unsigned char c) { return std::isalnum(c) != 0; })) {
        return "livekit";
    }
    if (sid.size() == 2 + 32 && sid.compare(0, 2, "RM") == 0 &&
        all(2, [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        return "twilio";
    }
    return std::nullopt;
}

std::string sid_pattern(const std::string& provider) {
    const std::string digits = "0123456789";
    const std::string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const std::string lower = "abcdefghijklmnopqrstuvwxyz";
    if (provider == "livekit") return "^RM_[" + digits + upper + lower + "]{12}$";
    if (provider == "twilio") return "^RM[" + digits + "ABCDEFabcdef]{32}$";
    return "";
}

std::vector<std::string> sid_providers() { return {"livekit", "twilio"}; }

std::string provider_title(const std::string& provider) {
    if (provider == "livekit") return "LiveKit";
    if (provider == "twilio") return "Twilio";
    return provider;
}

std::string sid_shape(const std::string& provider) {
    if (provider == "livekit") return "RM_...";
    if (provider == "twilio") return "RM + 32 hex digits";
    return "";
}

std::string apply_template(const std::string& room_template, const std::string& value) {
    config::RoomMapping m;
    m.room_name_template = room_template;
    return config::room_name_for(m, value);
}

std::optional<std::string> template_matching(const std::string& value, const std::string& room) {
    if (value.empty() || value == room) return std::nullopt;
    auto at = room.find(value);
    if (at == std::string::npos) return std::nullopt;
    auto t = room.substr(0, at) + "{name}" + room.substr(at + value.size());
    // A room that itself contains "{name}" would make a template that names another room.
    if (apply_template(t, value) != room) return std::nullopt;
    return t;
}

std::string status_key(const std::optional<std::string>& status) {
    return status ? *status : std::string("NULL");
}

namespace {

// Short values match too easily ("a" is in "stray"): names alone pair only real identifiers.
// Shorter ones are paired through a template that such pairs (or SIDs) established.
constexpr std::size_t k_min_shared_length = 4;

bool is_live(const store::DbRoom& r) { return r.liveness == store::Liveness::live; }
bool is_unclassified(const store::DbRoom& r) { return r.liveness == store::Liveness::unclassified; }

// `a` and `b` differ only by affixes: one contains the other, which is long enough to mean it.
bool affix_related(const std::string& a, const std::string& b) {
    const auto& shorter = a.size() < b.size() ? a : b;
    const auto& longer = a.size() < b.size() ? b : a;
    return shorter.size() >= k_min_shared_length && shorter.size() < longer.size() &&
           longer.find(shorter) != std::string::npos;
}

Finding about_server_room(FindingKind kind, const media::ServerRoom& room) {
    Finding f;
    f.kind = kind;
    f.room = room.name;
    f.server_sid = room.sid;
    f.num_participants = room.num_participants;
    f.server_created_at = room.creation_time;
    f.server_room = room;
    return f;
}

void add_row(Finding& f, const store::DbRoom& row) {
    f.database_name = row.name;
    f.database_sid = row.sid;
    f.database_status = row.status;
    f.starts_at = row.starts_at;
}

// The template that makes the row's value name `room`; "{name}" when the value is the room.
std::string suggestion(const std::string& value, const std::string& room) {
    if (!value.empty() && value == room) return "{name}";
    return template_matching(value, room).value_or("");
}

// Turns the missing row at `m` and the orphaned room at `o` into one name_mismatch (kept at
// `o`); the caller drops `m`.
void make_pair(std::vector<Finding>& findings, std::size_t m, std::size_t o) {
    Finding& f = findings[o];
    const Finding& row = findings[m];
    f.kind = FindingKind::name_mismatch;
    f.database_name = row.database_name;
    f.database_sid = row.database_sid;
    f.database_status = row.database_status;
    f.expected_room = row.room;
    f.suggested_template = suggestion(row.database_name.value_or(row.room), f.room);
}

void drop_marked(std::vector<Finding>& findings, const std::vector<bool>& drop) {
    std::vector<Finding> kept;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (!drop[i]) kept.push_back(std::move(findings[i]));
    }
    findings = std::move(kept);
}

std::vector<std::size_t> indexes(const std::vector<Finding>& findings, FindingKind kind) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        // Only orphans that no row names can be another row's room under other names.
        if (findings[i].kind == kind &&
            (kind != FindingKind::orphaned || !findings[i].database_name)) {
            out.push_back(i);
        }
    }
    return out;
}

// Name evidence: unambiguous (one-to-one) pairs of a missing row and an orphaned room whose
// names differ only by affixes.
void pair_by_affixes(std::vector<Finding>& findings) {
    auto missing = indexes(findings, FindingKind::missing);
    auto orphaned = indexes(findings, FindingKind::orphaned);
    auto candidates = [&](const std::string& name, const std::vector<std::size_t>& pool) {
        std::vector<std::size_t> out;
        for (auto j : pool) {
            if (affix_related(name, findings[j].room)) out.push_back(j);
        }
        return out;
    };
    std::vector<bool> drop(findings.size(), false);
    for (auto m : missing) {
        auto matches = candidates(findings[m].room, orphaned);
        if (matches.size() != 1) continue;
        auto o = matches.front();
        if (candidates(findings[o].room, missing).size() != 1) continue;  // ambiguous back
        make_pair(findings, m, o);
        drop[m] = true;
    }
    drop_marked(findings, drop);
}

// Template evidence: once pairs tied by SID or by long names agree on templates, a missing
// row whose value one of them turns into exactly one orphaned room (that no other row claims)
// is paired with it, whatever the value's length, so a run never calls row "ab" missing and
// room "session-ab" orphaned while it calls "P46odHdPO0wJ" a mismatch of "session-{name}".
void pair_by_templates(std::vector<Finding>& findings) {
    std::set<std::string> templates;
    for (const auto& f : findings) {
        if (f.kind == FindingKind::name_mismatch && !f.suggested_template.empty()) {
            templates.insert(f.suggested_template);
        }
    }
    if (templates.empty()) return;
    std::map<std::string, std::size_t> orphan_at;
    for (auto o : indexes(findings, FindingKind::orphaned)) orphan_at.emplace(findings[o].room, o);
    std::map<std::size_t, std::vector<std::size_t>> claims;  // orphan -> missing rows
    for (auto m : indexes(findings, FindingKind::missing)) {
        const auto value = findings[m].database_name.value_or(findings[m].room);
        std::set<std::size_t> hits;
        for (const auto& t : templates) {
            auto it = orphan_at.find(apply_template(t, value));
            if (it != orphan_at.end()) hits.insert(it->second);
        }
        if (hits.size() == 1) claims[*hits.begin()].push_back(m);
    }
    std::vector<bool> drop(findings.size(), false);
    for (const auto& [o, rows] : claims) {
        if (rows.size() != 1) continue;
        make_pair(findings, rows.front(), o);
        drop[rows.front()] = true;
    }
    drop_marked(findings, drop);
}

}  // namespace

AuditResult audit(const Inventory& inv) {
    AuditResult result;
    auto& s = result.summary;
    auto& findings = result.findings;
    s.database_rooms = inv.database.size() + inv.unread_rows;
    s.server_rooms = inv.server.size();
    s.provider = inv.provider;
    s.table = inv.table;
    s.sid_column = inv.sid_column;
    s.matched_by_name_only = inv.sid_column.empty();
    std::vector<store::DbRoom> name_only_rows;
    const auto& mapped = detail::rows_as_mapped(inv, name_only_rows);
    const auto unmatchable = detail::unmatchable_rows(mapped);
    // Rooms two live rows name belong to neither until the rows are fixed.
    auto duplicated = [&](const std::string& room) {
        return unmatchable.duplicates.count(room) > 0;
    };
    // The other provider a row's SID belongs to; nullopt when it is this run's, unknown, or
    // this run's provider is unknown.
    std::map<std::string, std::size_t> foreign_tally;
    auto foreign = [&](const store::DbRoom& row) -> std::optional<std::string> {
        if (inv.provider.empty() || !row.sid || row.sid->empty()) return std::nullopt;
        auto owner = sid_provider(*row.sid);
        if (!owner || *owner == inv.provider) return std::nullopt;
        ++foreign_tally[*owner];
        return owner;
    };

    // Several rows may share a name (an ended session and its live successor); the live row
    // is the one that owns the server room.
    std::map<std::string, const store::DbRoom*> live, unclassified, any_row;
    for (const auto& row : mapped) {
        any_row.try_emplace(row.room, &row);
        if (is_live(row) && !row.room.empty() && !duplicated(row.room)) {
            live.try_emplace(row.room, &row);
        }
        if (is_unclassified(row)) {
            unclassified.try_emplace(row.room, &row);
            ++s.unclassified_statuses[status_key(row.status)];
        }
    }
    s.live_rooms = live.size() + unmatchable.duplicates.size();
    std::map<std::string, const media::ServerRoom*> server, by_sid;
    for (const auto& room : inv.server) {
        server.try_emplace(room.name, &room);
        if (!room.sid.empty()) by_sid.try_emplace(room.sid, &room);
    }
    // The server room a row's recorded SID is alive under, when that is not the row's room.
    auto sid_elsewhere = [&](const store::DbRoom& row) -> const media::ServerRoom* {
        if (!row.sid || row.sid->empty()) return nullptr;
        auto it = by_sid.find(*row.sid);
        if (it == by_sid.end() || it->second->name == row.room) return nullptr;
        return it->second;
    };
    std::set<std::string> claimed;  // server rooms a row's SID ties to that row
    auto sid_mismatch = [&](const store::DbRoom& row, const media::ServerRoom& room) {
        Finding f = about_server_room(FindingKind::name_mismatch, room);
        add_row(f, row);
        f.expected_room = row.room;
        f.sid_evidence = true;
        // A room another live row names is that row's: no template fits both.
        // A duplicated row's room is no row's: no template makes the pair one to one.
        if (!live.count(room.name) && !duplicated(room.name) && !duplicated(row.room)) {
            f.suggested_template = suggestion(row.name, room.name);
        }
        claimed.insert(room.name);
        findings.push_back(std::move(f));
    };

    for (const auto& [name, row] : live) {
        if (row->sid && !row->sid->empty()) ++s.live_with_sid;
        // Another provider's SID: this run's server cannot know it, so neither "missing" nor
        // "drifted" can be trusted; the row is reported and left alone.
        if (auto owner = foreign(*row)) {
            Finding f;
            if (auto it = server.find(name); it != server.end()) {
                f = about_server_room(FindingKind::foreign_sid, *it->second);
            } else {
                f.room = name;
            }
            f.kind = FindingKind::foreign_sid;
            add_row(f, *row);
            f.sid_provider = *owner;
            findings.push_back(std::move(f));
            continue;
        }
        // Never missing, and its SID never overwritten, while that SID is alive elsewhere.
        if (const auto* elsewhere = sid_elsewhere(*row)) {
            sid_mismatch(*row, *elsewhere);
            continue;
        }
        auto it = server.find(name);
        if (it == server.end()) {
            Finding f;
            f.kind = FindingKind::missing;
            f.room = name;
            add_row(f, *row);
            f.row_settings = row->settings;  // recreate makes the room with them
            findings.push_back(std::move(f));
            continue;
        }
        const auto& room = *it->second;
        // Without a SID column the name is all there is to match: the room is the row's.
        const bool drifted = !row->sid || row->sid->empty() || *row->sid != room.sid;
        if (drifted && !s.matched_by_name_only) {
            Finding f = about_server_room(FindingKind::sid_drift, room);
            add_row(f, *row);
            findings.push_back(std::move(f));
        } else {
            ++s.in_sync;
        }
    }
    // Rows not matched above: ended and unclassified ones, and live rows of a duplicated room.
    for (const auto& row : mapped) {
        if (is_live(row) && !duplicated(row.room)) continue;
        if (!is_live(row) && foreign(row)) {
            ++s.ended_foreign_sids;
            continue;  // no server of this provider can hold it
        }
        const auto* elsewhere = sid_elsewhere(row);
        if (!elsewhere || claimed.count(elsewhere->name) || live.count(elsewhere->name) ||
            duplicated(elsewhere->name)) {
            continue;
        }
        sid_mismatch(row, *elsewhere);
    }
    for (const auto& [name, row] : unclassified) {
        auto it = server.find(name);
        Finding f;
        if (it != server.end()) {
            f = about_server_room(FindingKind::unclassified, *it->second);
        } else {
            f.kind = FindingKind::unclassified;
            f.room = name;
        }
        add_row(f, *row);
        findings.push_back(std::move(f));
    }
    for (const auto& [name, room] : server) {
        if (live.count(name) || unclassified.count(name) || claimed.count(name) ||
            duplicated(name)) {
            continue;
        }
        Finding f = about_server_room(FindingKind::orphaned, *room);
        if (auto row = any_row.find(name); row != any_row.end()) add_row(f, *row->second);
        findings.push_back(std::move(f));
    }
    pair_by_affixes(findings);
    pair_by_templates(findings);
    for (auto& f : detail::unmatchable_findings(unmatchable, server)) {
        findings.push_back(std::move(f));
    }
    detail::apply_schedules(findings, inv);
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        return a.room < b.room;
    });
    count_findings(s, findings);
    for (const auto& [owner, rows] : inv.unread_foreign_sids) {
        if (inv.provider.empty() || owner == inv.provider || rows == 0) continue;
        s.ended_foreign_sids += rows;
        foreign_tally[owner] += rows;
    }
    std::size_t most = 0;
    for (const auto& [owner, rows] : foreign_tally) {
        if (rows > most) {
            most = rows;
            s.foreign_provider = owner;
        }
    }
    return result;
}

void count_findings(AuditSummary& s, const std::vector<Finding>& findings) {
    s.missing = s.orphaned = s.sid_drift = s.name_mismatch = s.unclassified = 0;
    s.foreign_sid = s.duplicate_name = s.not_yet_due = s.unnamed_rows = 0;
    for (const auto& f : findings) {
        switch (f.kind) {
            case FindingKind::missing:
                ++s.missing;
                break;
            case FindingKind::orphaned:
                ++s.orphaned;
                break;
            case FindingKind::sid_drift:
                ++s.sid_drift;
                break;
            case FindingKind::name_mismatch:
                ++s.name_mismatch;
                break;
            case FindingKind::unclassified:
                ++s.unclassified;
                if (f.no_room_name) ++s.unnamed_rows;
                break;
            case FindingKind::foreign_sid:
                ++s.foreign_sid;
                break;
            case FindingKind::duplicate_name:
                ++s.duplicate_name;
                break;
            case FindingKind::not_yet_due:
                ++s.not_yet_due;
                break;
        }
    }
}

}  // namespace roomctl::reconcile
