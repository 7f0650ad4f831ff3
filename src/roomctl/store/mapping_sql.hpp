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

namespace roomctl::store {

// The table `table_sql` (quoted, optionally schema-qualified) as the server resolves it now,
// "schema.table" with quote_ident on each part; nullopt when there is no such table.
std::optional<std::string> resolved_table(pqxx::transaction_base& tx, const std::string& table_sql);

// Whether the mapping's table and its name, sid and status columns exist, in a transaction of
// its own on `conn` (with the connection's limits). `problem` names what is missing and the
// setting to change.
MappingCheck check_mapping_sql(PgConnection& conn, const std::string& table_sql,
                               const config::RoomMapping& mapping);

// The SQL type of `column` of the table as the server spells it ("uuid", "character
// varying(64)"), in a transaction of its own on `conn`; nullopt when there is no such column.
std::optional<std::string> column_type(PgConnection& conn, const std::string& table_sql,
                                       const std::string& column);

}  // namespace roomctl::store
