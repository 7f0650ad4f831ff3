#include "roomctl/store/mapping_sql.hpp"

#include <set>
#include <utility>
#include <vector>

#include "roomctl/store/sql.hpp"

namespace roomctl::store {

std::optional<std::string> resolved_table(pqxx::transaction_base& tx,
                                          const std::string& table_sql) {
    const pqxx::result r = tx.exec_params(sql::resolved_table(), table_sql);
    if (r.empty()) return std::nullopt;
    return std::string{r[0][0].c_str()};
}

namespace {

// The column names of `table_sql` (quoted), read in `tx`.
std::set<std::string> columns_of(pqxx::transaction_base& tx, const std::string& table_sql) {
    std::set<std::string> names;
    for (const auto& row : tx.exec_params(sql::column_names(), table_sql))
        names.insert(row[0].c_str());
    return names;
}

bool is_date_time(const std::string& type) {
    return type == "date" || type.rfind("timestamp", 0) == 0;
}

}  // namespace

MappingCheck check_mapping_sql(PgConnection& conn, const std::string& table_sql,
                               const sql::RowSql& row, const config::RoomMapping& mapping,
                               const std::string& live_array, const std::string& ended_array) {
    MappingCheck check;
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const auto table = resolved_table(tx, table_sql);
    if (!table) {
        check.problem = "table \"" + mapping.table + "\" does not exist (set [rooms] table)";
        return check;
    }
    check.qualified_table = *table;
    const auto names = columns_of(tx, table_sql);
    std::vector<std::pair<std::string, std::string>> wanted = {
        {mapping.name_column, "name_column"}};
    if (mapping.records_sids()) wanted.emplace_back(mapping.sid_column, "sid_column");
    if (!mapping.session_table.empty())
        wanted.emplace_back(mapping.session_key_column(), "session_key");
    else if (mapping.live_when.empty())
        wanted.emplace_back(mapping.status_column, "status_column");
    if (!mapping.starts_column.empty()) wanted.emplace_back(mapping.starts_column, "starts_column");
    for (const auto& column : config::template_columns(mapping))
        wanted.emplace_back(column, "room_name_template");
    for (const auto& [setting, column] : mapping.setting_columns())
        wanted.emplace_back(column, setting + "_column");
    for (const auto& [column, key] : wanted) {
        if (column.empty() || !names.contains(column)) {
            check.problem = "column \"" + column + "\" does not exist in table " +
                            check.qualified_table + " (set [rooms] " + key + ")";
            return check;
        }
    }
    if (!mapping.session_table.empty()) {
        const std::string sessions_sql = sql::qualified(
            mapping.session_table, [&](const std::string& c) { return conn.quote_name(c); });
        const auto sessions = resolved_table(tx, sessions_sql);
        if (!sessions) {
            check.problem = "table \"" + mapping.session_table +
                            "\" does not exist (set [rooms] session_table)";
            return check;
        }
        const auto session_columns = columns_of(tx, sessions_sql);
        for (const auto& [column, key] :
             {std::pair{mapping.session_table_key, "session_table_key"},
              std::pair{mapping.session_status_column, "session_status_column"}}) {
            if (!session_columns.contains(column)) {
                check.problem = "column \"" + column + "\" does not exist in table " + *sessions +
                                " (set [rooms] " + key + ")";
                return check;
            }
        }
    }
    tx.commit();
    if (!mapping.starts_column.empty()) {
        const auto type = column_type(conn, table_sql, mapping.starts_column);
        if (type && !is_date_time(*type)) {
            check.problem = "column \"" + mapping.starts_column + "\" of table " +
                            check.qualified_table + " is " + *type +
                            ", not a date or timestamp (set [rooms] starts_column)";
            return check;
        }
    }
    try {
        pqxx::work plan{conn};
        apply_timeouts(plan, conn);
        plan.exec_params(sql::explain_select_rooms(row), live_array, ended_array);
        plan.commit();
    } catch (const pqxx::sql_error& e) {
        // 42xxx and 22xxx: the statement cannot work as written (syntax, an unknown column or
        // function, operator types, a cast); anything else is not the mapping's fault.
        const std::string& state = e.sqlstate();
        if (state.rfind("42", 0) != 0 && state.rfind("22", 0) != 0) throw;
        std::string what = e.what();
        if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
        if (what.rfind("ERROR:", 0) == 0) what = what.substr(what.find_first_not_of(' ', 6));
        const std::string key = !mapping.live_when.empty()       ? "[rooms] live_when"
                                : !mapping.session_table.empty() ? "[rooms] session_table"
                                                                 : "[rooms]";
        check.problem = key + " does not work on table " + check.qualified_table + ": " + what +
                        " (fix " + key + "; nothing was read)";
        return check;
    }
    check.ok = true;
    return check;
}

std::optional<std::string> column_type(PgConnection& conn, const std::string& table_sql,
                                       const std::string& column) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(sql::column_type(), table_sql, column);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return std::string{r[0][0].c_str()};
}

}  // namespace roomctl::store
