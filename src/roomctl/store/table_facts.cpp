#include "roomctl/store/table_facts.hpp"

#include <string_view>
#include <utility>

// Every statement is exec_params (PQexecParams, an unnamed statement) inside its own
// transaction, like the rest of the store, so all of this works through transaction-mode
// poolers too. Catalog names are schema-qualified (pg_catalog.) so a search_path cannot
// substitute another object.

namespace roomctl::store::facts {
namespace {

std::optional<std::string> text_of(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return std::string{f.c_str(), f.size()};
}

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

std::string status_in_sql(const std::string& status_sql, int param) {
    return "pg_catalog.lower(" + status_sql +
           "::text) = ANY (ARRAY(SELECT pg_catalog.lower(w) FROM pg_catalog.unnest($" +
           std::to_string(param) + "::text[]) AS w))";
}

std::string liveness_sql(const std::string& status_sql, int live_param, int ended_param) {
    return "CASE WHEN " + status_in_sql(status_sql, live_param) + " THEN 'live' WHEN " +
           status_in_sql(status_sql, ended_param) + " THEN 'ended' ELSE 'unclassified' END";
}

Liveness liveness_of(std::string_view code) {
    if (code == "live") return Liveness::live;
    if (code == "ended") return Liveness::ended;
    return Liveness::unclassified;
}

std::vector<StatusCount> status_counts(PgConnection& conn, const std::string& table_sql,
                                       const std::string& status_sql, const std::string& live_array,
                                       const std::string& ended_array) {
    const std::string sql = "SELECT " + status_sql + "::text, count(*), " +
                            liveness_sql(status_sql, 1, 2) + " FROM " + table_sql + " GROUP BY " +
                            status_sql + "::text ORDER BY 2 DESC, 1";
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(sql, live_array, ended_array);
    tx.commit();
    std::vector<StatusCount> out;
    out.reserve(r.size());
    for (const auto& row : r) {
        out.push_back({text_of(row[0]), row[1].as<std::int64_t>(), liveness_of(row[2].c_str())});
    }
    return out;
}

std::optional<RowVisibility> row_visibility(PgConnection& conn, const std::string& table_sql) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result t = tx.exec_params(
        "SELECT current_user::text, pg_catalog.quote_ident(current_user), "
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), "
        "c.relrowsecurity, c.relforcerowsecurity, r.rolsuper, r.rolbypassrls, "
        "pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE'), "
        "pg_catalog.row_security_active(c.oid), c.reltuples::float8, c.relpages, "
        "pg_catalog.current_setting('server_version_num')::int "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_roles r ON r.rolname = current_user "
        "WHERE c.oid = pg_catalog.to_regclass($1::text)",
        table_sql);
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

    // Only SELECT and ALL policies filter a SELECT; a policy applies to PUBLIC (role 0) or to
    // a role whose privileges this one has (as the server decides, pg_has_role ... USAGE).
    const pqxx::result policies = tx.exec_params(
        "SELECT p.polname::text, CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' "
        "WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, p.polpermissive, "
        "ARRAY(SELECT CASE WHEN ro = 0 THEN 'public' "
        "ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(ro)) END "
        "FROM pg_catalog.unnest(p.polroles) AS ro ORDER BY 1), "
        "pg_catalog.pg_get_expr(p.polqual, p.polrelid) "
        "FROM pg_catalog.pg_policy p WHERE p.polrelid = pg_catalog.to_regclass($1::text) "
        "AND p.polcmd IN ('r', '*') AND EXISTS (SELECT 1 FROM pg_catalog.unnest(p.polroles) "
        "AS ro WHERE CASE WHEN ro = 0 THEN true "
        "ELSE pg_catalog.pg_has_role(current_user, ro, 'USAGE') END) "
        "ORDER BY 1",
        table_sql);
    bool unconditional = false, restricted = false;
    for (const auto& row : policies) {
        RlsPolicy p{row[0].c_str(), row[1].c_str(), row[2].as<bool>(), text_array_of(row[3]),
                    text_of(row[4])};
        if (p.permissive && p.using_expr == "true") unconditional = true;
        if (!p.permissive) restricted = true;
        v.policies.push_back(std::move(p));
    }
    v.sees_all_rows = !v.applies || (unconditional && !restricted);
    v.visible_rows = tx.exec_params1("SELECT count(*) FROM " + table_sql)[0].as<std::int64_t>();
    tx.commit();
    explain(v, quoted_role);
    return v;
}

std::optional<std::int64_t> table_lock_key(PgConnection& conn, const std::string& table_sql) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::row r =
        tx.exec_params1("SELECT ($1::bigint << 32) | pg_catalog.to_regclass($2::text)::oid::bigint",
                        static_cast<std::int64_t>(k_table_lock_class), table_sql);
    tx.commit();
    if (r[0].is_null()) return std::nullopt;
    return r[0].as<std::int64_t>();
}

bool try_lock(PgConnection& conn, std::int64_t key) {
    pqxx::nontransaction tx{conn};
    return tx.exec_params1("SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", key)[0].as<bool>();
}

bool unlock(PgConnection& conn, std::int64_t key) {
    pqxx::nontransaction tx{conn};
    return tx.exec_params1("SELECT pg_catalog.pg_advisory_unlock($1::bigint)", key)[0].as<bool>();
}

std::optional<LockHolder> lock_holder(PgConnection& conn, std::int64_t key) {
    // A 64-bit advisory key shows in pg_locks as classid (high half), objid (low half) and
    // objsubid 1; the two-int4 form would be objsubid 2.
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(
        "SELECT l.pid, coalesce(a.application_name, ''), "
        "CASE WHEN a.client_addr IS NOT NULL THEN pg_catalog.host(a.client_addr) "
        "WHEN a.client_port = -1 THEN 'local socket' ELSE '' END, "
        "coalesce(pg_catalog.to_char(a.backend_start AT TIME ZONE 'UTC', "
        "CASE WHEN (a.backend_start AT TIME ZONE 'UTC')::date = (now() AT TIME ZONE 'UTC')::date "
        "THEN 'HH24:MI:SS' ELSE 'YYYY-MM-DD HH24:MI:SS' END) || ' UTC', '') "
        "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM "
        "pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
        "AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid "
        "AND l.objsubid = 1 ORDER BY l.pid LIMIT 1",
        key);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return LockHolder{r[0][0].as<int>(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
}

int backend_pid(PgConnection& conn) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const int pid = tx.exec_params1("SELECT pg_catalog.pg_backend_pid()")[0].as<int>();
    tx.commit();
    return pid;
}

}  // namespace roomctl::store::facts
