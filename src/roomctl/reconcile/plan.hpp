#pragma once
// Actions roomctl may take, with the status each ends in. A plan is a list of actions; the
// planner fills it (status planned or skipped), the executor updates statuses in place.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/media/server.hpp"
#include "roomctl/reconcile/room_settings.hpp"

namespace roomctl::reconcile {

enum class ActionKind {
    create_room,  // create the room on the server, then record its SID in the live row(s)
                  // (when the mapping records SIDs: ExecuteOptions::record_sids)
    update_sid,   // record the server's SID in the live row(s)
    delete_room,  // delete an orphaned room from the server
};
// compensated: a create_room whose room was created and then deleted again because its row
// no longer wanted it (the session ended meanwhile, or the write was silently ignored):
// nothing is left behind, but the run did not do what it planned (exit 6).
enum class ActionStatus { planned, done, failed, skipped, compensated };

std::string to_string(ActionKind k);
std::string to_string(ActionStatus s);

struct Action {
    ActionKind kind = ActionKind::create_room;
    std::string room;  // server room name
    // The row's name-column value (differs from `room` under a room_name_template); the
    // database is written through it.
    std::optional<std::string> database_name;
    // The SID the row held when it was read; the write is conditional on it (nullopt = NULL).
    std::optional<std::string> expected_sid;
    std::optional<std::string> server_sid;  // known server SID (update_sid, delete_room)
    std::optional<std::string> new_sid;     // SID written to the database, once done
    std::optional<std::uint32_t> num_participants = 0;  // as Finding::num_participants
    std::int64_t server_created_at = 0;
    // create_room only: this room's own empty timeout in seconds (a scheduled session's time
    // until its start plus the margin); nullopt: ExecuteOptions::empty_timeout.
    std::optional<std::uint32_t> empty_timeout;
    // create_room only: the room's settings and where each came from (room_settings.hpp);
    // nullopt: the run's ExecuteOptions (departure timeout) and the server's defaults.
    std::optional<RoomSettings> settings;
    // create_room only: what the room the server returned has other than the request asked
    // (it already existed: LiveKit's CreateRoom and Twilio's 53113 return it as it is).
    std::vector<std::string> settings_mismatch;
    ActionStatus status = ActionStatus::planned;
    std::string reason;         // why it is planned/skipped, or what happened
    std::string error;          // one line, when failed
    bool auth_failure = false;  // failed because the credentials were refused
    // create_room only: the room was created but its SID could not be recorded, so roomctl
    // deleted it again (the action failed; the server is as it was before).
    bool compensated = false;
    bool lock_lost = false;  // failed because another run took the advisory lock meanwhile
    std::optional<media::ServerRoom> server_room;  // the server's view, for deletes and drift
};

struct Plan {
    std::vector<Action> actions;
    bool capped = false;  // cleanup refused every delete: more than max_deletes were planned
    std::size_t capped_deletes = 0;  // how many deletes the cap refused
    std::size_t count(ActionStatus s) const;
};

}  // namespace roomctl::reconcile
