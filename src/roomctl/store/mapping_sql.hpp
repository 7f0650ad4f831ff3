#pragma once
// The mapping's table and columns as the server sees them, for the store (room_store.cpp); the
// statements are in sql.hpp. Part of libroomctl_io.so; throws libpqxx exceptions only (the store
// turns them into roomctl Errors).

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "roomctl/config/settings.hpp"
#include "roomctl/store/pg_connection.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/store/sql.hpp"

namespace roomctl::store {

// The table `table_sql` (quoted, optionally schema-qualified) as the server resolves it now,
// "schema.table" with quote_ident on each part; nullopt when there is no such table.
std::optional<std::string> resolved_table(pqxx::transaction_base& tx, const std::string& table_sql);

// Whether the mapping works on the database, in transactions of their own on `conn` (with the
// connection's limits): the table and every column the mapping names exist (name, SID, status
// or session key, template columns, a starts_column of a date/time type, the per-row setting
// columns of RoomMapping::setting_columns, of any type), the session table
// and its key and status columns (with session_table), and the whole read plans under EXPLAIN
// (live_when, the session join's types, the template). `problem` names what is wrong, in the
// server's words where it has them, and the setting to change. `live_array`/`ended_array` are
// the mapping's words as text[] literals.
MappingCheck check_mapping_sql(PgConnection& conn, const std::string& table_sql,
                               const sql::RowSql& row, const config::RoomMapping& mapping,
                               const std::string& live_array, const std::string& ended_array);

// The SQL type of `column` of the table as the server spells it ("uuid", "character
// varying(64)"), in a transaction of its own on `conn`; nullopt when there is no such column.
std::optional<std::string> column_type(PgConnection& conn, const std::string& table_sql,
                                       const std::string& column);

}  // namespace roomctl::store
