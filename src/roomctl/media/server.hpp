#pragma once
// The media-server interface the reconcile core works against. LiveKit implements it today;
// other providers (Twilio Video) implement the same contract. Rooms are identified by name
// on the server; the SID is the server-assigned id the database records.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "roomctl/util/error.hpp"

namespace roomctl::media {

// A room as the server reports it. Fields a provider does not report keep their defaults
// (0 / empty / nullopt), which therefore mean "not known", never "set to nothing"; each field
// says which provider fills it and from which field of its room resource.
struct ServerRoom {
    std::string name;  // LiveKit `name`; Twilio `unique_name` (the SID when none was given)
    std::string sid;   // LiveKit "RM_..." `sid`; Twilio "RM" + 32 hex `sid`
    std::int64_t creation_time = 0;  // unix seconds, as the server reports it
    // Connected participants; nullopt = unknown, which is never 0 and never "empty" (show it
    // as unknown; a decision that needs the room empty treats it as occupied, see
    // may_have_participants). LiveKit's ListRooms `num_participants` is a real count (proto3
    // omits a 0, read as 0). Twilio's room resource has no count: list_rooms leaves nullopt,
    // and whoever needs the count asks list_participants.
    std::optional<std::uint32_t> num_participants;
    // Seconds. LiveKit `empty_timeout` (while nobody joined) and `departure_timeout` (after
    // the last participant left); Twilio `unused_room_timeout` and `empty_room_timeout`,
    // which it keeps in whole minutes (converted here, so always a multiple of 60).
    std::uint32_t empty_timeout = 0;
    std::uint32_t departure_timeout = 0;
    // Both: `max_participants`. LiveKit 0 = unlimited; Twilio reports the room's limit.
    std::uint32_t max_participants = 0;
    std::string metadata;  // LiveKit `metadata` (opaque to roomctl); Twilio has none
    // Twilio only (LiveKit has no such settings: empty there).
    std::string type;  // `type`: group, go, peer-to-peer, group-small
    // `status_callback`: the app's webhook URL, or empty. It may carry user:password@ (Twilio
    // webhooks allow it): print it only through hide_userinfo (util/url.hpp).
    std::string status_callback;
    std::string status_callback_method;  // `status_callback_method`: GET or POST
    std::string media_region;            // `media_region`, e.g. us1
    // Twilio `status`: in-progress, completed or failed. Empty on LiveKit, whose rooms exist
    // only while in progress (list_rooms returns only those on Twilio too).
    std::string status;
};

// A track a participant publishes (LiveKit TrackInfo; Twilio lists none here).
struct Track {
    std::string sid;  // "TR_..."
    std::string name;
    std::string type;       // AUDIO, VIDEO or DATA (the protobuf enum's name)
    std::string source;     // CAMERA, MICROPHONE, SCREEN_SHARE, SCREEN_SHARE_AUDIO or UNKNOWN
    std::string mime_type;  // e.g. audio/opus; "" when not reported
    bool muted = false;
};

// What a participant may do (LiveKit ParticipantPermission). Twilio has none.
struct ParticipantPermission {
    bool can_subscribe = false;
    bool can_publish = false;
    bool can_publish_data = false;
    std::vector<std::string> can_publish_sources;  // CAMERA, MICROPHONE, ...; empty: all
    bool hidden = false;
    bool can_update_metadata = false;
};

struct Participant {
    std::string sid;
    std::string identity;
    std::string name;
    // LiveKit: JOINING, JOINED, ACTIVE, DISCONNECTED; Twilio: connected, disconnected,
    // reconnecting.
    std::string state;
    std::int64_t joined_at = 0;  // unix seconds
    // LiveKit only (Twilio reports none: empty / nullopt).
    std::string kind;      // STANDARD, INGRESS, EGRESS, SIP, AGENT, ...
    std::string metadata;  // opaque to roomctl
    std::map<std::string, std::string> attributes;
    std::vector<Track> tracks;
    std::optional<ParticipantPermission> permission;
};

// What update_participant changes: unset members are left as they are. Attributes merge into
// the participant's (a key with an empty value deletes that key), as LiveKit's
// UpdateParticipant does; permission, when set, replaces the whole permission.
struct ParticipantUpdate {
    std::optional<std::string> metadata;
    std::optional<std::string> name;
    std::map<std::string, std::string> attributes;
    std::optional<ParticipantPermission> permission;
    bool empty() const { return !metadata && !name && attributes.empty() && !permission; }
};

// What create_room asks for. Empty strings and zero numbers are "not set": nothing is sent and
// the server's default applies. Each provider's validate() refuses (Error(usage)) what it
// cannot honour rather than dropping it silently.
struct CreateRoomOptions {
    std::string name;
    std::uint32_t empty_timeout = 0;      // seconds; 0 = server default (LiveKit cannot set 0)
    std::uint32_t departure_timeout = 0;  // seconds; 0 = server default
    std::uint32_t max_participants = 0;   // 0 = server default (LiveKit: unlimited)
    std::string metadata;                 // LiveKit only
    // Twilio only (form fields Type, StatusCallback, StatusCallbackMethod, MediaRegion).
    std::string type;  // empty: roomctl asks for `group`, the only type Twilio recommends
    std::string status_callback;         // absolute http(s) URL (see ServerRoom: secrets)
    std::string status_callback_method;  // GET or POST; empty: Twilio's default (POST)
    std::string media_region;            // a Twilio Video region id, e.g. us1, de1, gll
};

// True unless the count is known to be 0: an unknown count may hide participants.
inline bool may_have_participants(const std::optional<std::uint32_t>& count) {
    return !count || *count > 0;
}

enum class DeleteOutcome { deleted, already_gone };

// Every call throws roomctl::Error: kind auth when credentials are refused, runtime for
// network failures, server errors and unexpected responses. Messages are single lines.
class MediaServer {
public:
    virtual ~MediaServer() = default;
    virtual std::string provider() const = 0;  // "livekit"
    // All rooms when `names` is empty; otherwise only those of `names` that exist.
    virtual std::vector<ServerRoom> list_rooms(const std::vector<std::string>& names = {}) = 0;
    // Idempotent on LiveKit: an existing room is returned unchanged (same SID). Twilio adopts
    // an in-progress room that already has the name (53113). Either way the room returned may
    // have other settings than `options` asked for: compare them before calling it the same.
    virtual ServerRoom create_room(const CreateRoomOptions& options) = 0;
    // Ends the room. LiveKit deletes by name (DeleteRoom takes the name); Twilio completes it
    // by `sid` when one is known, else by its unique name. A room that no longer exists or
    // has already ended is `already_gone`, not an error.
    virtual DeleteOutcome delete_room(const std::string& name, const std::string& sid) = 0;
    virtual std::vector<Participant> list_participants(const std::string& room) = 0;

    // ---- one room, one participant (`rooms get|update`, `participants ...`) ----
    // The room whose name is `key`, else the in-progress room whose SID is `key` (a name may
    // look like a SID, so the name wins). nullopt when no
    // in-progress room has that name or SID. Default: list_rooms() and match (LiveKit, whose
    // ListRooms filters by name only, so a SID costs a full list); Twilio fetches by SID/name.
    virtual std::optional<ServerRoom> get_room(const std::string& key) {
        for (const auto& r : list_rooms({key}))
            if (r.name == key) return r;
        if (key.rfind("RM", 0) != 0) return std::nullopt;  // both providers' SIDs start so
        for (const auto& r : list_rooms({}))
            if (r.sid == key) return r;
        return std::nullopt;
    }
    // Sets the room's metadata and returns the room as it is now. Throws Error(usage) when the
    // provider's rooms have no metadata (Twilio), Error(runtime) "room NAME does not exist"
    // when there is no such room.
    virtual ServerRoom update_room_metadata(const std::string& room, const std::string& metadata) {
        (void)room;
        (void)metadata;
        throw refusal("rooms have no metadata");
    }
    // The participant of `room` whose identity (or SID) is `who`; nullopt when none is
    // connected. Default: list_participants() and match.
    virtual std::optional<Participant> get_participant(const std::string& room,
                                                       const std::string& who) {
        auto ps = list_participants(room);
        auto it = std::find_if(ps.begin(), ps.end(),
                               [&](const Participant& p) { return p.identity == who; });
        if (it == ps.end())
            it = std::find_if(ps.begin(), ps.end(),
                              [&](const Participant& p) { return p.sid == who; });
        if (it == ps.end()) return std::nullopt;
        return *it;
    }
    // Disconnects `who` (identity, or on Twilio also the PA SID) from `room`. Throws
    // Error(runtime) "participant WHO is not in room ROOM" when nobody connected matches;
    // Error(usage) when the provider cannot (the default).
    virtual void remove_participant(const std::string& room, const std::string& who) {
        (void)room;
        (void)who;
        throw refusal("cannot remove participants");
    }
    // Applies `update` and returns the participant as it is now. LiveKit only: others throw
    // Error(usage). Not found: Error(runtime) like remove_participant.
    virtual Participant update_participant(const std::string& room, const std::string& identity,
                                           const ParticipantUpdate& update) {
        (void)room;
        (void)identity;
        (void)update;
        throw refusal("participants have no metadata, attributes or permissions to update");
    }
    // Mutes (or unmutes) the track `track_sid` that `identity` publishes and returns the track
    // as it is now. LiveKit only (MutePublishedTrack; the server refuses unmute unless its
    // room.enable_remote_unmute is on). Not found: Error(runtime).
    virtual Track mute_track(const std::string& room, const std::string& identity,
                             const std::string& track_sid, bool muted) {
        (void)room;
        (void)identity;
        (void)track_sid;
        (void)muted;
        throw refusal("cannot mute a participant's track from the server");
    }
    // Longest room name the server accepts (LiveKit default limit.max_room_name_length = 256;
    // Twilio: 128 characters).
    virtual std::size_t max_room_name_length() const { return 256; }
    // The longest empty timeout (seconds before a room nobody joined is closed) the server
    // keeps, 0 for no cap, and the step its timeouts come in. LiveKit: uint32 seconds, no cap
    // (protocol: Room.empty_timeout). Twilio: UnusedRoomTimeout in whole minutes, 1-60
    // (Rooms API), so 3600 and 60.
    virtual std::uint32_t max_empty_timeout() const { return 0; }
    virtual std::uint32_t empty_timeout_step() const { return 1; }
    // Throws Error(usage) when the provider cannot honour these options (Twilio timeouts are
    // whole minutes from 1 to 60; its names are at most 128 characters). No request is made.
    // LiveKit refuses the Twilio-only options; Twilio refuses metadata, a type outside go,
    // peer-to-peer, group, group-small, more than 50 participants, a status callback that is
    // not an absolute http(s) URL, a method other than GET/POST and an unknown media region.
    virtual void validate(const CreateRoomOptions& options) const { (void)options; }
    // The settings of an earlier room, by its recorded SID, whatever its status, so that a
    // room recreated for the same row can be made like it. nullopt when the server no longer
    // knows the room (or `sid` is empty): LiveKit forgets a room when it closes, so it always
    // answers nullopt without a request; Twilio keeps completed rooms and fetches the SID
    // (status then says completed). Throws like every call when the server cannot be asked.
    virtual std::optional<ServerRoom> previous_room(const std::string& sid) {
        (void)sid;
        return std::nullopt;
    }
    // Second look at a room the list did not contain, by its recorded SID. Providers whose
    // list is authoritative (LiveKit) return nullopt without a request; Twilio fetches the
    // SID (re-checking a 404, which Twilio can answer right after a room ended) and returns
    // the room when it is in fact still in progress.
    virtual std::optional<ServerRoom> confirm_missing(const std::string& name,
                                                      const std::string& sid) {
        (void)name;
        (void)sid;
        return std::nullopt;
    }
    // Server time minus local time, in seconds, from the Date header of the most recent
    // answer (media/server_clock.hpp); nullopt until an answer with a Date header came. Ages
    // that decide deletions are measured as local now + this offset against the server's
    // creation_time, so a skewed local clock cannot make a young room look old.
    virtual std::optional<std::int64_t> clock_offset() const { return std::nullopt; }

protected:
    // The one-line Error(usage) a provider answers for what it cannot do.
    Error refusal(const std::string& what) const {
        const auto p = provider();
        const std::string display = p == "twilio" ? "Twilio" : p == "livekit" ? "LiveKit" : p;
        return usage_error(display + " " + what + " (provider " + p + ")");
    }
};

}  // namespace roomctl::media
