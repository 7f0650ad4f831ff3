#pragma once
// What Twilio Video's CreateRoom accepts (POST /v1/Rooms, twilio/twilio-oai twilio_video_v1.yaml
// CreateRoomRequest; /work/shared/reference/twilio-video.md §1.2) and the form roomctl sends
// for media::CreateRoomOptions. Pure functions: no I/O.
//
// What is checked, and where each limit comes from:
//   - Type: the spec's enum group, go, peer-to-peer, group-small (Twilio answers 53108).
//   - MaxParticipants: at most 50 ("The maximum allowed value is 50"; 53107 otherwise). The
//     older types had lower limits of their own, but no source in the project's reference
//     gives them, so only 50 is enforced, for every type; Twilio refuses the rest itself.
//     LargeRoom (which raises the limit) is not sent, so 50 holds.
//   - UnusedRoomTimeout / EmptyRoomTimeout: whole minutes from 1 to 60 (53109).
//   - StatusCallback: the spec's type is uri; roomctl asks for an absolute http(s) URL, as a
//     webhook must be (53111 "StatusCallback is invalid" otherwise).
//   - StatusCallbackMethod: the spec's enum GET, POST (53110).
//   - MediaRegion: the spec gives only "e.g. us1"; the region ids are those of Twilio's
//     "Video Regions and Global Low Latency" page (twilio.com/docs/video/tutorials/
//     video-regions-and-global-low-latency): gll, au1, br1, de1, ie1, in1, jp1, sg1, us1,
//     us2 (53115 "MediaRegion is invalid" otherwise).
//   - UniqueName: at most 128 characters (Twilio's room name limit).
//   - metadata: Twilio rooms have none, so it is refused rather than dropped.
// The error codes are those of twilio-video.js (RoomMaxParticipantsOutOfRangeError 53107,
// RoomTypeInvalidError 53108, RoomStatusCallbackMethodInvalidError 53110,
// RoomStatusCallbackInvalidError 53111, RoomMediaRegionInvalidError 53115); the stand-in
// (tests/standin/twilio_standin.py) answers with them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roomctl/media/server.hpp"

namespace roomctl::twilio {

// Room types CreateRoom accepts; group is the one Twilio recommends (and roomctl's default).
std::span<const std::string_view> room_types();
// Media region ids (see above).
std::span<const std::string_view> media_regions();
// MaxParticipants Twilio accepts without LargeRoom.
inline constexpr std::uint32_t k_max_participants = 50;

// Seconds to Twilio's whole minutes (1..60). Throws Error(usage) naming `flag` otherwise.
int to_twilio_minutes(std::uint32_t seconds, const char* flag);

// Whether `url` is an absolute http:// or https:// URL (either case) with a host, and no
// spaces or control characters. User info (user:pw@) is allowed, as Twilio webhooks allow it.
bool is_absolute_http_url(std::string_view url);

// Throws Error(usage), one line naming the setting and what Twilio accepts, for the first
// option Twilio cannot honour (the list above). Values are echoed with control characters
// escaped and user info hidden.
void validate_create_options(const media::CreateRoomOptions& options);

// The CreateRoom form for `options` (already validated): UniqueName, Type (group when none is
// given), then only the options that are set, named as Twilio names them: UnusedRoomTimeout,
// EmptyRoomTimeout (minutes), MaxParticipants, StatusCallback, StatusCallbackMethod,
// MediaRegion.
std::vector<std::pair<std::string, std::string>> create_form(const media::CreateRoomOptions& o);

}  // namespace roomctl::twilio
