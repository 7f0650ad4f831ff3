#include "roomctl/store/mapping_sql.hpp"

#include <set>
#include <utility>

#include "roomctl/store/sql.hpp"

namespace roomctl::store {

std::optional<std::string> resolved_table(pqxx::transaction_base& tx,
                                          const std::string& table_sql) {
    const pqxx::result r = tx.exec_params(sql::resolved_table(), table_sql);
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
    const pqxx::result cols = tx.exec_params(sql::column_names(), table_sql);
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
    const pqxx::result r = tx.exec_params(sql::column_type(), table_sql, column);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return std::string{r[0][0].c_str()};
}

}  // namespace roomctl::store
