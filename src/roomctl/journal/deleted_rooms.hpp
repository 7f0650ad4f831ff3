#pragma once
// The rooms the journal says roomctl deleted, with the settings they had: LiveKit forgets a
// room once it is gone, so for a room cleanup deleted the journal is the only place that
// still knows how the app made it. recreate uses them as the old room's settings.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "roomctl/media/server.hpp"

namespace roomctl::journal {

struct DeletedRooms {
    std::map<std::string, media::ServerRoom> by_sid;   // latest entry per room SID
    std::map<std::string, media::ServerRoom> by_name;  // latest entry per room name
};

// Lines longer than this are skipped unread: a journal line is a few hundred bytes plus the
// room's metadata (LiveKit's default limit is 64 kB, at most six times that once escaped).
inline constexpr std::size_t k_max_journal_line = 2 * 1024 * 1024;

// Reads the journal at `path` (the file Journal appends to) and returns the server_room of
// every delete_room "end" line whose status is "done" (the delete happened, or the room was
// already gone), and, when `provider` is not empty, whose provider is that one. "Latest" is
// the later line in the file, which is append-only. Fields the line lacks keep ServerRoom's
// defaults (not known); num_participants and status are not read (nullopt and empty).
//   - A status_callback with user info (user:password@) is left empty: the journal keeps
//     only its hidden form (********@), which cannot be replayed.
//   - A missing file gives an empty result, and so does one that is not a regular file
//     (/dev/null, a FIFO: never waited on). Torn, unparsable or unrelated lines, and lines
//     longer than k_max_journal_line, are skipped.
//   - The file is streamed in fixed-size chunks and only lines that mention delete_room are
//     parsed, so memory stays bounded whatever the journal's size (it may be hundreds of MB);
//     what is returned holds one entry per SID and per name.
// Throws Error(config), one line naming the path, when the file exists but cannot be read
// (permissions, a directory); Error(runtime) when reading it fails midway.
DeletedRooms deleted_rooms(const std::string& path, const std::string& provider = {});

// deleted_rooms() of one journal, read on the first look-up only (most runs need none), and
// safe to ask from several threads (recreate's old-room look-ups run in parallel).
class DeletedRoomIndex {
public:
    // `path` empty: no journal, every look-up answers nullopt. `provider` as deleted_rooms().
    DeletedRoomIndex(std::string path, std::string provider)
        : m_path(std::move(path)), m_provider(std::move(provider)) {}
    // The last deleted room with SID `sid`, or, when `sid` is empty, named `room`. Throws as
    // deleted_rooms() does (then again on the next call).
    std::optional<media::ServerRoom> find(const std::string& sid, const std::string& room);

private:
    std::string m_path, m_provider;
    std::mutex m_mutex;
    std::optional<DeletedRooms> m_rooms;
};

}  // namespace roomctl::journal
