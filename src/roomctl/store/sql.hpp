#pragma once
// Every SQL statement the store runs, in one place (ARCHITECTURE.md, "Where the SQL lives").
// Each function returns the text of one statement; the files that run them (room_store.cpp,
// sid_sql.cpp, mapping_sql.cpp, table_facts.cpp, pg_connection.cpp) own the transactions, the
// parameters and the reading of the rows. Part of libroomctl_io.so.
//
// Rules every statement here keeps:
// - identifiers come in already quoted by the server's rules (connection::quote_name, i.e.
//   PQescapeIdentifier): `table_sql` is "schema"."table" or "table", the `*_sql` columns are
//   quoted column names, optionally prefixed ("t."); nothing here quotes or checks them;
// - every value is a bound parameter ($n, numbered as each function says), never text pasted
//   in; the only numbers written into SQL are the caller's integer limits (set_local_timeouts);
// - catalog objects are schema-qualified (pg_catalog.) so that a search_path cannot substitute
//   another object;
// - each is one unnamed statement for exec_params (PQexecParams): no prepared statement and no
//   session state, so all of it works through transaction-mode poolers.

#include <chrono>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "roomctl/config/settings.hpp"

namespace roomctl::store::sql {

// ---- values in and out -----------------------------------------------------------------------

// A PostgreSQL text[] literal for a bound parameter: every element double-quoted, '"' and '\'
// backslash-escaped, so commas, braces, quotes, spaces and the word NULL are all taken
// literally; nullopt is an unquoted NULL element. {} for no values.
std::string text_array_literal(const std::vector<std::optional<std::string>>& values);
// The same for values without NULLs (the mapping's status words).
std::string text_array_literal(const std::vector<std::string>& values);

// A field's text; NULL stays nullopt, "" stays "".
std::optional<std::string> optional_text(const pqxx::field& f);

// ---- predicates, for the statements below ----------------------------------------------------

// True when `status_sql`'s text, lower-cased by the server, equals one of the words in the
// text[] parameter $`param`, lower-cased the same way. Lower-casing both sides in SQL keeps
// every predicate and load_rooms' classification in agreement, whatever the database's
// collation does to non-ASCII letters.
std::string status_in(const std::string& status_sql, int param);

// 'live', 'ended' or 'unclassified' for a row: live words ($`live_param`) first, then ended
// words ($`ended_param`); NULL and anything else is unclassified.
std::string liveness(const std::string& status_sql, int live_param, int ended_param);

// ---- the mapping's row ---------------------------------------------------------------------

// The room table's row as the mapping reads it, in SQL fragments over the table as named in
// FROM (no alias: `table`.column references and the session subquery work the same in SELECT
// and UPDATE). Built by row_sql() from the mapping; identifiers quoted, literals quoted.
struct RowSql {
    std::string table;       // "schema"."table" or "table"
    std::string name;        // the name column, table-qualified
    std::string sid;         // the SID column, table-qualified; "" without a sid_column
    std::string sid_column;  // the SID column unqualified (UPDATE ... SET needs it bare)
    // The status text liveness is decided from: the status column as text; the session
    // table's status of the one session row the room row names (else NULL); or live_when's
    // value as text ('true'/'false'/NULL).
    std::string status;
    std::string live_when;  // the configured expression ("" when liveness is by status words)
    std::string room;       // the server room name: room_name_template over the columns
    std::string starts;     // the start as unix seconds (bigint); "" without a starts_column
    // (setting name, the column as text, table-qualified) of each per-row setting column
    // (RoomMapping::setting_columns), in that order; empty when none is set.
    std::vector<std::pair<std::string, std::string>> settings;
};

// "schema.table" or "table" (a [rooms] table setting) with each part quoted by `ident`.
std::string qualified(const std::string& dotted,
                      const std::function<std::string(const std::string&)>& ident);

// The fragments for `mapping`, quoting identifiers with `ident` (PQescapeIdentifier) and
// template literals with `literal` (the connection's string quoting). Throws Error(config)
// for a template that does not parse (config::parse_room_template).
RowSql row_sql(const config::RoomMapping& mapping,
               const std::function<std::string(const std::string&)>& ident,
               const std::function<std::string(const std::string&)>& literal);

// A row's liveness from its status text `status_sql`: 'live', 'ended' or 'unclassified' (by
// the words in $`live_param`/$`ended_param`, or by live_when's true/false; NULL and anything
// else is unclassified).
std::string liveness(const RowSql& row, const std::string& status_sql, int live_param,
                     int ended_param);
// True for the live rows: the status words in $`live_param`, or live_when IS TRUE.
std::string live_predicate(const RowSql& row, int live_param);

// ---- the connection (pg_connection.cpp) ------------------------------------------------------

// SET LOCAL lock_timeout and statement_timeout, both in milliseconds, in one round trip.
std::string set_local_timeouts(std::chrono::milliseconds lock_timeout,
                               std::chrono::milliseconds statement_timeout);
// "SHOW server_version".
std::string server_version();
// $1 table (text): the table as format('%I.%I') names it; no row when there is no such table.
std::string table_display_name();
// $1 table (text): sessions holding a granted lock on the table in this database, other than
// this one, strongest lock first: pid, application_name, usename, state, whole seconds since
// xact_start and since query_start (NULL when pg_stat_activity hides them from this role).
std::string relation_lock_holders();

// ---- the mapping's table and columns (mapping_sql.cpp) ---------------------------------------

// $1 table (text): quote_ident(schema) || '.' || quote_ident(table); no row when there is no
// such table.
std::string resolved_table();
// $1 table (text): the names of its columns (not dropped ones).
std::string column_names();
// $1 table (text), $2 column name (text): the column's type as format_type spells it.
std::string column_type();

// ---- the SID column and SID writes (sid_sql.cpp) ---------------------------------------------

// $1 table (text), $2 column name (text): one row with the column's format_type, its base
// type's schema-qualified name, the declared character limit (varchar(n)/char(n), else NULL)
// and the enabled BEFORE UPDATE row triggers of the table (comma-separated, or NULL).
std::string sid_column_facts();
// The batched compare-and-set of SIDs: $1 server rooms, $2 expected SIDs, $3 new SIDs (text[]
// of one length, in update order), $4 live words (text[]). Sets the room table's SID column,
// cast to `base_type` (the column's type without its length, so assigning a longer value fails
// with 22001 instead of being cut), on the live rows of each room (RowSql::room, live as
// live_predicate decides) whose SID IS NOT DISTINCT FROM the expected one. RETURNING the
// 1-based update index and the stored SID as text, after triggers ran. Needs a sid_column.
std::string write_sids(const RowSql& row, const std::string& base_type);

// ---- the rows (room_store.cpp) ---------------------------------------------------------------

// $1 live words, $2 ended words (text[]): per row its name, SID, status text, liveness
// ('live', 'ended', 'unclassified'), server room (NULL when a template column is NULL) and
// start (unix seconds or NULL), then one text column per RowSql::settings entry in its order
// (NULL when the row's value is NULL), ordered by name then SID. `where` is "" or " WHERE ..."
// over the room table, using $3 (see session_filter).
std::string select_rooms(const RowSql& row, const std::string& where);
// " WHERE <session_sql>::text = $3::text", for select_rooms; `session_sql` table-qualified.
std::string session_filter(const std::string& session_sql);
// For select_rooms: the rows whose liveness (as select_rooms classifies them) is not 'ended':
// live and unclassified rows. No parameter of its own.
std::string open_rows_filter(const RowSql& row);
// For select_rooms: the ended rows whose server room is in $3 (text[]) or, with a SID column,
// whose SID as text is in $4 (text[]). Without a SID column only $3 is used.
std::string ended_named_filter(const RowSql& row);
// $1 live words, $2 ended words, $3 SID patterns (text[] of POSIX regexes): count(*) of the
// table and how many ended rows have a SID matching one pattern. Without a SID column the
// statement takes no parameter and the second count is 0.
std::string tally_rows(const RowSql& row);
// $1 server room (text), $2 live words (text[]): the SID (as text; NULL without a sid_column)
// of the first live row of the room (lowest SID first); no row when none is live.
std::string recorded_sid(const RowSql& row);
// $1 server room (text), $2 live words (text[]): whether a live row has the room (one boolean).
std::string is_live(const RowSql& row);
// select_rooms(row, "") under EXPLAIN: plans (never runs) the read with every expression of the
// mapping, so a live_when, session join or template that cannot work fails here with the
// server's own words. $1, $2 as select_rooms.
std::string explain_select_rooms(const RowSql& row);

// ---- table facts (table_facts.cpp) -----------------------------------------------------------

// $1 live words, $2 ended words (text[]): per status text (RowSql::status), its row count and
// liveness, most rows first.
std::string status_counts(const RowSql& row);
// $1 table (text): current_user, quote_ident(current_user), the resolved table, relrowsecurity,
// relforcerowsecurity, rolsuper, rolbypassrls, whether current_user has the owner's privileges,
// row_security_active, reltuples (float8), relpages, server_version_num; no row when there is no
// such table.
std::string row_security_facts();
// $1 table (text): the SELECT and ALL policies on the table that apply to current_user (PUBLIC
// or a role it has USAGE of), by name: name, command, permissive, roles (text[], quoted),
// USING expression (NULL when none).
std::string select_policies();
// count(*) of the table: the rows this role can see.
std::string count_rows(const std::string& table_sql);
// $1 lock class (bigint), $2 table (text): ($1 << 32) | the table's OID, or NULL when there is
// no such table.
std::string table_lock_key();
// $1 key (bigint): pg_try_advisory_lock / pg_advisory_unlock, one boolean.
std::string try_advisory_lock();
std::string advisory_unlock();
// $1 key (bigint, the 64-bit form): the session holding that advisory lock in this database:
// pid, application_name, client address (or "local socket"), backend start in UTC; LIMIT 1.
std::string advisory_lock_holder();
// pg_backend_pid().
std::string backend_pid();

}  // namespace roomctl::store::sql
