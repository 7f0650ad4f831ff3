#include "roomctl/reconcile/inventory.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <set>

#include "roomctl/util/error.hpp"
#include "roomctl/util/parallel.hpp"

namespace roomctl::reconcile {

namespace {

std::uint32_t count_connected(media::MediaServer& server, const media::ServerRoom& room) {
    return static_cast<std::uint32_t>(
        server.list_participants(room.sid.empty() ? room.name : room.sid).size());
}

}  // namespace

Inventory gather_inventory(media::MediaServer& server, store::RoomStore& store,
                           const config::RoomMapping& mapping) {
    Inventory inv;
    inv.provider = server.provider();
    inv.table = mapping.table;
    inv.sid_column = mapping.sid_column;
    inv.database = store.load_rooms();
    inv.server = server.list_rooms({});
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
    // Occupancy matters only for rooms cleanup may delete: those no live row owns.
    std::set<std::string> live;
    for (const auto& row : inv.database) {
        if (row.live) live.insert(row.room);
    }
    for (auto& room : inv.server) {
        if (room.num_participants || live.count(room.name)) continue;
        room.num_participants = count_connected(server, room);  // throws: never a guessed 0
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

    // Each worker writes only its own slots; results are merged after the join.
    std::vector<std::optional<std::uint32_t>> counts(wanted.size());
    std::vector<std::string> errors(wanted.size());
    std::vector<std::optional<Error>> refusals(wanted.size());  // auth: the run cannot go on
    util::for_each_index(wanted.size(), lookup.concurrency, lookup.interrupted, [&] {
        return [&, server = std::unique_ptr<media::MediaServer>()](std::size_t i) mutable {
            try {
                if (!server) server = lookup.make_server();
                counts[i] = count_connected(*server, rooms[wanted[i]]);
            } catch (const Error& e) {
                errors[i] = e.what();
                if (e.kind() == ErrorKind::auth || e.kind() == ErrorKind::interrupted)
                    refusals[i] = e;
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        };
    });
    if (lookup.interrupted && lookup.interrupted->load())
        throw Error(ErrorKind::interrupted, "interrupted while counting participants");
    for (const auto& refusal : refusals) {
        if (refusal) throw *refusal;
    }
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto& room = rooms[wanted[i]];
        if (counts[i]) {
            room.num_participants = counts[i];
        } else {
            failed.emplace(room.name, errors[i].empty() ? "no answer" : errors[i]);
        }
    }
    return failed;
}

}  // namespace roomctl::reconcile
