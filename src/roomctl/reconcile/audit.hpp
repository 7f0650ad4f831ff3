#pragma once
// Compares the database's rooms with the media server's rooms. Pure: no I/O.
//
//   missing    a live database room (status in live_statuses) with no server room of that name
//   orphaned   a server room that no live row owns (no row at all, or only ended rows)
//   sid_drift  a live room present on both sides whose stored SID is NULL/empty or differs
//              from the server's
//   name_mismatch  a would-be `missing` row and a would-be `orphaned` server room whose names
//              differ only by a prefix and/or suffix (seed 000: "P46odHdPO0wJ" vs
//              "session-P46odHdPO0wJ"), paired one to one. They are reported with the
//              room_name_template that would match them, and neither is recreated nor deleted.
//
// Rows are matched to server rooms by DbRoom::room (room_name_template applied).

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

enum class FindingKind { missing, orphaned, sid_drift, name_mismatch };
std::string to_string(FindingKind k);

struct Finding {
    FindingKind kind = FindingKind::missing;
    std::string room;  // server room name (name_mismatch: the server's room)
    std::optional<std::string> database_name;  // the row's name-column value, when a row exists
    std::optional<std::string> database_sid;     // nullopt: no row, or SID is NULL
    std::optional<std::string> server_sid;       // nullopt: not on the server
    std::optional<std::string> database_status;  // status of the row, when there is one
    std::uint32_t num_participants = 0;          // server rooms only
    std::int64_t server_created_at = 0;          // unix seconds; server rooms only
    // name_mismatch only: the room the row expects, and the template that would match.
    std::string expected_room;
    std::string suggested_template;
    std::optional<media::ServerRoom> server_room;  // the server's view, when it has the room
};

// For a row value and a server room that contains it ("P46", "session-P46"), the template
// that maps one onto the other ("session-{name}"); nullopt when `room` does not contain it.
std::optional<std::string> template_matching(const std::string& value, const std::string& room);

struct AuditSummary {
    std::size_t database_rooms = 0;  // rows read
    std::size_t live_rooms = 0;      // distinct live names
    std::size_t server_rooms = 0;
    std::size_t in_sync = 0;         // live rooms on the server with a matching SID
    std::size_t missing = 0, orphaned = 0, sid_drift = 0, name_mismatch = 0;
    std::size_t findings() const { return missing + orphaned + sid_drift + name_mismatch; }
};

struct AuditResult {
    AuditSummary summary;
    std::vector<Finding> findings;  // ordered by kind, then room name
};

AuditResult audit(const Inventory& inventory);

}  // namespace roomctl::reconcile
