#pragma once
// Compares the database's rooms with the media server's rooms. Pure: no I/O.
//
//   missing    a live database room (status in live_statuses) with no server room of that name
//   orphaned   a server room that no live row owns (no row at all, or only ended rows)
//   sid_drift  a live room present on both sides whose stored SID is NULL/empty or differs
//              from the server's

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

struct Inventory {
    std::vector<store::DbRoom> database;
    std::vector<media::ServerRoom> server;
    std::int64_t observed_at = 0;  // unix seconds when the server list was read
};

enum class FindingKind { missing, orphaned, sid_drift };
std::string to_string(FindingKind k);

struct Finding {
    FindingKind kind = FindingKind::missing;
    std::string room;
    std::optional<std::string> database_sid;     // nullopt: no row, or SID is NULL
    std::optional<std::string> server_sid;       // nullopt: not on the server
    std::optional<std::string> database_status;  // status of the row, when there is one
    std::uint32_t num_participants = 0;          // server rooms only
    std::int64_t server_created_at = 0;          // unix seconds; server rooms only
};

struct AuditSummary {
    std::size_t database_rooms = 0;  // rows read
    std::size_t live_rooms = 0;      // distinct live names
    std::size_t server_rooms = 0;
    std::size_t in_sync = 0;         // live rooms on the server with a matching SID
    std::size_t missing = 0, orphaned = 0, sid_drift = 0;
    std::size_t findings() const { return missing + orphaned + sid_drift; }
};

struct AuditResult {
    AuditSummary summary;
    std::vector<Finding> findings;  // ordered by kind, then room name
};

AuditResult audit(const Inventory& inventory);

}  // namespace roomctl::reconcile
