#include "roomctl/store/table_facts.hpp"

#include <string_view>
#include <utility>

#include "roomctl/store/sql.hpp"

// Every statement (sql.hpp) is exec_params (PQexecParams, an unnamed statement) inside its own
// transaction, like the rest of the store, so all of this works through transaction-mode
// poolers too.

namespace roomctl::store::facts {
namespace {

std::vector<std::string> text_array_of(const pqxx::field& f) {
    std::vector<std::string> out;
    if (f.is_null()) return out;
    pqxx::array_parser parser = f.as_array();
    for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::done;
         std::tie(juncture, value) = parser.get_next()) {
        if (juncture == pqxx::array_parser::string_value) out.push_back(std::move(value));
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

// True when `s` is one parenthesised whole, "(a = b)" but not "(a) OR (b)".
bool wrapped(std::string_view s) {
    if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
    int depth = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0 && i + 1 < s.size()) return false;
    }
    return true;
}

std::string describe(const RlsPolicy& p) {
    std::string out = "\"" + p.name + "\"";
    if (!p.permissive) out += " AS RESTRICTIVE";
    out += " FOR " + p.command + " TO " + join(p.roles, ", ");
    if (!p.using_expr)
        out += " without USING";
    else
        out +=
            wrapped(*p.using_expr) ? " USING " + *p.using_expr : " USING (" + *p.using_expr + ")";
    return out;
}

std::string rows_word(std::int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// The one-line explanation and fix of a RowVisibility whose facts are filled in.
void explain(RowVisibility& v, const std::string& quoted_role) {
    const std::string who = "role " + v.role + " on table " + v.table;
    if (!v.rls_enabled) {
        v.explanation = "row-level security is not enabled on table " + v.table + ": role " +
                        v.role + " sees every row";
        return;
    }
    if (!v.applies) {
        const char* why = v.superuser   ? "it is a superuser"
                          : v.bypassrls ? "it has BYPASSRLS"
                                        : "it owns the table and FORCE ROW LEVEL SECURITY is off";
        v.explanation = "row-level security is enabled on table " + v.table +
                        " but does not apply to role " + v.role + " (" + why +
                        "): it sees every row";
        return;
    }
    if (v.sees_all_rows) {
        std::string which;
        for (const auto& p : v.policies)
            if (p.permissive && p.using_expr == "true") {
                which = describe(p);
                break;
            }
        v.explanation = "row-level security applies to " + who + ", and policy " + which +
                        " lets it see every row";
        return;
    }
    std::string seen = "it sees " + rows_word(v.visible_rows);
    if (v.estimated_rows) seen += " of about " + std::to_string(*v.estimated_rows);
    std::string policies;
    if (v.policies.empty()) {
        policies = "no SELECT policy applies to it, so it sees no row";
    } else {
        std::vector<std::string> named;
        for (const auto& p : v.policies) named.push_back(describe(p));
        policies = "policies that apply: " + join(named, "; ");
    }
    v.explanation = "row-level security applies to " + who +
                    " and no policy shows that it can see every row: " + seen + " (" + policies +
                    ")";
    v.fix =
        "give the role BYPASSRLS (e.g. a dedicated roomctl role: ALTER ROLE roomctl "
        "BYPASSRLS) or add a policy: CREATE POLICY roomctl_read ON " +
        v.table + " FOR SELECT TO " + quoted_role + " USING (true)";
    for (const auto& p : v.policies)
        if (!p.permissive) {
            v.fix += " (the RESTRICTIVE policy \"" + p.name + "\" must then allow every row too)";
            break;
        }
}

}  // namespace

Liveness liveness_of(std::string_view code) {
    if (code == "live") return Liveness::live;
    if (code == "ended") return Liveness::ended;
    return Liveness::unclassified;
}

std::vector<StatusCount> status_counts(PgConnection& conn, const sql::RowSql& rows,
                                       const std::string& live_array,
                                       const std::string& ended_array) {
    pqxx::read_transaction tx{conn};  // live_when must not write
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(sql::status_counts(rows), live_array, ended_array);
    tx.commit();
    std::vector<StatusCount> out;
    out.reserve(r.size());
    for (const auto& row : r) {
        out.push_back(
            {sql::optional_text(row[0]), row[1].as<std::int64_t>(), liveness_of(row[2].c_str())});
    }
    return out;
}

std::optional<RowVisibility> row_visibility(PgConnection& conn, const std::string& table_sql) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result t = tx.exec_params(sql::row_security_facts(), table_sql);
    if (t.empty()) return std::nullopt;
    RowVisibility v;
    const auto& f = t[0];
    v.role = f[0].c_str();
    const std::string quoted_role = f[1].c_str();
    v.table = f[2].c_str();
    v.rls_enabled = f[3].as<bool>();
    v.rls_forced = f[4].as<bool>();
    v.superuser = f[5].as<bool>();
    v.bypassrls = f[6].as<bool>();
    v.owner = f[7].as<bool>();
    const bool server_says = f[8].as<bool>();
    const double reltuples = f[9].as<double>();
    const long relpages = f[10].as<long>();
    const int version = f[11].as<int>();
    v.applies = (v.rls_enabled && !v.superuser && !v.bypassrls && (!v.owner || v.rls_forced)) ||
                server_says;
    // -1 means "never analysed" since PostgreSQL 14; before, 0 with no pages meant the same.
    if (reltuples >= 0 && !(version < 140000 && reltuples == 0 && relpages == 0))
        v.estimated_rows = static_cast<std::int64_t>(reltuples + 0.5);

    const pqxx::result policies = tx.exec_params(sql::select_policies(), table_sql);
    bool unconditional = false, restricted = false;
    for (const auto& row : policies) {
        RlsPolicy p{row[0].c_str(), row[1].c_str(), row[2].as<bool>(), text_array_of(row[3]),
                    sql::optional_text(row[4])};
        if (p.permissive && p.using_expr == "true") unconditional = true;
        if (!p.permissive) restricted = true;
        v.policies.push_back(std::move(p));
    }
    v.sees_all_rows = !v.applies || (unconditional && !restricted);
    v.visible_rows = tx.exec_params1(sql::count_rows(table_sql))[0].as<std::int64_t>();
    tx.commit();
    explain(v, quoted_role);
    return v;
}

std::optional<std::int64_t> table_lock_key(PgConnection& conn, const std::string& table_sql) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::row r = tx.exec_params1(sql::table_lock_key(),
                                        static_cast<std::int64_t>(k_table_lock_class), table_sql);
    tx.commit();
    if (r[0].is_null()) return std::nullopt;
    return r[0].as<std::int64_t>();
}

bool try_lock(PgConnection& conn, std::int64_t key) {
    pqxx::nontransaction tx{conn};
    return tx.exec_params1(sql::try_advisory_lock(), key)[0].as<bool>();
}

bool unlock(PgConnection& conn, std::int64_t key) {
    pqxx::nontransaction tx{conn};
    return tx.exec_params1(sql::advisory_unlock(), key)[0].as<bool>();
}

std::optional<LockHolder> lock_holder(PgConnection& conn, std::int64_t key) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(sql::advisory_lock_holder(), key);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return LockHolder{r[0][0].as<int>(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
}

int backend_pid(PgConnection& conn) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const int pid = tx.exec_params1(sql::backend_pid())[0].as<int>();
    tx.commit();
    return pid;
}

SessionCheck session_check(PgConnection& conn,
                           const std::function<std::unique_ptr<PgConnection>()>& open_other) {
    // Two transactions here, then a second client: a transaction-mode pooler hands this
    // connection's idle server session to the new client (PgBouncer reuses the most recently
    // used one), so both report one pid; a direct connection or a session-mode pooler gives
    // every client its own backend.
    const int first = backend_pid(conn);
    const int second = backend_pid(conn);
    int other = 0;
    {
        auto fresh = open_other();
        other = backend_pid(*fresh);
    }
    SessionCheck check;
    if (first != second) {
        check.shared_session = false;
        check.evidence =
            "two transactions on one connection ran on different server "
            "sessions (backend pids " +
            std::to_string(first) + " and " + std::to_string(second) + ")";
    } else if (other == second) {
        check.shared_session = false;
        check.evidence =
            "a second connection was served by the same server session "
            "(backend pid " +
            std::to_string(other) + ") as this one";
    } else {
        check.evidence = "one server session per connection (backend pids " +
                         std::to_string(second) + " and " + std::to_string(other) + ")";
    }
    return check;
}

}  // namespace roomctl::store::facts
