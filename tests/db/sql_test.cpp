// store/sql.hpp's values, read back by a real PostgreSQL: what text_array_literal writes is the
// array the server parses, element for element, NULLs included.
#include "roomctl/store/sql.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store_fixture.hpp"

namespace roomctl::store {
namespace {

using Values = std::vector<std::optional<std::string>>;

// The elements of the text[] parameter as the server sees them, in order.
Values round_trip(pqxx::connection& conn, const std::string& literal) {
    pqxx::work tx{conn};
    const pqxx::result r = tx.exec_params(
        "SELECT x FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i",
        literal);
    tx.commit();
    Values out;
    for (const auto& row : r) out.push_back(sql::optional_text(row[0]));
    return out;
}

TEST(SqlValues, TextArrayLiteralIsParsedBackElementForElement) {
    std::optional<std::string> url;
    ROOMCTL_REQUIRE_URL(url, "ROOMCTL_TEST_DATABASE_URL", "start PostgreSQL (scripts/lib/pg.sh)");
    pqxx::connection conn{*url};
    const Values hostile = {
        "a,b",        "say \"hi\"", "{brace}", "back\\slash",       "it's", "NULL",
        std::nullopt, " spaced ",   "",        "\xC3\xA9t\xC3\xA9", "\\\"", "}",
        std::nullopt};
    EXPECT_EQ(round_trip(conn, sql::text_array_literal(hostile)), hostile);
    EXPECT_EQ(round_trip(conn, sql::text_array_literal(Values{})), Values{});
    // The words of the mapping: the overload without NULLs writes the same literal.
    const std::vector<std::string> words = {"live", "NULL", "a,b", ""};
    EXPECT_EQ(sql::text_array_literal(words),
              sql::text_array_literal(Values{"live", "NULL", "a,b", ""}));
    EXPECT_EQ(round_trip(conn, sql::text_array_literal(words)),
              (Values{"live", "NULL", "a,b", ""}));
}

}  // namespace
}  // namespace roomctl::store
