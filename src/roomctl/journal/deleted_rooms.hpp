#pragma once
// The rooms the journal says roomctl deleted, with the settings they had: LiveKit forgets a
// room once it is gone, so for a room cleanup deleted the journal is the only place that
// still knows how the app made it. recreate uses them as the old room's settings.

#include <cstddef>
#include <map>
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
// defaults (not known); num_participants and status are not read (0 and empty).
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

}  // namespace roomctl::journal
