#include "roomctl/store/mapping_sql.hpp"

#include <set>
#include <utility>

namespace roomctl::store {

std::optional<std::string> resolved_table(pqxx::transaction_base& tx, const std::string& table_sql) {
    const pqxx::result r = tx.exec_params(
        "SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
        "pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = pg_catalog.to_regclass($1::text)",
        table_sql);
    if (r.empty()) return std::nullopt;
    return std::string{r[0][0].c_str()};
}

MappingCheck check_mapping_sql(PgConnection& conn, const std::string& table_sql,
                               const config::RoomMapping& mapping) {
    MappingCheck check;
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const auto table = resolved_table(tx, table_sql);
    if (!table) {
        check.problem = "table \"" + mapping.table + "\" does not exist (set [rooms] table)";
        return check;
    }
    check.qualified_table = *table;
    const pqxx::result cols = tx.exec_params(
        "SELECT attname::text FROM pg_catalog.pg_attribute "
        "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attnum > 0 "
        "AND NOT attisdropped",
        table_sql);
    tx.commit();
    std::set<std::string> names;
    for (const auto& row : cols) names.insert(row[0].c_str());
    const std::pair<const std::string*, const char*> wanted[] = {
        {&mapping.name_column, "name_column"},
        {&mapping.sid_column, "sid_column"},
        {&mapping.status_column, "status_column"},
    };
    for (const auto& [column, key] : wanted) {
        if (column->empty() || !names.contains(*column)) {
            check.problem = "column \"" + *column + "\" does not exist in table " +
                            check.qualified_table + " (set [rooms] " + key + ")";
            return check;
        }
    }
    check.ok = true;
    return check;
}

std::optional<std::string> column_type(PgConnection& conn, const std::string& table_sql,
                                       const std::string& column) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(
        "SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
        "WHERE attrelid = pg_catalog.to_regclass($1::text) AND attname = $2::text "
        "AND attnum > 0 AND NOT attisdropped",
        table_sql, column);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return std::string{r[0][0].c_str()};
}

// A PostgreSQL text[] literal: every element double-quoted, '"' and '\' backslash-escaped, so
// commas, braces, quotes, spaces and the word NULL are all taken literally.
std::string text_array_literal(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

// Like text_array_literal, with nullopt as an unquoted NULL element.
std::string nullable_text_array_literal(const std::vector<std::optional<std::string>>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if (!values[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (char c : *values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::optional<std::string> optional_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return std::string{f.c_str(), f.size()};
}

}  // namespace roomctl::store
