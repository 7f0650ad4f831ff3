// fuzz_twilio_response: Twilio Video REST answers. Input: a script of HTTP answers
// (http_script.hpp); each answer serves the client's next request, so a script can page
// (meta.next_page_url), answer a create with 53113 and then the fetch of the existing room, or
// a delete with 53112 and then the room's status.
// Runs, each on a fresh replay of the script:
//   - twilio::interpret and twilio::room_from_json on the first answer;
//   - VideoClient::probe, list_rooms, create_room, delete_room, list_participants, get_room,
//     get_participant, remove_participant through
//     the tests' ScriptedTransport, with retries on (429/5xx, Retry-After) but no sleeping and no
//     write pacing;
// and prints every result the way `rooms list|create|participants` do (text and --json).
// Not run: VideoClient::confirm_missing, which sleeps 750 ms after a 404 by design.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "http_script.hpp"
#include "roomctl/twilio/rest.hpp"
#include "roomctl/twilio/video_client.hpp"

namespace {

using namespace roomctl;
using nlohmann::json;

const twilio::Endpoint& endpoint() {
    static const twilio::Endpoint e{"https://video.twilio.com",
                                    "AC0123456789abcdef0123456789abcdef",
                                    "SK89abcdef0123456789abcdef01234567",
                                    "fuzz-twilio-secret-0123456789abcdef",
                                    true,
                                    std::chrono::milliseconds{10'000}};
    return e;
}

twilio::RetryPolicy no_sleep_retries() {
    twilio::RetryPolicy p;
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

    fuzz::expect_only_roomctl_errors("rooms create", [&] {
        const json answer = twilio::interpret("CreateRoom", script.front(), endpoint());
        fuzz::print_room(twilio::room_from_json(answer));
        if (const auto it = answer.find("rooms"); it != answer.end() && it->is_array())
            for (const auto& r : *it) fuzz::print_room(twilio::room_from_json(r));
    });

    const auto policy = no_sleep_retries();
    auto with_client = [&](const char* command, auto&& call) {
        support::ScriptedTransport transport;
        fuzz::load_script(transport, script);
        twilio::VideoClient client{transport, endpoint(), policy};
        fuzz::expect_only_roomctl_errors(command, [&] { call(client); });
    };
    with_client("check", [](auto& c) { c.probe(); });
    with_client("rooms list", [](auto& c) { fuzz::print_rooms(c.list_rooms({})); });
    with_client("audit", [](auto& c) {
        fuzz::print_rooms(c.list_rooms({"session-42", "session-43"}));
    });
    with_client("rooms create", [](auto& c) {
        media::CreateRoomOptions o;
        o.name = "session-42";
        o.empty_timeout = 300;
        o.departure_timeout = 600;
        o.max_participants = 8;
        fuzz::print_room(c.create_room(o));
    });
    with_client("rooms delete", [](auto& c) {
        (void)c.delete_room("session-42", "RM0123456789abcdef0123456789abcdef");
    });
    with_client("rooms participants",
                [](auto& c) { fuzz::print_participants(c.list_participants("session-42")); });
    with_client("rooms get", [](auto& c) {
        if (auto room = c.get_room("RM0123456789abcdef0123456789abcdef")) fuzz::print_room(*room);
    });
    with_client("participants get", [](auto& c) {
        if (auto p = c.get_participant("session-42", "alice")) fuzz::print_participants({*p});
    });
    with_client("participants remove",
                [](auto& c) { c.remove_participant("session-42", "alice"); });
    return 0;
}
