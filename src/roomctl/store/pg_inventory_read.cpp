#include "roomctl/store/pg_inventory_read.hpp"

#include <cstdint>
#include <optional>
#include <utility>

#include "roomctl/store/table_facts.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::store {

std::vector<DbRoom> rooms_of(const pqxx::result& r, const sql::RowSql& m_row) {
    std::vector<DbRoom> rooms;
    rooms.reserve(r.size());
    for (const auto& row : r) {
        DbRoom room;
        room.name = sql::optional_text(row[0]).value_or("");
        room.sid = sql::optional_text(row[1]);
        room.status = sql::optional_text(row[2]);
        room.liveness = facts::liveness_of(row[3].c_str());
        room.live = room.liveness == Liveness::live;
        room.room = sql::optional_text(row[4]).value_or("");
        if (!row[5].is_null()) room.starts_at = row[5].as<std::int64_t>();
        for (std::size_t i = 0; i < m_row.settings.size(); ++i) {
            auto value = sql::optional_text(row[static_cast<pqxx::row::size_type>(6 + i)]);
            if (value) room.settings[m_row.settings[i].first] = std::move(*value);
        }
        rooms.push_back(std::move(room));
    }
    return rooms;
}

namespace {

using SnapshotTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

class PgInventoryRead final : public InventoryRead {
public:
    explicit PgInventoryRead(PgReadParts parts) : m(std::move(parts)) {}

    ~PgInventoryRead() override {
        try {
            m_tx.reset();  // aborts: nothing was written
        } catch (...) {
        }
    }

    std::vector<DbRoom> open_rows(const std::function<void()>& snapshot_taken) override {
        std::vector<DbRoom> rows;
        m.retrying(ending_on_error([&] {
            m_tx.reset();
            auto& conn = m.conn();
            m_tx = std::make_unique<SnapshotTransaction>(conn);
            // SET LOCAL takes no snapshot; the first query does, and every later statement of
            // a REPEATABLE READ transaction reads that same snapshot. The round trip of
            // "SELECT 1" ends after the server took it, so whatever the caller starts once
            // snapshot_taken() returns comes after the snapshot.
            apply_timeouts(*m_tx, conn);
            m_tx->exec("SELECT 1");
            snapshot_taken();
            rows =
                rooms_of(m_tx->exec_params(sql::select_rooms(*m.row, sql::open_rows_filter(*m.row)),
                                           m.live_array, m.ended_array),
                         *m.row);
        }));
        return rows;
    }

    TableTally tally(const std::vector<std::string>& sid_patterns) override {
        TableTally t;
        m.retrying(ending_on_error([&] {
            const auto statement = sql::tally_rows(*m.row);
            const pqxx::row r = m.row->sid.empty() ? transaction().exec_params1(statement)
                                                   : transaction().exec_params1(
                                                         statement, m.live_array, m.ended_array,
                                                         sql::text_array_literal(sid_patterns));
            t.rows = r[0].as<std::int64_t>();
            t.ended_matching_sids = r[1].as<std::int64_t>();
        }));
        return t;
    }

    std::vector<DbRoom> ended_rows(const std::vector<std::string>& rooms,
                                   const std::vector<std::string>& sids) override {
        // PostgreSQL text cannot hold U+0000, so no row has such a name or SID (and libpq
        // would cut the value at it).
        auto usable = [](const std::vector<std::string>& values) {
            std::vector<std::string> out;
            for (const auto& v : values) {
                if (v.find('\0') == std::string::npos) out.push_back(v);
            }
            return sql::text_array_literal(out);
        };
        std::vector<DbRoom> rows;
        if (rooms.empty() && (sids.empty() || m.row->sid.empty())) return rows;
        m.retrying(ending_on_error([&] {
            const auto statement = sql::select_rooms(*m.row, sql::ended_named_filter(*m.row));
            const pqxx::result r =
                m.row->sid.empty()
                    ? transaction().exec_params(statement, m.live_array, m.ended_array,
                                                usable(rooms))
                    : transaction().exec_params(statement, m.live_array, m.ended_array,
                                                usable(rooms), usable(sids));
            rows = rooms_of(r, *m.row);
        }));
        return rows;
    }

private:
    // `f`, ending the transaction when it throws: a failed statement leaves it unusable, and the
    // store's error path (naming a lock's holder) opens a transaction of its own on the
    // connection, which libpqxx refuses while this one is open.
    template <typename F>
    std::function<void()> ending_on_error(F f) {
        return [this, f] {
            try {
                f();
            } catch (...) {
                try {
                    m_tx.reset();
                } catch (...) {
                }
                throw;
            }
        };
    }

    // The read's transaction. After a lost connection (the store reconnected: retrying) a new
    // one, whose snapshot is taken after the server was asked: it only adds ended rows and
    // counts, so a row that ended meanwhile may also appear as ended beside its live self
    // (audit goes by the live row), and the counts are the new snapshot's.
    SnapshotTransaction& transaction() {
        if (!m_tx) {
            auto& conn = m.conn();
            m_tx = std::make_unique<SnapshotTransaction>(conn);
            apply_timeouts(*m_tx, conn);
        }
        return *m_tx;
    }

    PgReadParts m;
    std::unique_ptr<SnapshotTransaction> m_tx;
};

}  // namespace

std::unique_ptr<InventoryRead> pg_inventory_read(PgReadParts parts) {
    return std::make_unique<PgInventoryRead>(std::move(parts));
}

}  // namespace roomctl::store
