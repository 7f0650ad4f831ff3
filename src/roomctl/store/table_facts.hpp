#pragma once
// What the server knows about the room table beyond its rows: how the mapping classifies its
// status values, whether row-level security filters the connecting role, the run lock, and
// which backend serves a connection, over a store connection the caller owns (statements in
// sql.hpp); used by room_store.cpp (libroomctl_io), which turns libpqxx exceptions into roomctl
// Errors.
//
// `table_sql` is the table as room_store.cpp quotes it ("schema"."table" or "table");
// `status_sql` the quoted status column, optionally prefixed ("t."). Every function throws
// libpqxx exceptions only. Every transaction starts with the connection's SET LOCAL timeouts
// (apply_timeouts).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/pg_connection.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/store/sql.hpp"

namespace roomctl::store::facts {

// The Liveness of sql::liveness's text.
Liveness liveness_of(std::string_view code);

// Rows per status text (sql::RowSql::status: the status column, the session table's status or
// live_when's value), most rows first. `live_array` and `ended_array` are text[] literals of
// the mapping's words.
std::vector<StatusCount> status_counts(PgConnection& conn, const sql::RowSql& row,
                                       const std::string& live_array,
                                       const std::string& ended_array);

// Row-level security as it applies to current_user on the table; nullopt when the table does
// not exist. Counts the rows the role sees.
std::optional<RowVisibility> row_visibility(PgConnection& conn, const std::string& table_sql);

// table_lock_key of the table's OID, computed by the server; nullopt when the table does not
// exist.
std::optional<std::int64_t> table_lock_key(PgConnection& conn, const std::string& table_sql);

// pg_try_advisory_lock(key): true when taken.
bool try_lock(PgConnection& conn, std::int64_t key);
// pg_advisory_unlock(key): false when this session did not hold it.
bool unlock(PgConnection& conn, std::int64_t key);

// The session holding advisory lock `key` (64-bit form) in this database, if any.
std::optional<LockHolder> lock_holder(PgConnection& conn, std::int64_t key);

// pg_backend_pid(), in a transaction of its own.
int backend_pid(PgConnection& conn);

// RoomStore::session_check: the backend pid of two transactions on `conn`, then of one on a
// second connection from `open_other` (closed again before returning), and what they show.
SessionCheck session_check(PgConnection& conn,
                           const std::function<std::unique_ptr<PgConnection>()>& open_other);

}  // namespace roomctl::store::facts
