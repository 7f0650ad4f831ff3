// fuzz_token_inspect: `roomctl token inspect` on an untrusted token.
// Input: the token text as a user pastes it (a JWT, possibly "Bearer <jwt>" and whitespace).
// Runs what commands/token_inspect.cpp runs — trim, strip "Bearer ", inspect::inspect_token,
// the --json document and the text report — under every purpose and both providers'
// credentials, plus token::decode / verify_hs256 directly and a base64url round trip.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "roomctl/inspect/inspect.hpp"
#include "roomctl/report/inspect_view.hpp"
#include "roomctl/token/jwt.hpp"

namespace {

using namespace roomctl;

// The credentials the corpus tokens were signed with (fuzz/README.md), so inputs derived
// from them reach the signature-valid paths.
constexpr const char* k_lk_key = "APIfuzzKey";
constexpr const char* k_lk_secret = "fuzz-livekit-secret-0123456789abcdef";
constexpr const char* k_tw_account = "AC0123456789abcdef0123456789abcdef";
constexpr const char* k_tw_key = "SK89abcdef0123456789abcdef01234567";
constexpr const char* k_tw_secret = "fuzz-twilio-secret-0123456789abcdef";

// commands/token_inspect.cpp's trim and "Bearer " handling.
std::string token_text(std::string_view in) {
    std::string s{in};
    const char* space = " \t\r\n";
    s.erase(0, s.find_first_not_of(space));
    s.erase(s.find_last_not_of(space) + 1);
    if (s.rfind("Bearer ", 0) == 0) {
        s = s.substr(7);
        s.erase(0, s.find_first_not_of(space));
        s.erase(s.find_last_not_of(space) + 1);
    }
    return s;
}

std::vector<inspect::InspectOptions> option_sets() {
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{fuzz::k_now}};
    std::vector<inspect::InspectOptions> sets;
    inspect::InspectOptions plain;  // no --for, nothing configured: decode and time checks only
    plain.now = now;
    sets.push_back(plain);

    inspect::InspectOptions lk = plain;  // LiveKit configured, every purpose
    lk.livekit = {k_lk_key, k_lk_secret};
    for (const auto p : {inspect::Purpose::join, inspect::Purpose::admin, inspect::Purpose::list,
                         inspect::Purpose::create}) {
        lk.purpose = p;
        lk.room = p == inspect::Purpose::join || p == inspect::Purpose::admin ? "session-42" : "";
        sets.push_back(lk);
    }

    inspect::InspectOptions tw = plain;  // --provider twilio, --for join --room
    tw.configured_provider = inspect::TokenProvider::twilio;
    tw.twilio = {k_tw_key, k_tw_secret};
    tw.twilio_account_sid = k_tw_account;
    tw.purpose = inspect::Purpose::join;
    tw.room = "session-42";
    sets.push_back(tw);
    return sets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw{reinterpret_cast<const char*>(data), size};

    // base64url must round-trip whatever the bytes are.
    const std::string encoded = token::base64url_encode(raw);
    const auto decoded = token::base64url_decode(encoded);
    if (!decoded || *decoded != raw) __builtin_trap();

    const std::string jwt = token_text(raw);
    if (jwt.empty()) return 0;  // the command refuses it before decoding ("no token given")

    fuzz::expect_only_roomctl_errors("token inspect", [&] {
        const auto d = token::decode(jwt);
        (void)token::verify_hs256(d, k_lk_secret);
        (void)token::verify_hs256(d, "");
    });

    static const auto sets = option_sets();
    for (const auto& o : sets) {
        fuzz::expect_only_roomctl_errors("token inspect", [&] {
            auto r = inspect::inspect_token(jwt, o);
            (void)r.valid();
            fuzz::print_result(report::inspect_json(r, o, std::nullopt, false),
                               report::render_inspect(r, o, std::nullopt, fuzz::k_now));
            // --check-server: a 401 from /rtc/validate, as a server that knows no key answers.
            const auto check =
                livekit::interpret_rtc_validate(401, "invalid API key: " + r.key, r.key, o.room);
            const bool refused = inspect::server_refuses(check, r, o.purpose);
            fuzz::print_result(report::inspect_json(r, o, check, refused),
                               report::render_inspect(r, o, check, fuzz::k_now));
        });
    }
    return 0;
}
