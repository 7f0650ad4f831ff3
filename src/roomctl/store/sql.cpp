#include "roomctl/store/sql.hpp"

namespace roomctl::store::sql {

// ---- values in and out -----------------------------------------------------------------------

std::string text_array_literal(const std::vector<std::optional<std::string>>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if (!values[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (const char c : *values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string text_array_literal(const std::vector<std::string>& values) {
    return text_array_literal(
        std::vector<std::optional<std::string>>(values.begin(), values.end()));
}

std::optional<std::string> optional_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return std::string{f.c_str(), f.size()};
}

// ---- predicates ------------------------------------------------------------------------------

std::string status_in(const std::string& status_sql, int param) {
    return "pg_catalog.lower(" + status_sql +
           "::text) = ANY (ARRAY(SELECT pg_catalog.lower(w) FROM pg_catalog.unnest($" +
           std::to_string(param) + "::text[]) AS w))";
}

std::string liveness(const std::string& status_sql, int live_param, int ended_param) {
    return "CASE WHEN " + status_in(status_sql, live_param) + " THEN 'live' WHEN " +
           status_in(status_sql, ended_param) + " THEN 'ended' ELSE 'unclassified' END";
}

// ---- the mapping's row ------------------------------------------------------------------------

std::string qualified(const std::string& dotted,
                      const std::function<std::string(const std::string&)>& ident) {
    const auto dot = dotted.find('.');
    if (dot == std::string::npos) return ident(dotted);
    return ident(dotted.substr(0, dot)) + "." + ident(dotted.substr(dot + 1));
}

RowSql row_sql(const config::RoomMapping& m,
               const std::function<std::string(const std::string&)>& ident,
               const std::function<std::string(const std::string&)>& literal) {
    RowSql r;
    r.table = qualified(m.table, ident);
    auto column = [&](const std::string& c) { return r.table + "." + ident(c); };
    r.name = column(m.name_column);
    if (m.records_sids()) {
        r.sid = column(m.sid_column);
        r.sid_column = ident(m.sid_column);
    }
    if (!m.live_when.empty()) {
        // Parenthesised twice: the expression is one operand whatever operators it holds.
        // Used in boolean positions only (CASE WHEN, IS TRUE), never cast: an expression of
        // another type is then refused when the statement is planned (42804), which check's
        // EXPLAIN reports, instead of failing row by row at run time.
        r.live_when = "((" + m.live_when + "))";
        r.status = "(CASE WHEN " + r.live_when + " THEN 'true' WHEN NOT " + r.live_when +
                   " THEN 'false' END)";
    } else if (!m.session_table.empty()) {
        // Exactly one session row decides; none or several leave the status NULL, so the row
        // is unclassified and --apply refuses rather than guess.
        const std::string s = "roomctl_session";
        r.status = "(SELECT CASE WHEN pg_catalog.count(*) = 1 THEN pg_catalog.min(" + s + "." +
                   ident(m.session_status_column) + "::text) END FROM " +
                   qualified(m.session_table, ident) + " AS " + s + " WHERE " + s + "." +
                   ident(m.session_table_key) + " = " + column(m.session_key_column()) + ")";
    } else {
        r.status = column(m.status_column) + "::text";
    }
    std::string room;
    for (const auto& part : config::parse_room_template(m)) {
        if (!room.empty()) room += " || ";
        room += part.is_column ? column(part.text) + "::text" : literal(part.text);
    }
    r.room = "(" + room + ")";
    if (!m.starts_column.empty())
        r.starts = "pg_catalog.floor(pg_catalog.date_part('epoch', " + column(m.starts_column) +
                   "))::bigint";
    for (const auto& [setting, c] : m.setting_columns())
        r.settings.emplace_back(setting, column(c) + "::text");
    return r;
}

std::string liveness(const RowSql& row, const std::string& status_sql, int live_param,
                     int ended_param) {
    if (row.live_when.empty()) return liveness(status_sql, live_param, ended_param);
    // The word lists do not apply, but the statement keeps its parameters: each must appear
    // for the server to know its type.
    return "CASE WHEN $" + std::to_string(live_param) + "::text[] IS NULL OR $" +
           std::to_string(ended_param) + "::text[] IS NULL THEN 'unclassified' WHEN " + status_sql +
           " = 'true' THEN 'live' WHEN " + status_sql +
           " = 'false' THEN 'ended' ELSE 'unclassified' END";
}

std::string live_predicate(const RowSql& row, int live_param) {
    if (row.live_when.empty()) return status_in(row.status, live_param);
    return "($" + std::to_string(live_param) + "::text[] IS NOT NULL AND " + row.live_when +
           " IS TRUE)";
}

// ---- the connection --------------------------------------------------------------------------

std::string set_local_timeouts(std::chrono::milliseconds lock_timeout,
                               std::chrono::milliseconds statement_timeout) {
    // Integers are milliseconds for both settings.
    return "SET LOCAL lock_timeout = " + std::to_string(lock_timeout.count()) +
           "; SET LOCAL statement_timeout = " + std::to_string(statement_timeout.count());
}

std::string server_version() { return "SHOW server_version"; }

std::string table_display_name() {
    return "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.oid = pg_catalog.to_regclass($1::text)";
}

std::string relation_lock_holders() {
    return "SELECT l.pid, a.application_name, a.usename::text, a.state, "
           "floor(extract(epoch FROM pg_catalog.now() - a.xact_start))::bigint, "
           "floor(extract(epoch FROM pg_catalog.now() - a.query_start))::bigint "
           "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
           "WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid() "
           "AND l.relation = pg_catalog.to_regclass($1::text) AND l.database = (SELECT oid FROM "
           "pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
           "ORDER BY CASE l.mode WHEN 'AccessExclusiveLock' THEN 0 WHEN 'ExclusiveLock' THEN 1 "
           "WHEN 'ShareRowExclusiveLock' THEN 2 WHEN 'ShareLock' THEN 3 "
           "WHEN 'ShareUpdateExclusiveLock' THEN 4 ELSE 5 END, a.xact_start NULLS LAST, l.pid";
}

// ---- the mapping's table and columns ---------------------------------------------------------

std::string resolved_table() {
    return "SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
           "pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.oid = pg_catalog.to_regclass($1::text)";
}

std::string column_names() {
    return "SELECT attname::text FROM pg_catalog.pg_attribute "
           "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attnum > 0 "
           "AND NOT attisdropped";
}

std::string column_type() {
    return "SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
           "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attname = $2::text "
           "AND attnum > 0 AND NOT attisdropped";
}

// ---- the SID column and SID writes -----------------------------------------------------------

std::string sid_column_facts() {
    // tgtype bits (pg_trigger.h): 1 ROW, 2 BEFORE, 16 UPDATE; tgenabled 'D' is disabled.
    // The base type by its catalog name, not format_type(atttypid, NULL): that spells bpchar
    // "character", which is char(1) and would cut every SID to one character.
    return "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod), "
           "(SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(y.typname) "
           " FROM pg_catalog.pg_type y JOIN pg_catalog.pg_namespace n ON n.oid = y.typnamespace "
           " WHERE y.oid = a.atttypid), "
           "CASE WHEN a.atttypid IN ('pg_catalog.varchar'::pg_catalog.regtype, "
           "'pg_catalog.bpchar'::pg_catalog.regtype) AND a.atttypmod >= 4 "
           "THEN a.atttypmod - 4 END, "
           "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(t.tgname), ', ' ORDER BY "
           "t.tgname) "
           " FROM pg_catalog.pg_trigger t WHERE t.tgrelid = a.attrelid AND NOT t.tgisinternal "
           " AND t.tgenabled <> 'D' AND (t.tgtype & 19) = 19) "
           "FROM pg_catalog.pg_attribute a "
           "WHERE a.attrelid = pg_catalog.to_regclass($1::text) AND a.attname = $2::text "
           "AND a.attnum > 0 AND NOT a.attisdropped";
}

std::string write_sids(const RowSql& row, const std::string& base_type) {
    // One statement: each compare-and-set is atomic, whatever else writes the table, and the
    // batch is one round trip. The new SID is cast to the column's type WITHOUT its length
    // (text does not assign to uuid implicitly): the assignment to varchar(n) then refuses a
    // longer value (22001), where CAST(... AS varchar(n)) would cut it silently. RETURNING
    // shows what each row stores after triggers ran. The unnest columns carry a roomctl_
    // prefix so that live_when's unqualified column names resolve to the room table.
    return "UPDATE " + row.table + " SET " + row.sid_column + " = CAST(u.roomctl_new_sid AS " +
           base_type +
           ") FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
           "AS u(roomctl_room, roomctl_expected, roomctl_new_sid, roomctl_i) WHERE " +
           row.room + " = u.roomctl_room AND " + live_predicate(row, 4) + " AND " + row.sid +
           "::text IS NOT DISTINCT FROM u.roomctl_expected RETURNING u.roomctl_i, " + row.sid +
           "::text";
}

// ---- the rows --------------------------------------------------------------------------------

std::string select_rooms(const RowSql& row, const std::string& where) {
    // The inner query reads the table once; the outer one classifies the status text it read.
    // Setting columns get aliases of their own (roomctl_setting_N), so one column may serve
    // several settings, or be the name column, without clashing.
    std::string outer_settings, inner_settings;
    for (std::size_t i = 0; i < row.settings.size(); ++i) {
        const std::string alias = "roomctl_setting_" + std::to_string(i);
        outer_settings += ", " + alias;
        inner_settings += ", " + row.settings[i].second + " AS " + alias;
    }
    return "SELECT roomctl_name, roomctl_sid, roomctl_status, " +
           liveness(row, "roomctl_status", 1, 2) + ", roomctl_room, roomctl_starts" +
           outer_settings + " FROM (SELECT " + row.name + "::text AS roomctl_name, " +
           (row.sid.empty() ? std::string("NULL::text") : row.sid + "::text") +
           " AS roomctl_sid, " + row.status + " AS roomctl_status, " + row.room +
           " AS roomctl_room, " + (row.starts.empty() ? std::string("NULL::bigint") : row.starts) +
           " AS roomctl_starts" + inner_settings + " FROM " + row.table + where +
           ") AS roomctl_rows ORDER BY roomctl_name, roomctl_sid";
}

std::string open_rows_filter(const RowSql& row) {
    return " WHERE " + liveness(row, row.status, 1, 2) + " <> 'ended'";
}

std::string ended_named_filter(const RowSql& row) {
    // The name and SID tests come first: with an index on the name column (a "{name}"
    // template) or on the SID column PostgreSQL can fetch just these rows; the liveness test
    // then only filters them.
    std::string named = row.room + " = ANY ($3::text[])";
    if (!row.sid.empty()) named += " OR " + row.sid + "::text = ANY ($4::text[])";
    return " WHERE (" + named + ") AND " + liveness(row, row.status, 1, 2) + " = 'ended'";
}

std::string tally_rows(const RowSql& row) {
    if (row.sid.empty()) return "SELECT pg_catalog.count(*), 0::bigint FROM " + row.table;
    return "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE " + row.sid +
           "::text ~ ANY ($3::text[]) AND " + liveness(row, row.status, 1, 2) +
           " = 'ended') FROM " + row.table;
}

std::string session_filter(const std::string& session_sql) {
    return " WHERE " + session_sql + "::text = $3::text";
}

std::string recorded_sid(const RowSql& row) {
    return "SELECT " + (row.sid.empty() ? std::string("NULL") : row.sid) + "::text FROM " +
           row.table + " WHERE " + row.room + " = $1::text AND " + live_predicate(row, 2) +
           " ORDER BY 1 LIMIT 1";
}

std::string explain_select_rooms(const RowSql& row) { return "EXPLAIN " + select_rooms(row, ""); }

std::string is_live(const RowSql& row) {
    return "SELECT EXISTS (SELECT 1 FROM " + row.table + " WHERE " + row.room + " = $1::text AND " +
           live_predicate(row, 2) + ")";
}

// ---- table facts -----------------------------------------------------------------------------

std::string status_counts(const RowSql& row) {
    return "SELECT roomctl_status, pg_catalog.count(*), " + liveness(row, "roomctl_status", 1, 2) +
           " FROM (SELECT " + row.status + " AS roomctl_status FROM " + row.table +
           ") AS roomctl_rows GROUP BY roomctl_status ORDER BY 2 DESC, 1";
}

std::string row_security_facts() {
    return "SELECT current_user::text, pg_catalog.quote_ident(current_user), "
           "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), "
           "c.relrowsecurity, c.relforcerowsecurity, r.rolsuper, r.rolbypassrls, "
           "pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE'), "
           "pg_catalog.row_security_active(c.oid), c.reltuples::float8, c.relpages, "
           "pg_catalog.current_setting('server_version_num')::int "
           "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "JOIN pg_catalog.pg_roles r ON r.rolname = current_user "
           "WHERE c.oid = pg_catalog.to_regclass($1::text)";
}

std::string select_policies() {
    // Only SELECT and ALL policies filter a SELECT; a policy applies to PUBLIC (role 0) or to
    // a role whose privileges this one has (as the server decides, pg_has_role ... USAGE).
    return "SELECT p.polname::text, CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' "
           "WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, p.polpermissive, "
           "ARRAY(SELECT CASE WHEN ro = 0 THEN 'public' "
           "ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(ro)) END "
           "FROM pg_catalog.unnest(p.polroles) AS ro ORDER BY 1), "
           "pg_catalog.pg_get_expr(p.polqual, p.polrelid) "
           "FROM pg_catalog.pg_policy p WHERE p.polrelid = pg_catalog.to_regclass($1::text) "
           "AND p.polcmd IN ('r', '*') AND EXISTS (SELECT 1 FROM pg_catalog.unnest(p.polroles) "
           "AS ro WHERE CASE WHEN ro = 0 THEN true "
           "ELSE pg_catalog.pg_has_role(current_user, ro, 'USAGE') END) "
           "ORDER BY 1";
}

std::string count_rows(const std::string& table_sql) { return "SELECT count(*) FROM " + table_sql; }

std::string table_lock_key() {
    return "SELECT ($1::bigint << 32) | pg_catalog.to_regclass($2::text)::oid::bigint";
}

std::string try_advisory_lock() { return "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)"; }

std::string advisory_unlock() { return "SELECT pg_catalog.pg_advisory_unlock($1::bigint)"; }

std::string advisory_lock_holder() {
    // A 64-bit advisory key shows in pg_locks as classid (high half), objid (low half) and
    // objsubid 1; the two-int4 form would be objsubid 2.
    return "SELECT l.pid, coalesce(a.application_name, ''), "
           "CASE WHEN a.client_addr IS NOT NULL THEN pg_catalog.host(a.client_addr) "
           "WHEN a.client_port = -1 THEN 'local socket' ELSE '' END, "
           "coalesce(pg_catalog.to_char(a.backend_start AT TIME ZONE 'UTC', "
           "CASE WHEN (a.backend_start AT TIME ZONE 'UTC')::date = (now() AT TIME ZONE "
           "'UTC')::date "
           "THEN 'HH24:MI:SS' ELSE 'YYYY-MM-DD HH24:MI:SS' END) || ' UTC', '') "
           "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
           "WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM "
           "pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
           "AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid "
           "AND l.objsubid = 1 ORDER BY l.pid LIMIT 1";
}

std::string backend_pid() { return "SELECT pg_catalog.pg_backend_pid()"; }

}  // namespace roomctl::store::sql
