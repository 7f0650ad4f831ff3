// Regressions for what the libFuzzer targets found (fuzz/README.md, "Findings so far"). Each
// input also lives in fuzz/corpus/, so every fuzz run replays it too.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "roomctl/http/transport.hpp"
#include "roomctl/inspect/inspect.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/token/jwt.hpp"
#include "roomctl/twilio/video_client.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/error.hpp"
#include "support/gtest_failure.hpp"
#include "support/twilio_scripted_client.hpp"

namespace roomctl {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr std::int64_t k_now = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t k_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();

// fuzz/corpus/fuzz_livekit_response/list_rooms_huge_times: LiveKit's creation_time is an int64
// the server sends unchecked; the age column computed now - creation_time, which overflowed.
TEST(FuzzFindings, RoomAgeOfAFarPastCreationTimeDoesNotOverflow) {
    media::ServerRoom old;
    old.name = "a";
    old.sid = "RM_old";
    old.creation_time = k_min;
    media::ServerRoom future;
    future.name = "b";
    future.sid = "RM_new";
    future.creation_time = k_max;
    const report::TextStyle style{false, k_now};

    const std::string table = report::render_rooms({old, future}, style);
    EXPECT_NE(table.find(format_duration(seconds{k_max})), std::string::npos) << table;
    EXPECT_NE(table.find("0s"), std::string::npos) << table;  // created "in the future"
    EXPECT_NE(report::render_room(old, style).find(format_duration(seconds{k_max})),
              std::string::npos);
}

// VideoClient over a scripted transport (tests/support/scripted_transport.hpp): a request no
// stub answers, or a stub never asked for, fails the test.
using support::json_answer;
using support::ScriptedTransport;

const std::string k_room_sid = "RM0123456789abcdef0123456789abcdef";
const std::string k_room_path = "/v1/Rooms/" + k_room_sid;

twilio::VideoClient client(ScriptedTransport& transport) {
    return support::scripted_twilio_client(transport);
}

// fuzz/corpus/fuzz_twilio_response/delete_53112_status_not_string: after a 53112 ("not in
// progress") the room is fetched and its status read with json::value(), which threw
// nlohmann::json::type_error ("internal error") for a non-string status.
TEST(FuzzFindings, TwilioRoomStatusThatIsNotAStringIsAnError) {
    const json not_in_progress = {
        {"code", 53112}, {"message", "Room status is not in-progress"}, {"status", 400}};
    const json odd_room = {{"sid", "RM0123456789abcdef0123456789abcdef"},
                           {"unique_name", "session-42"},
                           {"status", 5}};
    ScriptedTransport deleting{support::fail_test};
    deleting.on("POST", k_room_path, json_answer(400, not_in_progress))
        .on("GET", k_room_path, json_answer(200, odd_room));
    auto c = client(deleting);
    EXPECT_THROW(c.delete_room("session-42", k_room_sid), Error);

    ScriptedTransport confirming{support::fail_test};
    confirming.on("GET", k_room_path, json_answer(200, odd_room));
    auto c2 = client(confirming);
    EXPECT_THROW(c2.confirm_missing("session-42", k_room_sid), Error);

    // A string status still decides, as before.
    json completed = odd_room;
    completed["status"] = "completed";
    ScriptedTransport gone{support::fail_test};
    gone.on("POST", k_room_path, json_answer(400, not_in_progress))
        .on("GET", k_room_path, json_answer(200, completed));
    auto c3 = client(gone);
    EXPECT_EQ(c3.delete_room("session-42", k_room_sid), media::DeleteOutcome::already_gone);
}

// fuzz/corpus/fuzz_token_inspect/lk_exp_int64_min, tw_iat_int64_min: negative integer dates
// were taken as they came, and now - exp (LiveKit) or exp - iat (Twilio's 24 h cap) overflowed.
TEST(FuzzFindings, TokenDatesNearInt64MinAreBadClaims) {
    inspect::InspectOptions o;
    o.now = std::chrono::system_clock::time_point{seconds{k_now}};

    const std::string lk =
        token::sign_hs256(json{{"iss", "APIfuzzKey"}, {"sub", "alice"}, {"exp", k_min}}, "s");
    const auto r = inspect::inspect_token(lk, o);
    EXPECT_TRUE(r.has("bad_claim"));
    EXPECT_FALSE(r.expires_at.has_value());
    EXPECT_FALSE(r.has("expired_in_leeway"));
    EXPECT_FALSE(r.has("expired"));

    const std::string tw =
        token::sign_hs256(json{{"iss", "SK89abcdef0123456789abcdef01234567"},
                               {"sub", "AC0123456789abcdef0123456789abcdef"},
                               {"iat", k_min},
                               {"exp", k_now + 3600},
                               {"grants", {{"identity", "alice"}, {"video", json::object()}}}},
                          "s", json{{"cty", "twilio-fpa;v=1"}});
    const auto t = inspect::inspect_token(tw, o);
    EXPECT_EQ(t.provider, inspect::TokenProvider::twilio);
    EXPECT_TRUE(t.has("bad_claim"));
    EXPECT_FALSE(t.issued_at.has_value());
    EXPECT_FALSE(t.has("twilio_ttl_over_24h"));

    // Ordinary negative dates (before 1970) are still dates.
    const std::string past =
        token::sign_hs256(json{{"iss", "APIfuzzKey"}, {"sub", "alice"}, {"exp", -86400}}, "s");
    const auto p = inspect::inspect_token(past, o);
    EXPECT_FALSE(p.has("bad_claim"));
    EXPECT_TRUE(p.has("expired"));
}

}  // namespace
}  // namespace roomctl
