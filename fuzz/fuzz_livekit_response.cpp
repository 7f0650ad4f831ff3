// fuzz_livekit_response: LiveKit server answers (Twirp JSON and everything else a proxy or a
// broken server sends). Input: a script of HTTP answers (http_script.hpp), so a corpus
// file is a readable HTTP response.
// Runs, each on a fresh replay of the script:
//   - livekit::parse_list_rooms (the streaming ListRooms parser) on the first body;
//   - livekit::interpret_twirp_response, then room_from_json / participant_from_json on what
//     it returns (the CreateRoom and ListParticipants answers);
//   - RoomServiceClient::list_rooms, create_room, delete_room, list_participants,
//     get_participant, update_participant, mute_track, update_room_metadata through
//     the tests' ScriptedTransport, with retries on (http::send_with_retry, Retry-After) but
//     no sleeping;
//   - livekit::interpret_rtc_validate (`token inspect --check-server`) on the first answer;
// and prints every result the way `rooms list|create|participants` do (text and --json).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "http_script.hpp"
#include "roomctl/livekit/diagnose.hpp"
#include "roomctl/livekit/room_service.hpp"
#include "roomctl/livekit/rooms_sax.hpp"
#include "roomctl/livekit/twirp.hpp"

namespace {

using namespace roomctl;
using nlohmann::json;

const livekit::ApiEndpoint& endpoint() {
    static const livekit::ApiEndpoint e{"http://livekit.fuzz:7880", "APIfuzzKey",
                                        "fuzz-livekit-secret-0123456789abcdef",
                                        std::chrono::milliseconds{10'000}};
    return e;
}

http::RetryPolicy no_sleep_retries() {
    http::RetryPolicy p;
    p.max_attempts = 3;  // repeats 429/5xx, so Retry-After is read, but never waits
    p.base_delay = std::chrono::milliseconds{0};
    p.max_delay = std::chrono::milliseconds{0};
    p.max_total = std::chrono::milliseconds{60'000};
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in{reinterpret_cast<const char*>(data), size};
    const std::vector<http::Response> script = fuzz::parse_script(in);
    if (script.empty()) return 0;
    const http::Response& first = script.front();

    fuzz::expect_only_roomctl_errors(
        "rooms list", [&] { fuzz::print_rooms(livekit::parse_list_rooms(first.body)); });

    fuzz::expect_only_roomctl_errors("rooms create", [&] {
        const json answer = livekit::interpret_twirp_response("CreateRoom", first, endpoint());
        fuzz::print_room(livekit::room_from_json(answer));
    });
    fuzz::expect_only_roomctl_errors("rooms participants", [&] {
        const json answer =
            livekit::interpret_twirp_response("ListParticipants", first, endpoint());
        std::vector<media::Participant> ps;
        if (const auto it = answer.find("participants"); it != answer.end() && it->is_array())
            for (const auto& p : *it) ps.push_back(livekit::participant_from_json(p));
        fuzz::print_participants(ps);
    });

    const auto retry = no_sleep_retries();
    auto with_client = [&](const char* command, auto&& call) {
        support::ScriptedTransport transport;
        fuzz::load_script(transport, script);
        livekit::RoomServiceClient client{transport, endpoint(), retry};
        fuzz::expect_only_roomctl_errors(command, [&] { call(client); });
    };
    with_client("rooms list", [](auto& c) { fuzz::print_rooms(c.list_rooms({})); });
    with_client("audit", [](auto& c) {
        fuzz::print_rooms(c.list_rooms({"session-42", "session-43"}));
    });
    with_client("rooms create", [](auto& c) {
        media::CreateRoomOptions o;
        o.name = "session-42";
        o.empty_timeout = 300;
        o.max_participants = 8;
        o.metadata = R"({"session":42})";
        fuzz::print_room(c.create_room(o));
    });
    with_client("rooms delete", [](auto& c) { (void)c.delete_room("session-42", "RM_fuzz"); });
    with_client("rooms participants",
                [](auto& c) { fuzz::print_participants(c.list_participants("session-42")); });
    with_client("participants get", [](auto& c) {
        if (auto p = c.get_participant("session-42", "alice")) fuzz::print_participants({*p});
    });
    with_client("participants update", [](auto& c) {
        media::ParticipantUpdate u;
        u.metadata = "m";
        u.attributes = {{"k", "v"}};
        u.permission = media::ParticipantPermission{};
        fuzz::print_participants({c.update_participant("session-42", "alice", u)});
    });
    with_client("participants mute",
                [](auto& c) { (void)c.mute_track("session-42", "alice", "TR_fuzz", true); });
    with_client("rooms update",
                [](auto& c) { fuzz::print_room(c.update_room_metadata("session-42", "m")); });

    fuzz::expect_only_roomctl_errors("token inspect", [&] {
        (void)livekit::interpret_rtc_validate(first.status, first.body, "APIfuzzKey", "session-42");
    });
    return 0;
}
