#include "roomctl/store/sid_sql.hpp"

#include <algorithm>
#include <cctype>

#include "roomctl/store/sql.hpp"

namespace roomctl::store {

namespace {

bool same_uuid(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string too_long(const SidColumnSql& column, const std::string& sid) {
    return "SID " + sid + " is " + std::to_string(utf8_chars(sid)) + " characters, but column \"" +
           column.facts.column + "\" is " + column.facts.type +
           ": nothing was written (widen it, e.g. ALTER COLUMN ... TYPE text)";
}

}  // namespace

std::size_t utf8_chars(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<SidColumnSql> sid_column_sql(PgConnection& conn, const std::string& table_sql,
                                           const std::string& column) {
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    const pqxx::result r = tx.exec_params(sql::sid_column_facts(), table_sql, column);
    tx.commit();
    if (r.empty()) return std::nullopt;
    SidColumnSql out;
    out.facts.column = column;
    out.facts.type = r[0][0].c_str();
    out.base_type = r[0][1].c_str();
    if (!r[0][2].is_null()) out.facts.max_chars = r[0][2].as<int>();
    out.facts.update_triggers = sql::optional_text(r[0][3]).value_or("");
    return out;
}

std::vector<int> write_sids(PgConnection& conn, const SidWriteTarget& target,
                            const SidColumnSql& column, const std::vector<SidUpdate>& updates) {
    std::vector<int> changed(updates.size(), 0);
    if (updates.empty()) return changed;
    std::vector<std::optional<std::string>> rooms, expected, sids;
    for (const auto& u : updates) {
        if (column.facts.max_chars &&
            utf8_chars(u.new_sid) > static_cast<std::size_t>(*column.facts.max_chars))
            throw SidRejected(too_long(column, u.new_sid));
        rooms.emplace_back(u.room);
        expected.push_back(u.expected_sid);
        sids.emplace_back(u.new_sid);
    }
    const std::string statement = sql::write_sids(target.row, column.base_type);
    pqxx::work tx{conn};
    apply_timeouts(tx, conn);
    pqxx::result r;
    try {
        r = tx.exec_params(statement, sql::text_array_literal(rooms),
                           sql::text_array_literal(expected), sql::text_array_literal(sids),
                           target.live_array);
    } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() != "22001") throw;
        if (updates.size() == 1) throw SidRejected(too_long(column, updates.front().new_sid));
        throw SidRejected("a SID is too long for column \"" + column.facts.column + "\" (" +
                          column.facts.type + "): nothing was written");
    }
    const bool uuid = column.base_type == "pg_catalog.uuid";
    for (const auto& row : r) {
        const auto i = row[0].as<std::size_t>();
        if (i < 1 || i > changed.size()) continue;
        const auto& sid = updates[i - 1].new_sid;
        const auto stored = sql::optional_text(row[1]);
        if (!stored || !(*stored == sid || (uuid && same_uuid(*stored, sid)))) {
            // tx is rolled back when it goes out of scope: nothing stays written.
            throw SidRejected(
                "column \"" + column.facts.column + "\" (" + column.facts.type + ") would store " +
                (stored ? "\"" + *stored + "\"" : std::string{"NULL"}) + " instead of SID " + sid +
                (column.facts.update_triggers.empty()
                     ? std::string{}
                     : " (triggers: " + column.facts.update_triggers + ")") +
                ": nothing was written");
        }
        ++changed[i - 1];
    }
    tx.commit();
    return changed;
}

}  // namespace roomctl::store
