#include "roomctl/store/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <optional>

#include "roomctl/store/sql.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::store {

// ---------------------------------------------------------------------------------------------
// Cancelling
// ---------------------------------------------------------------------------------------------

struct CancelSlot::Armed {
    pqxx::internal::pq::PGconn* conn = nullptr;
    PGcancel* cancel = nullptr;
    std::atomic<bool> live{true};
    Armed* next = nullptr;
    ~Armed() {
        if (cancel) PQfreeCancel(cancel);
    }
};

CancelSlot::~CancelSlot() {
    for (Armed* a = m_head.load(); a != nullptr;) {
        Armed* next = a->next;
        delete a;
        a = next;
    }
}

void CancelSlot::arm(pqxx::internal::pq::PGconn* conn) {
    auto armed = std::make_unique<Armed>();
    armed->conn = conn;
    armed->cancel = PQgetCancel(conn);
    if (armed->cancel == nullptr) return;  // out of memory: this connection cannot be cancelled
    armed->next = m_head.load();
    m_head.store(armed.release());
}

void CancelSlot::disarm(pqxx::internal::pq::PGconn* conn) noexcept {
    for (Armed* a = m_head.load(); a != nullptr; a = a->next)
        if (a->conn == conn) a->live.store(false);
}

void CancelSlot::cancel() noexcept {
    m_requested.store(true);
    for (Armed* a = m_head.load(); a != nullptr; a = a->next) {
        if (!a->live.load()) continue;
        char errbuf[256];
        // Nothing to do on failure: the statement then ends by itself (within its timeouts),
        // and the store reports the interruption when it does.
        (void)PQcancel(a->cancel, errbuf, sizeof errbuf);
    }
}

// ---------------------------------------------------------------------------------------------
// The connection
// ---------------------------------------------------------------------------------------------

PgConnection::Policy::Policy(ConnOptions options, std::shared_ptr<CancelSlot> slot)
    : pqxx::connectionpolicy{std::string{}},
      m_options(std::move(options)),
      m_slot(std::move(slot)) {}

PgConnection::Policy::handle PgConnection::Policy::do_startconnect(handle orig) {
    if (orig) return orig;
    std::vector<const char*> keywords, values;
    for (const auto& [key, value] : m_options) {
        keywords.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname=0: the string was parsed once already; a dbname is a name.
    PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 0);
    if (conn == nullptr) throw std::bad_alloc{};
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message{PQerrorMessage(conn)};
        PQfinish(conn);
        throw pqxx::broken_connection{message};
    }
    m_slot->arm(conn);
    return conn;
}

PgConnection::Policy::handle PgConnection::Policy::do_disconnect(handle orig) noexcept {
    m_slot->disarm(orig);
    return pqxx::connectionpolicy::do_disconnect(orig);
}

PgConnection::PgConnection(ConnOptions options, const StoreOptions& timeouts,
                           std::shared_ptr<CancelSlot> slot)
    : pqxx::connection_base(m_policy),
      m_timeouts(timeouts),
      m_slot(slot),
      m_policy(std::move(options), slot) {
    init();
}

PgConnection::~PgConnection() noexcept { close(); }

std::unique_ptr<PgConnection> open_connection(const std::string& url, const StoreOptions& timeouts,
                                              std::shared_ptr<CancelSlot> slot) {
    ConnOptions options = with_defaults(parse_conninfo(url));
    if (!slot) slot = std::make_shared<CancelSlot>();
    try {
        return std::make_unique<PgConnection>(std::move(options), timeouts, std::move(slot));
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw connection_error(e.what(), url);
    }
}

// ---------------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------------

void apply_timeouts(pqxx::transaction_base& tx, const StoreOptions& timeouts) {
    tx.exec(sql::set_local_timeouts(timeouts.lock_timeout, timeouts.statement_timeout));
}

std::string format_timeout(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0) return format_duration(std::chrono::seconds{ms.count() / 1000});
    return std::to_string(ms.count()) + "ms";
}

Error interrupted_error() {
    return Error{ErrorKind::interrupted, "interrupted: the database query was cancelled"};
}

namespace {

// One session holding a lock on the table, as pg_stat_activity shows it to this role.
struct Holder {
    long pid = 0;
    std::optional<std::string> application, user, state;
    std::optional<long long> transaction_age;  // seconds since xact_start
    std::optional<long long> query_age;        // seconds since query_start
};

std::string describe(const Holder& h) {
    std::string out = "pid " + std::to_string(h.pid) + " (application ";
    out += h.application && !h.application->empty() ? *h.application : "unnamed";
    if (h.user) out += ", user " + *h.user;
    if (!h.state) {
        out += ", its state hidden from this role";
    } else if (*h.state == "active" && h.query_age) {
        out += ", running a statement for " + format_duration(std::chrono::seconds{*h.query_age});
    } else if (h.transaction_age) {
        out +=
            ", " + *h.state + " for " + format_duration(std::chrono::seconds{*h.transaction_age});
    } else {
        out += ", " + *h.state;
    }
    return out + ")";
}

// The table as the server names it, and who holds a lock on it now, strongest lock first.
std::pair<std::string, std::vector<Holder>> lock_holders(PgConnection& conn,
                                                         const std::string& table_sql,
                                                         const StoreOptions& options) {
    pqxx::work tx{conn};
    apply_timeouts(tx, {std::min(options.lock_timeout, std::chrono::milliseconds{1000}),
                        std::min(options.statement_timeout, std::chrono::milliseconds{5000})});
    std::string table;
    const pqxx::result t = tx.exec_params(sql::table_display_name(), table_sql);
    if (!t.empty()) table = t[0][0].c_str();
    const pqxx::result r = tx.exec_params(sql::relation_lock_holders(), table_sql);
    tx.commit();
    std::vector<Holder> holders;
    for (const auto& row : r) {
        const long pid = row[0].as<long>();
        if (std::any_of(holders.begin(), holders.end(),
                        [&](const Holder& h) { return h.pid == pid; }))
            continue;  // one session may hold several locks on the table
        Holder h;
        h.pid = pid;
        h.application = sql::optional_text(row[1]);
        h.user = sql::optional_text(row[2]);
        h.state = sql::optional_text(row[3]);
        if (!row[4].is_null()) h.transaction_age = row[4].as<long long>();
        if (!row[5].is_null()) h.query_age = row[5].as<long long>();
        holders.push_back(std::move(h));
    }
    return {table, holders};
}

}  // namespace

Error stopped_statement_error(PgConnection& conn, const std::string& table_sql,
                              const std::string& table_display, const StoreOptions& options,
                              const std::string& sqlstate, std::chrono::milliseconds elapsed) {
    std::string table = table_display;
    std::vector<Holder> holders;
    std::string unknown;  // why the holders could not be read, if they could not
    try {
        auto [name, found] = lock_holders(conn, table_sql, options);
        if (!name.empty()) table = name;
        holders = std::move(found);
    } catch (const std::exception& e) {
        unknown = " (the lock's holder could not be read: " + error_line(e.what()) + ")";
    }
    std::string who;
    if (!holders.empty()) {
        who = describe(holders.front());
        if (holders.size() > 1)
            who += " and " + std::to_string(holders.size() - 1) + " other session" +
                   (holders.size() > 2 ? "s" : "");
    }
    const std::string subject = "the room table " + table;
    if (sqlstate == "55P03") {
        const std::string gave_up =
            "gave up after lock_timeout " + format_timeout(options.lock_timeout);
        if (!who.empty())
            return runtime_error(subject + " is locked by " + who + "; " + gave_up +
                                 ": end that transaction or raise [database] lock_timeout");
        return runtime_error(subject + " was locked by another session" + unknown + "; " + gave_up +
                             ": run again, or raise [database] lock_timeout");
    }
    // 57014, not from this store's cancel(): statement_timeout, or someone's pg_cancel_backend.
    if (options.statement_timeout.count() > 0 &&
        elapsed + std::chrono::milliseconds{250} >= options.statement_timeout) {
        std::string out = "a query on " + subject + " ran longer than statement_timeout " +
                          format_timeout(options.statement_timeout) + " and was stopped";
        if (!who.empty()) out += "; the table is locked by " + who;
        return runtime_error(out + unknown + ": " +
                             (who.empty() ? "" : "end that transaction or ") +
                             "raise [database] statement_timeout");
    }
    return runtime_error("the database cancelled roomctl's query on " + subject +
                         " (another session ran pg_cancel_backend?): run again");
}

}  // namespace roomctl::store
