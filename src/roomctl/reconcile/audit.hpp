#pragma once
// Compares the database's rooms with the media server's rooms. Pure: no I/O.
//
//   missing    a live row (status in live_statuses) with no server room of its name, whose
//              recorded SID is not alive on the server under another name either
//   orphaned   a server room that no live or unclassified row names and no row's recorded SID
//              points at: no row at all (database_name empty), or only ended rows (the row's
//              status is positive evidence that the session is over)
//   sid_drift  a live room present on both sides whose stored SID is NULL/empty or differs
//              from the server's (and whose stored SID is not alive under another name)
//   name_mismatch  a row and a server room that belong together under another name:
//              - SID evidence: the server room's SID equals the row's recorded SID (any row:
//                live, ended or unclassified), whatever the names; or
//              - name evidence, for live rows without such a SID: a would-be `missing` row and
//                a would-be `orphaned` room (no row) whose names differ only by a prefix and/or
//                suffix, paired one to one (e.g. "P46odHdPO0wJ" vs
//                "session-P46odHdPO0wJ"). Values shorter than 4 characters are paired only
//                through a template that unambiguous pairs established ("session-{name}"
//                makes row "x" and room "session-x" a pair).
//              Reported with the room_name_template that would match, when one exists. Such a
//              room is never deleted and such a row never recreated, and recreate never
//              overwrites a SID that is alive under another name.
//   unclassified  a row whose status is in neither live_statuses nor ended_statuses (or NULL),
//              one finding per room (the first such row by name); with the server's room when
//              one of that name exists. Its room is never orphaned (so never deleted) and the
//              row is never missing (so never recreated): the mapping is incomplete.
//              Also, one finding per LIVE row whose room is empty (a column that
//              room_name_template reads is NULL: no room can be named for it), with
//              Finding::no_room_name set: never matched, missing or recreated; counted in
//              AuditSummary::unnamed_rows.
//   duplicate_name  two or more live rows whose room is the same name: one finding per room
//              with every such row in Finding::duplicate_rows and the server's room when it
//              has one. Never in sync, missing or sid_drift, and the server room is never
//              orphaned: which row owns it is unknown until the rows are fixed.
//   not_yet_due  a would-be `missing` row whose session starts (DbRoom::starts_at) later than
//              observed_at + Inventory::due_within_seconds: no room is expected yet. Not a
//              finding for AuditSummary::findings() (a future session is not drift).
//   foreign_sid  a live row whose recorded SID has the format of ANOTHER provider than the
//              one this run talks to (Inventory::provider; see sid_provider()): LiveKit
//              "RM_" + 12 base62 characters, Twilio "RM" + 32 hex digits. The row is never
//              missing and never sid_drift, so it is never recreated and its SID never
//              overwritten; its server room (if one has its name) is never orphaned. A value
//              that is no provider's SID ("stale", "RM_x") is not foreign: it proves nothing
//              about the mapping, and NULL/empty/unknown values keep today's rules (missing
//              or sid_drift). Ended rows with a foreign SID are no finding (a table that
//              outlived a provider migration keeps the old provider's SIDs in its history);
//              they are counted in AuditSummary::ended_foreign_sids. When Inventory::provider
//              is empty, no SID is foreign.
//
// Rows are matched to server rooms by DbRoom::room (room_name_template applied) and by
// DbRoom::liveness (DbRoom::live is not consulted: the store fills both consistently, and a row
// of unknown liveness must not be treated as live or ended).
//
// Without a SID column (Inventory::sid_column empty) every row's SID is ignored: rows match by
// room name only, a live row whose room is on the server is in sync, and there is no
// sid_drift, foreign_sid or SID evidence (name_mismatch comes from names alone);
// AuditSummary::matched_by_name_only says so.
//
// A `missing` (or not_yet_due) finding says why, when the mapping records SIDs: a recorded
// non-empty SID means the room expired (the server closed it), none means it was never
// created (Finding::missing_cause); without a SID column the cause is unknown.

#include <cstdint>
#include <map>
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
    // The provider the server list came from (media::MediaServer::provider(): "livekit",
    // "twilio"); empty: unknown, no SID is judged foreign.
    std::string provider;
    // The mapping the rows came from, named in messages about foreign SIDs ([rooms] table
    // and sid_column).
    std::string table;
    std::string sid_column;  // empty: the mapping records no SID; rows match by name only
    // With [rooms] starts_column: a missing room whose session starts more than this many
    // seconds after observed_at is not_yet_due, not missing. nullopt: no schedules.
    std::optional<std::int64_t> due_within_seconds;
    // Rows of the table left unread because they could not matter (ended rows whose room and
    // SID the server does not report: gather_inventory), counted in SQL in the same snapshot,
    // so that AuditSummary::database_rooms and ended_foreign_sids stay the whole table's.
    // Per other provider: how many of them record a SID of that provider's format.
    std::size_t unread_rows = 0;
    std::map<std::string, std::size_t> unread_foreign_sids;
};

// The provider whose SID format `sid` has: "livekit" for "RM_" + exactly 12 base62
// characters ([0-9A-Za-z], livekit utils/guid), "twilio" for "RM" + exactly 32 hex digits
// (the Twilio spec's ^RM[0-9a-fA-F]{32}$; Twilio itself writes lowercase); nullopt for
// anything else (empty, placeholders, truncated values).
std::optional<std::string> sid_provider(const std::string& sid);

// The same formats as POSIX regular expressions for PostgreSQL's `~` (ASCII character lists,
// not ranges or classes, so no collation or locale widens them): sid_provider(s) == p exactly
// when s matches sid_pattern(p). "" for a provider without a known format.
std::string sid_pattern(const std::string& provider);
// The providers sid_provider() can name: "livekit", "twilio".
std::vector<std::string> sid_providers();

// "LiveKit", "Twilio" for messages; other values as given.
std::string provider_title(const std::string& provider);

// How a provider's room SIDs look, for messages: "RM_..." (LiveKit), "RM + 32 hex digits"
// (Twilio); empty for other values.
std::string sid_shape(const std::string& provider);

enum class FindingKind {
    missing,
    orphaned,
    sid_drift,
    name_mismatch,
    unclassified,
    foreign_sid,
    duplicate_name,  // two or more live rows whose server room is the same name
    not_yet_due,     // a would-be missing room whose session starts after the due window
};

// Why a live row's room is missing, when the mapping can tell (it records SIDs): never
// created (no SID was ever recorded) or expired (a SID was recorded, the room is gone: the
// server closed it, e.g. after its empty timeout).
enum class MissingCause { unknown, never_created, expired };
std::string to_string(MissingCause c);
std::string to_string(FindingKind k);

struct Finding {
    FindingKind kind = FindingKind::missing;
    // Server room name (name_mismatch: the server's room; unclassified: the row's room, which
    // the server may or may not have).
    std::string room;
    std::optional<std::string> database_name;    // the row's name-column value, when a row exists
    std::optional<std::string> database_sid;     // nullopt: no row, or SID is NULL
    std::optional<std::string> server_sid;       // nullopt: not on the server
    std::optional<std::string> database_status;  // status of the row, when there is one
    // Connected participants of the server's room: 0 when the server has no such room,
    // nullopt when it has the room but the count is unknown (media::ServerRoom).
    std::optional<std::uint32_t> num_participants = 0;
    std::int64_t server_created_at = 0;  // unix seconds; server rooms only
    // name_mismatch only: the room the row expects, and the template that would match.
    std::string expected_room;
    std::string suggested_template;
    std::optional<media::ServerRoom> server_room;  // the server's view, when it has the room
    // name_mismatch only: true when the pair is tied by the SID (not only by the names).
    bool sid_evidence = false;
    // foreign_sid only: the provider whose format database_sid has ("livekit", "twilio").
    std::string sid_provider;
    // missing and not_yet_due: why the room is missing.
    MissingCause missing_cause = MissingCause::unknown;
    // When the row's session starts ([rooms] starts_column), unix seconds; nullopt: unknown
    // or no row. Set on every finding that carries a row (database_name).
    std::optional<std::int64_t> starts_at;
    // duplicate_name only: every live row whose room is `room` (name, SID, status), in the
    // table's order.
    std::vector<store::DbRoom> duplicate_rows;
    // unclassified only: the row is live but has no room name (a column that
    // room_name_template reads is NULL); `room` is empty.
    bool no_room_name = false;
    // missing only: the row's room settings from its mapped columns (store::DbRoom::settings:
    // setting -> text), for recreate (room_settings.hpp).
    std::map<std::string, std::string> row_settings;
};

// For a row value and a server room that contains it ("P46", "session-P46"), the template
// that maps one onto the other ("session-{name}"); nullopt when `room` does not contain it.
// Works for values of any length: it says what template would fit, not whether the pair is
// believable (audit decides that).
std::optional<std::string> template_matching(const std::string& value, const std::string& room);

// The room a template gives a value: every "{name}" replaced by `value`.
std::string apply_template(const std::string& room_template, const std::string& value);

// The key of AuditSummary::unclassified_statuses for a row's status: the text as is, NULL as
// "NULL".
std::string status_key(const std::optional<std::string>& status);

struct AuditSummary {
    std::size_t database_rooms = 0;  // rows read
    // distinct live room names (a duplicated one once; rows without a room name not at all)
    std::size_t live_rooms = 0;
    std::size_t server_rooms = 0;
    // live rooms on the server with a matching SID (matched_by_name_only: with their name)
    std::size_t in_sync = 0;
    std::size_t missing = 0, orphaned = 0, sid_drift = 0, name_mismatch = 0;
    // unclassified findings: distinct rooms of unclassified rows, plus one per unnamed row
    std::size_t unclassified = 0;
    std::size_t foreign_sid = 0;     // foreign_sid findings (distinct live rooms)
    std::size_t duplicate_name = 0;  // duplicate_name findings (distinct rooms)
    std::size_t not_yet_due = 0;     // not_yet_due rows (not in findings())
    // Live rows with an empty room name (unclassified findings with no_room_name): nothing
    // can be matched, created or deleted for them with confidence.
    std::size_t unnamed_rows = 0;
    // The mapping records no SID (Inventory::sid_column empty): rows were matched by name only.
    bool matched_by_name_only = false;
    // Live rooms whose row records a non-empty SID (own, foreign or unrecognised): the base
    // that the foreign_sids refusal compares foreign_sid with.
    std::size_t live_with_sid = 0;
    std::size_t ended_foreign_sids = 0;  // non-live rows with a foreign SID (no finding)
    // Copied from the Inventory, for messages: the run's provider, the provider most foreign
    // SIDs belong to (empty when there are none), and the mapping.
    std::string provider, foreign_provider, table, sid_column;
    // Unclassified rows by status value (status_key: NULL is "NULL") -> number of rows, so
    // messages can name the values to add to [rooms] live_statuses or ended_statuses.
    std::map<std::string, std::size_t> unclassified_statuses;
    std::size_t findings() const {
        return missing + orphaned + sid_drift + name_mismatch + unclassified + foreign_sid +
               duplicate_name;
    }
    std::size_t unclassified_rows() const {
        std::size_t n = 0;
        for (const auto& [status, rows] : unclassified_statuses) n += rows;
        return n;
    }
};

struct AuditResult {
    AuditSummary summary;
    std::vector<Finding> findings;  // ordered by kind, then room name
};

AuditResult audit(const Inventory& inventory);

// Sets the summary's finding counters (missing .. not_yet_due, unnamed_rows) from `findings`;
// the picture's sizes (rows, rooms, in_sync) are left as they are.
void count_findings(AuditSummary& summary, const std::vector<Finding>& findings);

}  // namespace roomctl::reconcile
