#pragma once
// The application's room table in PostgreSQL, read and written through the configured
// mapping ([rooms]). Every SQL statement is in sql.hpp; identifiers are quoted with the
// server's quoting rules and every value is a bound parameter. Connections, timeouts and
// cancelling: pg_connection.hpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/config/settings.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::store {

// How the mapping classifies a row's status: one of [rooms] live_statuses, one of
// [rooms] ended_statuses (both compared case-insensitively), or neither. An unclassified row
// is never acted on: its room is neither recreated nor deleted, and --apply runs refuse while
// any exists (the mapping is incomplete, so the diff cannot be trusted).
enum class Liveness { live, ended, unclassified };

// One row of the room table, as the mapping sees it.
struct DbRoom {
    std::string name;  // the name column's value
    // The server room name: room_name_template applied to the row's columns, by the server
    // (so "{session_id}-{name}" works). Empty when a column the template reads is NULL: no
    // room can be named for the row.
    std::string room;
    std::optional<std::string> sid;  // NULL stays nullopt; "" stays ""; always nullopt when the
                                     // mapping has no sid_column
    // The status text liveness was decided from: the status column's, the session table's
    // ([rooms] session_table), or live_when's value ("true"/"false"); NULL stays nullopt.
    std::optional<std::string> status;
    bool live = false;  // liveness == Liveness::live
    Liveness liveness = Liveness::unclassified;
    // [rooms] starts_column as unix seconds (UTC); nullopt without the column or when NULL.
    std::optional<std::int64_t> starts_at;
    // Setting name ("type", "max_participants", ...) -> the row's value of that setting's
    // column ([rooms] type_column, ...; RoomMapping::setting_columns) as text (SQL col::text,
    // whatever the column's type), only for columns the mapping sets and the row has non-NULL.
    // Checking the text against what the provider accepts is the caller's job.
    std::map<std::string, std::string> settings;
};

// One compare-and-set of a row's SID: set `new_sid` on the live rows whose server room is
// `room` and whose SID still equals `expected_sid` (nullopt matches NULL).
struct SidUpdate {
    std::string room;
    std::optional<std::string> expected_sid;
    std::string new_sid;
};

// What the live rows of room `room` record now (RoomStore::recorded_sid).
struct RecordedSid {
    bool live = false;               // at least one live row has the name
    std::optional<std::string> sid;  // the SID of the first such row (NULL stays nullopt)
};

// A write whose connection was lost while it committed: it may or may not have been applied,
// and only reading the row back can tell. Kind runtime.
class WriteInDoubt : public Error {
public:
    explicit WriteInDoubt(const std::string& message) : Error(ErrorKind::runtime, message) {}
};

// The database connection was lost (or could not be opened again) before anything was
// committed: nothing was written, and the next operation reconnects. Kind runtime.
class ConnectionLost : public Error {
public:
    explicit ConnectionLost(const std::string& message) : Error(ErrorKind::runtime, message) {}
};

// A SID the column cannot hold exactly: longer than its declared limit (checked before the
// write, and refused by PostgreSQL with 22001 otherwise: writes never cast to the limited
// type), or stored as another value (a trigger rewrote it; the transaction is rolled back).
// Nothing was written. The message names the column, its type and the SID's length. Kind
// config: widening the column fixes it, running again does not.
class SidRejected : public Error {
public:
    explicit SidRejected(const std::string& message) : Error(ErrorKind::config, message) {}
};

// The SID column as the server declares it (RoomStore::sid_column).
struct SidColumn {
    std::string column;  // the mapping's sid_column
    std::string type;    // format_type(atttypid, atttypmod): "character varying(20)", "text"
    // The most characters it holds: n of varchar(n) / char(n); nullopt when unlimited.
    std::optional<int> max_chars;
    // Enabled row-level BEFORE UPDATE triggers of the table, "name1, name2" (quote_ident),
    // empty when none: they can rewrite the SID or silently skip the write (return NULL).
    std::string update_triggers;
};

// Result of checking that the mapping names a real table and real columns.
struct MappingCheck {
    bool ok = false;
    std::string problem;  // e.g. "column \"room_sid\" does not exist in table public.livekit_rooms"
    std::string qualified_table;  // resolved "schema.table" when the table exists
};

// How many rows carry one status value (RoomStore::status_counts), for `check`'s mapping probe.
struct StatusCount {
    std::optional<std::string> status;  // the status column as text; NULL stays nullopt
    std::int64_t rows = 0;
    Liveness liveness = Liveness::unclassified;
};

// One row-level security policy on the room table (pg_policy), as the server prints it.
struct RlsPolicy {
    std::string name;
    std::string command;                    // "ALL", "SELECT", "INSERT", "UPDATE" or "DELETE"
    bool permissive = true;                 // false: AS RESTRICTIVE
    std::vector<std::string> roles;         // "public" or role names (quoted where SQL needs it)
    std::optional<std::string> using_expr;  // USING (...) without the parentheses; nullopt: none
};

// Whether row-level security filters what the connecting role reads from the room table
// (RoomStore::row_visibility). Facts from pg_class, pg_roles, pg_policy and the server's own
// row_security_active().
struct RowVisibility {
    std::string role;          // current_user
    std::string table;         // "schema.table" as the server resolves the mapping's table
    bool rls_enabled = false;  // pg_class.relrowsecurity
    bool rls_forced = false;   // pg_class.relforcerowsecurity
    bool superuser = false;
    bool bypassrls = false;
    bool owner = false;  // has the privileges of the owning role (pg_has_role USAGE)
    // RLS filters this role's reads: enabled, and not superuser, BYPASSRLS, or owner (unless
    // forced). Also true whenever the server's row_security_active() says so.
    bool applies = false;
    // The role can be shown to read every row: RLS does not apply, or a PERMISSIVE policy for
    // SELECT or ALL that applies to the role has USING exactly `true` and no RESTRICTIVE policy
    // for SELECT or ALL applies. False means "cannot be shown", not "proved partial".
    bool sees_all_rows = true;
    std::vector<RlsPolicy> policies;  // the SELECT and ALL policies that apply to the role
    std::int64_t visible_rows = 0;    // count(*) as this role sees it
    // pg_class.reltuples; nullopt when the table was never analysed (no guess is made).
    std::optional<std::int64_t> estimated_rows;
    std::string explanation;  // one line: what applies and why
    std::string fix;          // one line when !sees_all_rows, else empty
};

// The session that holds the run lock of a table (RoomStore::table_lock_holder). Fields the
// server does not show this role (another user's session) are empty.
struct LockHolder {
    int pid = 0;
    std::string application;  // pg_stat_activity.application_name
    std::string client;       // client address, "local socket", or empty
    std::string since;        // backend start, "10:04:12 UTC" (with the date when not today)
};

// Whether this store's statements share one server session (RoomStore::session_check).
struct SessionCheck {
    bool shared_session = true;
    std::string evidence;  // one line: the backend pids seen
};

// Limits applied to every transaction the store runs (SET LOCAL, so they hold through
// transaction-mode poolers): how long a statement may wait for a lock another session holds,
// and how long it may run in all. From [database] lock_timeout / statement_timeout
// (store_options_of). 0 means no limit (PostgreSQL's meaning); the settings do not allow it.
struct StoreOptions {
    std::chrono::milliseconds lock_timeout{5000};
    std::chrono::milliseconds statement_timeout{30000};
};

// The settings' [database] lock_timeout and statement_timeout.
inline StoreOptions store_options_of(const config::Settings& settings) {
    return {settings.database_lock_timeout, settings.database_statement_timeout};
}

// Where a store's connection really is (RoomStore::target), for "--apply names its targets".
// Never holds the password.
struct DatabaseTarget {
    std::string host;      // PQhost: the host name or address reached, or the socket directory
    std::string port;      // PQport
    std::string database;  // PQdb
    std::string user;      // PQuser
    std::string table;     // the room table as the server resolves it: "schema.table", quoted
                           // where SQL needs it (quote_ident)
};

// The whole table as one InventoryRead sees it (InventoryRead::tally).
struct TableTally {
    std::int64_t rows = 0;  // count(*): every row this role sees (RLS applies)
    // Ended rows whose SID (as text) matches one of the patterns given to tally().
    std::int64_t ended_matching_sids = 0;
    // True when open_rows() returned every row of the table (nothing was left unread, e.g. a
    // store that can only load everything): the counts above are then those rows' own.
    bool whole_table = false;
};

// One consistent read of the rows an inventory needs (RoomStore::read_inventory), so that cost
// follows the live set and the server's rooms, not the table's history: the rows that are not
// ended, then only those ended rows the server names. Every call of one read sees the same
// snapshot (PostgreSQL: one REPEATABLE READ, READ ONLY transaction, ended when the read is
// destroyed). Rows are classified and named exactly as load_rooms classifies and names them
// (the same SQL expressions). Not thread-safe: one thread at a time, and the store runs nothing
// else while a read lives. Errors as load_rooms; like load_rooms, each call is asked once more
// on a new connection after a lost one, and tally()/ended_rows() then read a later snapshot
// (ended rows only: a row that ended meanwhile can appear twice, live and ended).
class InventoryRead {
public:
    virtual ~InventoryRead() = default;
    // Call first. Takes the snapshot, calls `snapshot_taken` (when that returns, nothing the
    // server is asked afterwards can precede the snapshot), then returns every row whose
    // liveness is live or unclassified, ordered by name then SID. A read retried after a lost
    // connection takes a new snapshot and may call `snapshot_taken` again.
    virtual std::vector<DbRoom> open_rows(const std::function<void()>& snapshot_taken) = 0;
    // The table's row count and, for `sid_patterns` (POSIX regular expressions, bound as
    // text[]; none: 0), how many ended rows record a SID matching one. One scan on the server.
    virtual TableTally tally(const std::vector<std::string>& sid_patterns) = 0;
    // The ended rows whose server room (DbRoom::room) is one of `rooms` or whose SID is one of
    // `sids` (ignored without a sid_column), ordered by name then SID. Values are bound
    // parameters; a name holding U+0000 names no row.
    virtual std::vector<DbRoom> ended_rows(const std::vector<std::string>& rooms,
                                           const std::vector<std::string>& sids) = 0;
};

class RoomStore {
public:
    virtual ~RoomStore() = default;
    // Every row of the table (live and not), ordered by name. Throws Error(config) when the
    // mapping is wrong, Error(runtime) on database errors.
    virtual std::vector<DbRoom> load_rooms() = 0;
    // A read of only the rows an inventory needs (InventoryRead). This default serves stores
    // that can only load everything: open_rows() calls load_rooms() BEFORE snapshot_taken and
    // returns every row (TableTally::whole_table), ended_rows() returns nothing. Wrappers must
    // forward it.
    virtual std::unique_ptr<InventoryRead> read_inventory();
    // Rows are addressed by their server room (DbRoom::room: the template applied by the
    // server), never by the name column alone: under "{session_id}-{name}" many rows share a
    // name. Liveness is decided as load_rooms decides it (status column, session table or
    // live_when), but SIDs are always written to the room table itself.
    //
    // Sets the SID of the live rows of `room` to `new_sid`, but only where the SID still
    // equals `expected_sid` (nullopt matches NULL). Returns the number of rows changed; 0 means
    // a concurrent writer got there first (or the row stopped being live) and nothing changed.
    // Throws WriteInDoubt when the connection was lost during the commit; any other Error
    // means nothing was written. Error(config) when the mapping has no sid_column.
    int update_sid(const std::string& room, const std::optional<std::string>& expected_sid,
                   const std::string& new_sid) {
        return update_sids({{room, expected_sid, new_sid}}).front();
    }
    // Many compare-and-sets in one statement and one round trip (UPDATE ... FROM unnest(...)),
    // all or none: returns, per update in order, the number of rows it changed (0 also when a
    // trigger skipped the row). The value is never truncated or converted: a SID longer than
    // the column's limit throws SidRejected before anything runs, and the statement compares
    // what each row stores (RETURNING) with the SID given, rolling back and throwing
    // SidRejected when one differs. Lost connections throw ConnectionLost (nothing written)
    // or WriteInDoubt; other Errors mean nothing was written.
    //
    // Throws for the whole batch when one update fails: callers wanting per-row outcomes
    // write the rows one by one after a failed batch (reconcile/executor.cpp does).
    virtual std::vector<int> update_sids(const std::vector<SidUpdate>& updates) = 0;
    // The SID the live rows of `room` record, read fresh (sid is nullopt without a
    // sid_column). Same errors as load_rooms.
    virtual RecordedSid recorded_sid(const std::string& room) = 0;
    // The rows whose session column ([rooms] session_column) equals `session` (compared as
    // text, so uuid columns work). Same errors as load_rooms; a missing column is Error(config).
    virtual std::vector<DbRoom> find_session(const std::string& session) = 0;
    // True when at least one live row's room is `room` (read fresh, not cached).
    virtual bool is_live(const std::string& room) = 0;
    virtual MappingCheck check_mapping() = 0;
    // The SID column's declared type and character limit, and the table's BEFORE UPDATE row
    // triggers, read fresh from pg_attribute and pg_trigger. Without a sid_column: an empty
    // SidColumn (column ""). Error(config) when the table or column does not exist; same
    // errors as load_rooms otherwise.
    virtual SidColumn sid_column() = 0;
    // pg_try_advisory_lock(key) on this store's connection: true when taken. The lock is a
    // session lock, held until the connection closes (the end of the run), so it needs a
    // direct connection or a session-mode pooler; transaction-mode poolers (PgBouncer in
    // transaction mode, Supabase's port 6543) hand each statement another backend.
    //
    // When the connection is lost (a restart, pg_terminate_backend), the operation that saw it
    // fails, and the next one opens a new connection and takes every lock this store held
    // again before doing anything; if another run took a lock meanwhile it throws
    // Error(locked) and does nothing. (libpqxx's own silent reconnect is disabled: it would
    // drop the locks without a word.)
    virtual bool try_advisory_lock(std::int64_t key) = 0;

    // Rows per distinct status value (GROUP BY the status column, compared as text), most
    // rows first, each classified like load_rooms. Same errors as load_rooms.
    virtual std::vector<StatusCount> status_counts() = 0;
    // Whether row-level security filters this role's reads of the table, the policies that
    // apply, and what the role sees against the catalog's estimate. Counts the rows the role
    // sees (one scan). Same errors as load_rooms (Error(config) when the table is missing).
    virtual RowVisibility row_visibility() = 0;
    // The run lock: pg_try_advisory_lock on table_lock_key(OID of the table as the server
    // resolves it), so every spelling of the table and every provider share one lock. True
    // when taken; false when another session holds it. A session lock, with the same
    // reconnect behaviour as try_advisory_lock. Error(config) when the table does not exist.
    virtual bool try_table_lock() = 0;
    // Releases every advisory lock this store holds (pg_advisory_unlock), explicitly, so that
    // a pooled server session does not keep them. Call at the end of every run; also done on
    // destruction. Never throws; a lost connection has released them already.
    virtual void release_locks() noexcept = 0;
    // Who holds the table's run lock now, from pg_locks and pg_stat_activity; nullopt when no
    // one does (or the table does not exist). Same errors as load_rooms.
    virtual std::optional<LockHolder> table_lock_holder() = 0;
    // Whether this store's statements run in one server session: pg_backend_pid() in two
    // transactions on this connection and on a second connection opened to the same URL. Not
    // shared when the pid changed between transactions or both connections report the same
    // pid: a transaction-mode pooler (PgBouncer pool_mode=transaction, Supabase port 6543),
    // where session locks leak. shared_session=true is the absence of that evidence, not a
    // proof. With PgBouncer (1.18) in transaction mode the second-connection signal is the one
    // that fires: it hands an idle client's server session to the next client (most
    // recently used first), and this connection keeps its backend between transactions; the
    // pid-change signal covers poolers that rotate backends. Errors as connect_room_store and
    // load_rooms.
    virtual SessionCheck session_check() = 0;

    // Where this store's connection is now (after a reconnect: the new one) and the table as
    // the server resolves the mapping's name. Error(config) when the table does not exist; same
    // errors as load_rooms otherwise.
    virtual DatabaseTarget target() = 0;
    // Cancels the statement in flight, if any (PQcancel on a PGcancel prepared when the
    // connection was opened), and makes that statement and every later operation of this store
    // throw Error(interrupted) "interrupted: the database query was cancelled". For the
    // SIGINT/SIGTERM path: async-signal-safe and callable from any thread while another thread
    // uses the store; never allocates, locks or throws. The store must outlive the call.
    // PQcancel opens a connection to the server to deliver the request, so it can take as long
    // as connecting does; a store still connecting (connect_timeout) cannot be cancelled, and
    // reports the interruption when the connection attempt ends.
    virtual void cancel() noexcept = 0;
};

// Connects to PostgreSQL. `database_url` is anything psql accepts: a postgresql:// URI or
// keyword=value pairs, read by libpq itself (PQconninfoParse), so passwords may hold any
// character ('#', '?', '/', '@' percent-encoded in a URI; quotes and backslashes escaped in
// keyword form); "" leaves everything to libpq's PG* environment. roomctl adds
// connect_timeout=5, client_encoding=UTF8 and fallback_application_name=roomctl unless the
// string or the environment sets them. `options` limit every transaction the store runs.
// Throws Error(auth) when the server refuses the credentials, Error(runtime) when it cannot be
// reached, Error(config) for a malformed connection string or a database that does not exist.
// Messages never contain the password.
std::unique_ptr<RoomStore> connect_room_store(const std::string& database_url,
                                              const config::RoomMapping& mapping,
                                              const StoreOptions& options);

// The advisory-lock key of a provider and table: 64-bit FNV-1a of "roomctl|provider|table",
// so runs against the same table through the same provider exclude each other.
std::int64_t advisory_lock_key(const std::string& provider, const std::string& table);

// The key of a table's run lock: k_table_lock_class in the high 32 bits, the table's OID in
// the low 32 (pg_locks shows them as classid and objid, objsubid 1). The store builds the
// same key in SQL from to_regclass(table)::oid.
inline constexpr std::int32_t k_table_lock_class = 0x726d6374;  // "rmct"
std::int64_t table_lock_key(std::uint32_t table_oid);

// Server version string ("PostgreSQL 15.x") of a fresh connection, for `check`.
// Same errors as connect_room_store.
std::string probe_database(const std::string& database_url);

}  // namespace roomctl::store
