#pragma once
// The PostgreSQL InventoryRead (room_store.hpp) and the decoding of select_rooms' rows, shared
// with room_store.cpp. Part of libroomctl_io.so; the statements are in sql.hpp.

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "roomctl/store/pg_connection.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/store/sql.hpp"

namespace roomctl::store {

// select_rooms' result as DbRooms, in its order; `row` gives the setting columns.
std::vector<DbRoom> rooms_of(const pqxx::result& r, const sql::RowSql& row);

// What a PgInventoryRead borrows from its store, which must outlive it.
struct PgReadParts {
    std::function<PgConnection&()> conn;  // the store's connection now (after reconnects)
    const sql::RowSql* row = nullptr;
    std::string live_array, ended_array;  // the mapping's words as text[] literals
    // Runs one operation with the store's error translation (libpqxx -> Error, cancel,
    // timeouts); `retrying` once more after a lost connection (reads only).
    std::function<void(const std::function<void()>&)> guarded, retrying;
};

// A read in one REPEATABLE READ, READ ONLY transaction, opened by open_rows() and rolled back
// when the read is destroyed (it only read). Every statement is asked once more after a lost
// connection, on the store's new connection: open_rows() with a new snapshot (and a second
// snapshot_taken call), tally() and ended_rows() in a transaction of their own whose snapshot
// is later than the server's answer (see transaction() in the .cpp).
std::unique_ptr<InventoryRead> pg_inventory_read(PgReadParts parts);

}  // namespace roomctl::store
