#pragma once
// The media-server interface the reconcile core works against. LiveKit implements it today;
// other providers (Twilio Video) implement the same contract. Rooms are identified by name
// on the server; the SID is the server-assigned id the database records.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace roomctl::media {

struct ServerRoom {
    std::string name;
    std::string sid;
    std::int64_t creation_time = 0;  // unix seconds, as the server reports it
    std::uint32_t num_participants = 0;
    std::uint32_t empty_timeout = 0;      // seconds
    std::uint32_t departure_timeout = 0;  // seconds
    std::uint32_t max_participants = 0;
    std::string metadata;
};

struct Participant {
    std::string sid;
    std::string identity;
    std::string name;
    std::string state;
    std::int64_t joined_at = 0;  // unix seconds
};

struct CreateRoomOptions {
    std::string name;
    std::uint32_t empty_timeout = 0;      // seconds; 0 = server default (LiveKit cannot set 0)
    std::uint32_t departure_timeout = 0;  // seconds; 0 = server default
    std::uint32_t max_participants = 0;   // 0 = unlimited
    std::string metadata;
};

enum class DeleteOutcome { deleted, already_gone };

// Every call throws roomctl::Error: kind auth when credentials are refused, runtime for
// network failures, server errors and unexpected responses. Messages are single lines.
class MediaServer {
public:
    virtual ~MediaServer() = default;
    virtual std::string provider() const = 0;  // "livekit"
    // All rooms when `names` is empty; otherwise only those of `names` that exist.
    virtual std::vector<ServerRoom> list_rooms(const std::vector<std::string>& names = {}) = 0;
    // Idempotent on LiveKit: an existing room is returned unchanged (same SID).
    virtual ServerRoom create_room(const CreateRoomOptions& options) = 0;
    // Ends the room. LiveKit deletes by name (DeleteRoom takes the name); Twilio completes it
    // by `sid` when one is known, else by its unique name. A room that no longer exists or
    // has already ended is `already_gone`, not an error.
    virtual DeleteOutcome delete_room(const std::string& name, const std::string& sid) = 0;
    virtual std::vector<Participant> list_participants(const std::string& room) = 0;
    // Longest room name the server accepts (LiveKit default limit.max_room_name_length = 256;
    // Twilio: 128 characters).
    virtual std::size_t max_room_name_length() const { return 256; }
    // False when list_rooms cannot fill num_participants (Twilio): the inventory then asks
    // list_participants for the rooms whose occupancy matters.
    virtual bool reports_participant_counts() const { return true; }
    // The longest empty timeout (seconds before a room nobody joined is closed) the server
    // keeps, 0 for no cap, and the step its timeouts come in. LiveKit: uint32 seconds, no cap
    // (protocol: Room.empty_timeout). Twilio: UnusedRoomTimeout in whole minutes, 1-60
    // (Rooms API), so 3600 and 60.
    virtual std::uint32_t max_empty_timeout() const { return 0; }
    virtual std::uint32_t empty_timeout_step() const { return 1; }
    // Throws Error(usage) when the provider cannot honour these options (Twilio timeouts are
    // whole minutes from 1 to 60; its names are at most 128 characters). No request is made.
    virtual void validate(const CreateRoomOptions& options) const { (void)options; }
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
};

}  // namespace roomctl::media
