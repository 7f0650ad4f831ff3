#include "roomctl/reconcile/inventory.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "roomctl/reconcile/planner.hpp"
#include "roomctl/util/error.hpp"
#include "roomctl/util/parallel.hpp"

namespace roomctl::reconcile {

namespace {

std::uint32_t count_connected(media::MediaServer& server, const media::ServerRoom& room) {
    return static_cast<std::uint32_t>(
        server.list_participants(room.sid.empty() ? room.name : room.sid).size());
}

// Counts rooms[wanted[i]] into counts[i] on up to lookup.concurrency threads (or on `fallback`
// alone without lookup.make_server); a failed count leaves counts[i] nullopt and errors[i] its
// exception. Throws Error(auth) or Error(interrupted) as fill_participant_counts documents.
void count_rooms(const std::vector<media::ServerRoom>& rooms,
                 const std::vector<std::size_t>& wanted, const CountLookup& lookup,
                 media::MediaServer* fallback, std::vector<std::optional<std::uint32_t>>& counts,
                 std::vector<std::exception_ptr>& errors) {
    counts.assign(wanted.size(), std::nullopt);
    errors.assign(wanted.size(), nullptr);
    // Each worker writes only its own slots; results are read after the join.
    std::vector<std::optional<Error>> refusals(wanted.size());  // auth: the run cannot go on
    const bool own_clients = static_cast<bool>(lookup.make_server);
    util::for_each_index(
        wanted.size(), own_clients ? lookup.concurrency : 1, lookup.interrupted, [&] {
            return [&, server = std::unique_ptr<media::MediaServer>()](std::size_t i) mutable {
                try {
                    if (own_clients && !server) server = lookup.make_server();
                    counts[i] =
                        count_connected(own_clients ? *server : *fallback, rooms[wanted[i]]);
                } catch (const Error& e) {
                    errors[i] = std::current_exception();
                    if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::interrupted)
                        refusals[i] = e;
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            };
        });
    if (lookup.interrupted && lookup.interrupted->load())
        throw Error(ErrorKind::interrupted, "interrupted while counting participants");
    for (const auto& refusal : refusals) {
        if (refusal) throw *refusal;
    }
}

std::string what_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "no answer";
    }
}

// How many of `rows` (ended rows read) record a SID of `provider`'s format.
std::size_t with_sids_of(const std::vector<store::DbRoom>& rows, const std::string& provider) {
    std::size_t n = 0;
    for (const auto& row : rows) {
        if (row.sid && !row.sid->empty() && sid_provider(*row.sid) == provider) ++n;
    }
    return n;
}

// The database half of gather_inventory, run on its own thread: the rows that are not ended
// and the tallies. `snapshot` is fulfilled exactly once: when the snapshot is taken, or when
// the read failed before (then `error` says why and `snapshot_ok` stays false).
struct DatabaseSide {
    std::vector<store::DbRoom> open;
    std::map<std::string, store::TableTally> tallies;  // per other provider ("": no patterns)
    std::exception_ptr error;
    bool snapshot_ok = false;
    std::promise<void> snapshot;
    bool signalled = false;

    void signal(bool ok) {
        if (signalled) return;
        signalled = true;
        snapshot_ok = ok;
        snapshot.set_value();
    }

    void run(store::InventoryRead& read, const std::vector<std::string>& foreign) {
        try {
            open = read.open_rows([&] { signal(true); });
            if (foreign.empty()) {
                tallies[""] = read.tally({});
            } else {
                for (const auto& provider : foreign)
                    tallies[provider] = read.tally({sid_pattern(provider)});
            }
        } catch (...) {
            error = std::current_exception();
        }
        signal(false);
    }
};

}  // namespace

Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping, const GatherOptions& options) {
    Inventory inv;
    inv.provider = server.provider();
    inv.table = mapping.table;
    inv.sid_column = mapping.sid_column;
    // Other providers whose SIDs ended rows may record (AuditSummary::ended_foreign_sids).
    std::vector<std::string> foreign;
    if (!inv.provider.empty() && !mapping.sid_column.empty()) {
        for (const auto& p : sid_providers()) {
            if (p != inv.provider) foreign.push_back(p);
        }
    }

    auto read = store.read_inventory();
    DatabaseSide db;
    auto snapshot_taken = db.snapshot.get_future();
    std::thread reader([&] { db.run(*read, foreign); });
    // The server is asked only after the database's snapshot was taken (see the header); a
    // read that failed before that is the run's error, and the server is not asked at all.
    snapshot_taken.wait();
    std::exception_ptr server_error;
    if (db.snapshot_ok) {
        try {
            inv.server = server.list_rooms({});
        } catch (...) {
            server_error = std::current_exception();
        }
    }
    reader.join();
    if (db.error) std::rethrow_exception(db.error);
    if (server_error) std::rethrow_exception(server_error);
    inv.database = std::move(db.open);

    // Rows whose room the list lacks get a second look by SID where the provider needs one.
    std::set<std::string> listed;
    for (const auto& r : inv.server) listed.insert(r.name);
    for (const auto& row : inv.database) {
        if (!row.live || !row.sid || row.sid->empty() || listed.count(row.room)) continue;
        // Another provider's SID names nothing here (audit reports it as foreign_sid): asking
        // would cost one request per row of a wrong table, and Twilio reads "RM_..." as a name.
        if (auto owner = sid_provider(*row.sid); owner && *owner != inv.provider) continue;
        if (auto room = server.confirm_missing(row.room, *row.sid)) {
            listed.insert(room->name);
            inv.server.push_back(std::move(*room));
        }
    }

    // The ended rows that can matter: those naming a server room, by name or by SID.
    std::vector<std::string> names, sids;
    for (const auto& r : inv.server) {
        names.push_back(r.name);
        if (!r.sid.empty()) sids.push_back(r.sid);
    }
    auto ended = read->ended_rows(names, sids);
    read.reset();  // ends the database transaction: nothing below reads the table
    const auto& tally = db.tallies.begin()->second;
    if (!tally.whole_table) {
        const auto read_rows = static_cast<std::int64_t>(inv.database.size() + ended.size());
        inv.unread_rows =
            static_cast<std::size_t>(std::max<std::int64_t>(0, tally.rows - read_rows));
        for (const auto& provider : foreign) {
            const auto seen = static_cast<std::int64_t>(with_sids_of(ended, provider));
            const auto all = db.tallies[provider].ended_matching_sids;
            if (all > seen)
                inv.unread_foreign_sids[provider] = static_cast<std::size_t>(all - seen);
        }
    }
    inv.database.insert(inv.database.end(), std::make_move_iterator(ended.begin()),
                        std::make_move_iterator(ended.end()));

    // Occupancy matters only for rooms cleanup may delete: those no live row owns and no keep
    // pattern protects.
    std::set<std::string> live;
    for (const auto& row : inv.database) {
        if (row.live) live.insert(row.room);
    }
    std::vector<std::size_t> wanted;
    for (std::size_t i = 0; i < inv.server.size(); ++i) {
        const auto& room = inv.server[i];
        if (room.num_participants || live.count(room.name) || kept_by(options.keep, room.name))
            continue;
        wanted.push_back(i);
    }
    std::vector<std::optional<std::uint32_t>> counts;
    std::vector<std::exception_ptr> errors;
    count_rooms(inv.server, wanted, options.counts, &server, counts, errors);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (errors[i]) std::rethrow_exception(errors[i]);  // never a guessed 0
        inv.server[wanted[i]].num_participants = counts[i];
    }
    inv.observed_at = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return inv;
}

std::map<std::string, std::string> fill_participant_counts(std::vector<media::ServerRoom>& rooms,
                                                           const CountLookup& lookup) {
    std::vector<std::size_t> wanted;
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        if (!rooms[i].num_participants) wanted.push_back(i);
    }
    std::map<std::string, std::string> failed;
    if (wanted.empty()) return failed;
    std::vector<std::optional<std::uint32_t>> counts;
    std::vector<std::exception_ptr> errors;
    count_rooms(rooms, wanted, lookup, nullptr, counts, errors);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto& room = rooms[wanted[i]];
        if (counts[i]) {
            room.num_participants = counts[i];
        } else {
            failed.emplace(room.name, errors[i] ? what_of(errors[i]) : "no answer");
        }
    }
    return failed;
}

}  // namespace roomctl::reconcile
