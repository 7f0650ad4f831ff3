#include "roomctl/reconcile/previous_rooms.hpp"

#include <exception>
#include <memory>

#include "roomctl/util/error.hpp"
#include "roomctl/util/parallel.hpp"

namespace roomctl::reconcile {

namespace {

struct Wanted {
    std::string room;
    std::string sid;  // empty: look the journal up by name
};

}  // namespace

std::map<std::string, PreviousRoom> find_previous_rooms(
    const AuditResult& audit, const RoomSettingSources& sources,
    const std::vector<std::string>& mapped_settings, bool by_name,
    const PreviousRoomLookup& lookup) {
    std::map<std::string, PreviousRoom> found;
    if (!old_room_could_help(sources, mapped_settings)) return found;
    std::vector<Wanted> wanted;
    for (const auto& f : audit.findings) {
        if (f.kind != FindingKind::missing || f.room.empty()) continue;
        const auto sid = f.database_sid.value_or("");
        if (sid.empty() && !by_name) continue;  // never created: there is no old room
        wanted.push_back({f.room, sid});
    }
    if (wanted.empty()) return found;

    std::vector<PreviousRoom> results(wanted.size());
    util::for_each_index(wanted.size(), lookup.concurrency, lookup.interrupted, [&] {
        return [&, server = std::unique_ptr<media::MediaServer>()](std::size_t i) mutable {
            auto& out = results[i];
            try {
                if (!wanted[i].sid.empty()) {
                    if (!server) server = lookup.make_server();
                    out.room = server->previous_room(wanted[i].sid);
                }
                if (!out.room && lookup.journal) {
                    out.room = lookup.journal(wanted[i].sid, wanted[i].room);
                    out.origin = SettingOrigin::journal;
                }
            } catch (const std::exception& e) {
                out.room.reset();
                out.error = e.what();
            }
        };
    });
    if (lookup.interrupted && lookup.interrupted->load())
        throw Error(ErrorKind::interrupted, "interrupted while reading old rooms");
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        found.emplace(wanted[i].room, std::move(results[i]));
    }
    return found;
}

}  // namespace roomctl::reconcile
