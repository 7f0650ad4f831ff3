#pragma once
// The store's PostgreSQL connection: libpqxx 6.4's connection_base with a connection policy of
// our own, so that
// - it connects with PQconnectdbParams and the keyword arrays PQconninfoParse produced (no
//   connection string is ever re-serialised, so no value needs quoting);
// - the PGcancel object of every connection it opens is prepared right after connecting
//   (PQgetCancel), so cancelling later only calls PQcancel, which libpq documents as safe from
//   a signal handler and from another thread. libpqxx's own connection_base::cancel_query()
//   is neither: it calls PQgetCancel (malloc) on the PGconn another thread is using, and
//   throws.
// Part of libroomctl_io.so.

#include <atomic>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/conninfo.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::store {

// Cancels what a store's connections are running. Shared by the store and every connection it
// opens (a reconnect, a second connection for a check), each armed while it is open. Thread
// use: cancel() and requested() from anywhere, including a signal handler; everything else on
// the thread that owns the store.
class CancelSlot {
public:
    CancelSlot() = default;
    CancelSlot(const CancelSlot&) = delete;
    CancelSlot& operator=(const CancelSlot&) = delete;
    ~CancelSlot();

    // Prepares PQcancel for `conn`, a connection now open.
    void arm(pqxx::internal::pq::PGconn* conn);
    // `conn` is being closed: stop cancelling it.
    void disarm(pqxx::internal::pq::PGconn* conn) noexcept;
    // Marks the store cancelled and asks the server to cancel the statement in flight on every
    // armed connection (PQcancel only: async-signal-safe, no allocation, no lock). Idempotent.
    void cancel() noexcept;
    // cancel() was called: the store's operations throw Error(interrupted) from now on.
    bool requested() const noexcept { return m_requested.load(); }

private:
    struct Armed;
    // Every connection ever armed, newest first. Nodes are only added (by the owning thread)
    // and freed with the slot, so cancel() can walk the list at any moment.
    std::atomic<Armed*> m_head{nullptr};
    std::atomic<bool> m_requested{false};
};

class PgConnection final : public pqxx::connection_base {
public:
    // Connects now. Throws pqxx::broken_connection with libpq's message when it cannot.
    PgConnection(ConnOptions options, const StoreOptions& timeouts,
                 std::shared_ptr<CancelSlot> slot);
    ~PgConnection() noexcept;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    CancelSlot& cancel_slot() { return *m_slot; }
    // The limits every transaction on this connection starts with (apply_timeouts).
    const StoreOptions& timeouts() const { return m_timeouts; }

private:
    class Policy final : public pqxx::connectionpolicy {
    public:
        Policy(ConnOptions options, std::shared_ptr<CancelSlot> slot);
        handle do_startconnect(handle orig) override;
        handle do_disconnect(handle orig) noexcept override;

    private:
        ConnOptions m_options;
        std::shared_ptr<CancelSlot> m_slot;
    };
    StoreOptions m_timeouts;
    std::shared_ptr<CancelSlot> m_slot;
    Policy m_policy;  // connection_base keeps a reference; built before init() runs
};

// Parses `url` with libpq, adds roomctl's defaults (with_defaults) and connects. `slot` (shared
// with the store, so that cancel() reaches this connection too) is armed with the
// connection's PGcancel while it is open; nullptr gives the connection a slot of its own.
// Throws Error(config) for a malformed string, Error(auth) when the credentials are refused,
// Error(runtime) when the server cannot be reached; no message holds the password.
std::unique_ptr<PgConnection> open_connection(const std::string& url, const StoreOptions& timeouts,
                                              std::shared_ptr<CancelSlot> slot = nullptr);

// SET LOCAL lock_timeout and statement_timeout: the first statement of EVERY transaction the
// store runs (`pqxx::work tx{conn}; apply_timeouts(tx, conn);`). Transaction-scoped, so it
// holds through transaction-mode poolers, where a session SET would land on some other
// client's backend. (pqxx::nontransaction statements get no limit: use them only for
// statements that never wait, like pg_try_advisory_lock.)
void apply_timeouts(pqxx::transaction_base& tx, const StoreOptions& timeouts);
inline void apply_timeouts(pqxx::transaction_base& tx, const PgConnection& conn) {
    apply_timeouts(tx, conn.timeouts());
}

// "5s", "1m30s", "250ms".
std::string format_timeout(std::chrono::milliseconds ms);

// The Error for a statement the server stopped with SQLSTATE 55P03 (lock_not_available: it
// waited longer than lock_timeout) or 57014 (query_canceled: statement_timeout, or another
// session's pg_cancel_backend). Kind runtime, one line, naming the sessions that hold a lock on
// `table_sql` (pg_locks joined with pg_stat_activity, read on `conn` in a new transaction):
// pid, application, user, state and how long their transaction has been open. `elapsed` is
// how long the statement ran. Never throws.
Error stopped_statement_error(PgConnection& conn, const std::string& table_sql,
                              const std::string& table_display, const StoreOptions& options,
                              const std::string& sqlstate, std::chrono::milliseconds elapsed);

// "interrupted: the database query was cancelled", Error(interrupted).
Error interrupted_error();

}  // namespace roomctl::store
