#include "roomctl/store/room_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <pqxx/pqxx>
#include <set>
#include <string_view>
#include <utility>

#include "roomctl/store/conninfo.hpp"
#include "roomctl/store/mapping_sql.hpp"
#include "roomctl/store/pg_connection.hpp"
#include "roomctl/store/pg_inventory_read.hpp"
#include "roomctl/store/sid_sql.hpp"
#include "roomctl/store/sql.hpp"
#include "roomctl/store/table_facts.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/redact.hpp"

// libpqxx 6.4 notes:
// - every statement (sql.hpp) goes through exec_params (PQexecParams, an unnamed statement), so the
// store
//   works behind transaction-mode poolers; no prepared statements, no session SET: every
//   transaction starts with SET LOCAL lock_timeout / statement_timeout (apply_timeouts);
// - identifiers are quoted with connection::quote_name (PQescapeIdentifier), values are always
//   bound parameters;
// - the connection is PgConnection (pg_connection.hpp): libpqxx's connection_base with our own
//   connection policy, which connects with PQconnectdbParams from the keywords libpq itself
//   parsed (PQconninfoParse, conninfo.hpp) and prepares a PGcancel for cancel(). libpq is
//   linked directly for that (pkg-config libpq, this module only);
// - errors are classified by SQLSTATE (pqxx::sql_error::sqlstate()), not by their text, except
//   failed connection attempts, for which libpq gives only text (conninfo.cpp).

namespace roomctl::store {
namespace {

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

class PgRoomStore final : public RoomStore {
public:
    PgRoomStore(std::unique_ptr<PgConnection> conn, std::string url, config::RoomMapping mapping,
                StoreOptions options, std::shared_ptr<CancelSlot> cancel)
        : m_conn(std::move(conn)),
          m_url(std::move(url)),
          m_options(options),
          m_cancel(std::move(cancel)),
          m_mapping(std::move(mapping)),
          m_live_array(sql::text_array_literal(m_mapping.live_statuses)),
          m_ended_array(sql::text_array_literal(m_mapping.ended_statuses)) {
        const auto dot = m_mapping.table.find('.');
        if (dot == std::string::npos) {
            m_table_name = m_mapping.table;
        } else {
            m_schema_name = m_mapping.table.substr(0, dot);
            m_table_name = m_mapping.table.substr(dot + 1);
        }
        const bool table_ok =
            !m_table_name.empty() && (dot == std::string::npos || !m_schema_name.empty());
        if (table_ok) {
            m_table_sql =
                (dot == std::string::npos ? "" : m_conn->quote_name(m_schema_name) + ".") +
                m_conn->quote_name(m_table_name);
        }
        m_identifiers_ok = table_ok && !m_mapping.name_column.empty() &&
                           (!m_mapping.status_column.empty() || !m_mapping.live_when.empty() ||
                            !m_mapping.session_table.empty());
        if (m_identifiers_ok) {
            m_row = sql::row_sql(
                m_mapping, [&](const std::string& c) { return m_conn->quote_name(c); },
                [&](const std::string& text) { return m_conn->quote(text); });
        }
    }

    std::vector<DbRoom> load_rooms() override { return select_rooms("", std::nullopt); }

    std::unique_ptr<InventoryRead> read_inventory() override {
        PgReadParts parts;
        parts.conn = [this]() -> PgConnection& { return *m_conn; };
        parts.row = &m_row;
        parts.live_array = m_live_array;
        parts.ended_array = m_ended_array;
        parts.guarded = [this](const std::function<void()>& f) { guarded(f); };
        parts.retrying = [this](const std::function<void()>& f) { guarded_read(f); };
        return pg_inventory_read(std::move(parts));
    }

    bool try_advisory_lock(std::int64_t key) override {
        return guarded([&] {
            const bool taken = take_lock(*m_conn, key);
            if (taken) m_locks.push_back(key);
            return taken;
        });
    }

    // --- table facts (SQL in table_facts.cpp) ---

    ~PgRoomStore() override { release_locks(); }

    bool try_table_lock() override {
        return guarded([&] {
            const auto key = facts::table_lock_key(*m_conn, m_table_sql);
            if (!key) throw missing_table_error();
            const bool taken = take_lock(*m_conn, *key);
            if (taken) m_locks.push_back(*key);
            return taken;
        });
    }

    void release_locks() noexcept override {
        std::vector<std::int64_t> keys;
        keys.swap(m_locks);
        // A lost connection took its session locks with it (the server ends the session).
        if (keys.empty() || m_lost || !m_conn || !m_conn->is_open()) return;
        for (const auto key : keys) {
            try {
                facts::unlock(*m_conn, key);
            } catch (...) {
                m_lost = true;  // the next operation reconnects, without these locks
                return;
            }
        }
    }

    std::optional<LockHolder> table_lock_holder() override {
        return guarded_read([&]() -> std::optional<LockHolder> {
            const auto key = facts::table_lock_key(*m_conn, m_table_sql);
            if (!key) return std::nullopt;
            return facts::lock_holder(*m_conn, *key);
        });
    }

    std::vector<StatusCount> status_counts() override {
        return guarded_read(
            [&] { return facts::status_counts(*m_conn, m_row, m_live_array, m_ended_array); });
    }

    RowVisibility row_visibility() override {
        return guarded_read([&] {
            auto v = facts::row_visibility(*m_conn, m_table_sql);
            if (!v) throw missing_table_error();
            return *v;
        });
    }

    SessionCheck session_check() override {
        return guarded([&] {
            return facts::session_check(
                *m_conn, [&] { return open_connection(m_url, m_options, m_cancel); });
        });
    }

    std::vector<DbRoom> find_session(const std::string& session) override {
        // The session column is quoted like every identifier; the value is bound.
        return select_rooms(
            sql::session_filter(m_row.table + "." + m_conn->quote_name(m_mapping.session_column)),
            session);
    }

    std::vector<int> update_sids(const std::vector<SidUpdate>& updates) override {
        if (updates.empty()) return {};
        if (!m_mapping.records_sids())
            throw config_error(
                "[rooms] sid_column is not set: this mapping records no SID (nothing written)");
        return guarded([&] {
            const SidWriteTarget target{m_row, m_live_array};
            return write_sids(*m_conn, target, sid_sql_facts(), updates);
        });
    }

    SidColumn sid_column() override {
        if (!m_mapping.records_sids()) return {};
        return guarded_read([&] {
            m_sid.reset();  // read fresh: the column or its triggers may have changed
            return sid_sql_facts().facts;
        });
    }

    RecordedSid recorded_sid(const std::string& room) override {
        if (holds_nul(room)) return {};
        const std::string statement = sql::recorded_sid(m_row);
        return guarded_read([&] {
            pqxx::read_transaction tx{*m_conn};  // live_when must not write
            apply_timeouts(tx, *m_conn);
            const pqxx::result r = tx.exec_params(statement, room, m_live_array);
            tx.commit();
            RecordedSid out;
            if (!r.empty()) {
                out.live = true;
                out.sid = sql::optional_text(r[0][0]);
            }
            return out;
        });
    }

    bool is_live(const std::string& room) override {
        if (holds_nul(room)) return false;
        const std::string statement = sql::is_live(m_row);
        return guarded_read([&] {
            pqxx::read_transaction tx{*m_conn};  // live_when must not write
            apply_timeouts(tx, *m_conn);
            const pqxx::row row = tx.exec_params1(statement, room, m_live_array);
            tx.commit();
            return row[0].as<bool>();
        });
    }

    MappingCheck check_mapping() override {
        MappingCheck check;
        if (m_table_sql.empty()) {
            check.problem =
                "table \"" + m_mapping.table + "\" is not a valid table name (set [rooms] table)";
            return check;
        }
        if (m_cancel->requested()) throw interrupted_error();
        try {
            check = timed([&] {
                return check_mapping_sql(*m_conn, m_table_sql, m_row, m_mapping, m_live_array,
                                         m_ended_array);
            });
        } catch (const pqxx::broken_connection& e) {
            throw runtime_error("lost the database connection: " + error_line(e.what()));
        } catch (const pqxx::sql_error& e) {
            throw runtime_error("database error: " + error_line(e.what()));
        } catch (const pqxx::failure& e) {
            throw runtime_error("database error: " + error_line(e.what()));
        }
        return check;
    }

    DatabaseTarget target() override {
        return guarded_read([&] {
            DatabaseTarget t;
            // libpq's view of the live connection (PQhost, PQport, PQdb, PQuser): what was
            // reached, after defaults, environment and multi-host lists were resolved.
            auto str = [](const char* v) { return v ? std::string{v} : std::string{}; };
            t.host = str(m_conn->hostname());
            t.port = str(m_conn->port());
            t.database = str(m_conn->dbname());
            t.user = str(m_conn->username());
            pqxx::work tx{*m_conn};
            apply_timeouts(tx, *m_conn);
            auto table = resolved_table(tx, m_table_sql);
            tx.commit();
            if (!table) throw missing_table_error();
            t.table = std::move(*table);
            return t;
        });
    }

    void cancel() noexcept override { m_cancel->cancel(); }

private:
    // A server may name a room with U+0000, which PostgreSQL text cannot hold, so no row owns
    // such a name. It must not be asked about: libpq would cut the parameter at the NUL and
    // answer for another room ("evil\0x" as "evil").
    static bool holds_nul(const std::string& name) { return name.find('\0') != std::string::npos; }

    // A read that met a lost connection is asked once more, on a new connection holding the
    // locks again (reconnect_if_lost): reading twice changes nothing.
    template <typename F>
    auto guarded_read(F&& f) -> decltype(f()) {
        try {
            return guarded(f);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::runtime || (!m_lost && m_conn->is_open())) throw;
            return guarded(f);
        }
    }

    // Runs one database operation, translating libpqxx exceptions into roomctl Errors.
    template <typename F>
    auto guarded(F&& f) -> decltype(f()) {
        if (m_cancel->requested()) throw interrupted_error();
        if (!m_identifiers_ok) throw config_error(check_mapping().problem);
        reconnect_if_lost();
        if (m_cancel->requested()) throw interrupted_error();  // cancelled while reconnecting
        try {
            return timed(f);
        } catch (const pqxx::undefined_table& e) {
            throw mapping_error(e);
        } catch (const pqxx::undefined_column& e) {
            throw mapping_error(e);
        } catch (const pqxx::in_doubt_error& e) {
            m_lost = true;
            throw WriteInDoubt(
                "database error: the connection was lost while committing; the change may or "
                "may not have been applied: " +
                error_line(e.what()));
        } catch (const pqxx::broken_connection& e) {
            m_lost = true;
            throw ConnectionLost("lost the database connection: " + error_line(e.what()));
        } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() == "3F000") throw mapping_error(e);  // invalid_schema_name
            // Class 42 (an undefined function or operator, a type mismatch) is the mapping's
            // SQL not fitting the table, e.g. a starts_column of text; 42501 (no privilege) is
            // the role's, and stays a database error.
            if (e.sqlstate().rfind("42", 0) == 0 && e.sqlstate() != "42501") throw mapping_error(e);
            if (e.sqlstate() == "25006")  // read_only_sql_transaction: reads run read-only
                throw config_error(
                    "the mapping's SQL tried to write while reading rows: [rooms] live_when must "
                    "only read (" +
                    error_line(e.what()) + ")");
            // 57P01..57P03: the server is shutting down or terminated this backend
            // (pg_terminate_backend): the connection is gone even if libpqxx has not noticed.
            if (e.sqlstate().rfind("57P0", 0) == 0 || !m_conn->is_open()) {
                m_lost = true;
                throw ConnectionLost("lost the database connection: " + error_line(e.what()));
            }
            throw runtime_error("database error: " + error_line(e.what()));
        } catch (const Error&) {
            throw;
        } catch (const pqxx::failure& e) {
            if (!m_conn->is_open()) {  // e.g. "Could not obtain client encoding: not connected"
                m_lost = true;
                throw ConnectionLost("lost the database connection: " + error_line(e.what()));
            }
            throw runtime_error("database error: " + error_line(e.what()));
        }
    }

    // Runs `f`; a statement stopped by cancel() becomes Error(interrupted), one stopped by
    // lock_timeout (55P03) or statement_timeout (57014) an Error naming what blocked it. Any
    // other exception passes unchanged.
    template <typename F>
    auto timed(F&& f) -> decltype(f()) {
        const auto started = std::chrono::steady_clock::now();
        try {
            return f();
        } catch (const pqxx::in_doubt_error&) {
            throw;  // a commit in doubt stays in doubt, whoever asked to stop
        } catch (const pqxx::sql_error& e) {
            if (m_cancel->requested()) throw interrupted_error();
            const std::string& state = e.sqlstate();
            if (state == "55P03" || state == "57014")
                throw stopped_statement_error(*m_conn, m_table_sql, m_mapping.table, m_options,
                                              state,
                                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - started));
            throw;
        } catch (const pqxx::failure&) {
            if (m_cancel->requested()) throw interrupted_error();
            throw;
        }
    }

    Error mapping_error(const std::exception& e) {
        try {
            MappingCheck check = check_mapping();
            if (!check.ok) return config_error(check.problem);
        } catch (const std::exception&) {
            // fall through to the server's own words
        }
        return config_error("the room table mapping does not match the database: " +
                            error_line(e.what()) + " (check [rooms])");
    }

    static bool take_lock(PgConnection& conn, std::int64_t key) {
        return facts::try_lock(conn, key);
    }

    Error missing_table_error() {
        const MappingCheck check = check_mapping();
        if (!check.problem.empty()) return config_error(check.problem);
        return config_error("table \"" + m_mapping.table + "\" does not exist (set [rooms] table)");
    }

    // After a lost connection, a new one, holding every lock the old one held, before any
    // statement runs. libpqxx 6 would otherwise reconnect by itself and silently run without
    // the locks.
    void reconnect_if_lost() {
        if (!m_lost && m_conn->is_open()) return;
        std::unique_ptr<PgConnection> fresh;
        try {
            fresh = open_connection(m_url, m_options, m_cancel);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::runtime) throw;
            throw ConnectionLost(e.what());  // still lost: nothing was written
        }
        try {
            for (auto key : m_locks) {
                if (!take_lock(*fresh, key)) {
                    throw locked_error(
                        "the database connection was lost and another roomctl run took the "
                        "lock meanwhile; stopping here (wait for it to finish, then run again)");
                }
            }
        } catch (const pqxx::failure& e) {
            throw ConnectionLost("lost the database connection: " + error_line(e.what()));
        }
        m_conn = std::move(fresh);
        m_lost = false;
    }

    // The SID column's type, limit and triggers, read once per store (sid_column re-reads).
    const SidColumnSql& sid_sql_facts() {
        if (!m_sid) {
            m_sid = sid_column_sql(*m_conn, m_table_sql, m_mapping.sid_column);
            if (!m_sid) throw config_error(check_mapping().problem);
        }
        return *m_sid;
    }

    std::unique_ptr<PgConnection> m_conn;
    std::string m_url;
    StoreOptions m_options;
    std::shared_ptr<CancelSlot> m_cancel;  // shared with every connection this store opens
    std::vector<std::int64_t> m_locks;     // advisory locks this store holds
    bool m_lost = false;                   // the connection broke; reconnect before the next use
    std::optional<SidColumnSql> m_sid;
    config::RoomMapping m_mapping;
    std::string m_live_array;  // text[] literals of the mapping's status words
    std::string m_ended_array;
    std::string m_schema_name;
    std::string m_table_name;
    bool m_identifiers_ok = false;
    // Rows as DbRoom, optionally filtered by `where` with one bound text parameter ($3; $1
    // and $2 are the live and ended words). The server classifies each row and names its
    // room, with the same expressions as every "live row" predicate.
    std::vector<DbRoom> select_rooms(const std::string& where,
                                     const std::optional<std::string>& param) {
        const std::string statement = sql::select_rooms(m_row, where);
        return guarded_read([&] {
            pqxx::read_transaction tx{*m_conn};  // live_when must not write
            apply_timeouts(tx, *m_conn);
            const pqxx::result r =
                param ? tx.exec_params(statement, m_live_array, m_ended_array, *param)
                      : tx.exec_params(statement, m_live_array, m_ended_array);
            tx.commit();
            return rooms_of(r, m_row);
        });
    }

    std::string m_table_sql;  // the mapping's table, quoted
    sql::RowSql m_row;        // the mapping's row as SQL (sql.hpp)
};

}  // namespace

std::unique_ptr<RoomStore> connect_room_store(const std::string& database_url,
                                              const config::RoomMapping& mapping,
                                              const StoreOptions& options) {
    auto cancel = std::make_shared<CancelSlot>();
    auto conn = open_connection(database_url, options, cancel);
    return std::make_unique<PgRoomStore>(std::move(conn), database_url, mapping, options,
                                         std::move(cancel));
}

std::string probe_database(const std::string& database_url) {
    auto conn = open_connection(database_url, StoreOptions{});
    try {
        pqxx::nontransaction tx{*conn};
        const pqxx::row row = tx.exec_params1(sql::server_version());
        std::string version = row[0].c_str();
        // "15.10 (Debian 15.10-0+deb12u1)" -> "15.10"
        if (const auto sp = version.find(' '); sp != std::string::npos) version.resize(sp);
        return "PostgreSQL " + version;
    } catch (const pqxx::broken_connection& e) {
        throw runtime_error("lost the database connection: " + error_line(e.what()));
    } catch (const pqxx::failure& e) {
        throw runtime_error("database error: " + error_line(e.what()));
    }
}

}  // namespace roomctl::store
