#pragma once
// SQL of the store's SID writes (room_store.cpp): the SID column's declared limit and the
// table's triggers, and the batched compare-and-set that never truncates. Part of
// libroomctl_io.so; throws libpqxx exceptions, and SidRejected for a SID the column cannot hold
// exactly.

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/pg_connection.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/store/sql.hpp"

namespace roomctl::store {

// The SID column's facts and the type to write through: `base_type` is the column's type
// without its length, by its catalog name ("pg_catalog.varchar", "pg_catalog.bpchar",
// "pg_catalog.uuid"), so that PostgreSQL's assignment coercion checks the length (22001)
// instead of an explicit CAST silently cutting the value. (Not format_type(atttypid, NULL):
// that spells bpchar "character", which is char(1) and would cut every SID to one character.)
struct SidColumnSql {
    SidColumn facts;
    std::string base_type;
};

// In a transaction of its own on `conn`; nullopt when the table or column does not exist.
std::optional<SidColumnSql> sid_column_sql(PgConnection& conn, const std::string& table_sql,
                                           const std::string& column);

// The identifiers (quoted) and status words of the mapping, for write_sids.
struct SidWriteTarget {
    sql::RowSql row;         // the mapping's row (must have a sid_column)
    std::string live_array;  // text[] literal of live_statuses
};

// RoomStore::update_sids' statement: per update in order, the rows changed. Throws SidRejected
// (nothing written) for a SID longer than the column's limit, a 22001 from the server, or a
// row that stores another value than the SID given (rolled back).
std::vector<int> write_sids(PgConnection& conn, const SidWriteTarget& target,
                            const SidColumnSql& column, const std::vector<SidUpdate>& updates);

// Characters of a UTF-8 string, as PostgreSQL counts them for varchar(n).
std::size_t utf8_chars(const std::string& s);

}  // namespace roomctl::store
