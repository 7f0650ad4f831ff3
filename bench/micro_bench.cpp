// Micro benchmarks of roomctl_core's hot paths: minting a LiveKit access token and decoding
// a ListRooms answer. Run through bench/run.sh (or build/bench/roomctl_micro_bench).
#include <benchmark/benchmark.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "roomctl/livekit/access_token.hpp"
#include "roomctl/livekit/room_service.hpp"
#include "roomctl/livekit/rooms_sax.hpp"

namespace lk = roomctl::livekit;

namespace {

lk::AccessTokenSpec join_spec() {
    lk::AccessTokenSpec spec;
    spec.api_key = "devkey";
    spec.identity = "u-1";
    spec.video.room_join = true;
    spec.video.room = "r";
    return spec;
}

// A ListRooms body as the server emits it: snake_case keys, int64 values as strings.
std::string list_rooms_body(int n) {
    nlohmann::json rooms = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
        rooms.push_back({{"sid", "RM_bench" + std::to_string(i)},
                         {"name", "room-" + std::to_string(i)},
                         {"empty_timeout", 300},
                         {"departure_timeout", 20},
                         {"max_participants", 0},
                         {"creation_time", "1700000000"},
                         {"creation_time_ms", "1700000000000"},
                         {"turn_password", "secret"},
                         {"enabled_codecs", nlohmann::json::array()},
                         {"metadata", ""},
                         {"num_participants", 0},
                         {"num_publishers", 0},
                         {"active_recording", false},
                         {"version", nullptr}});
    }
    return nlohmann::json{{"rooms", rooms}}.dump();
}

void BM_mint(benchmark::State& state) {
    const auto spec = join_spec();
    const auto now = std::chrono::system_clock::now();
    for (auto _ : state) {
        benchmark::DoNotOptimize(lk::mint(spec, "secret-secret-secret-secret-secret", now));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_mint);

// room_from_json over an already parsed array of 1000 rooms.
void BM_room_from_json_1000(benchmark::State& state) {
    const auto doc = nlohmann::json::parse(list_rooms_body(1000));
    const auto& rooms = doc.at("rooms");
    for (auto _ : state) {
        for (const auto& r : rooms) {
            benchmark::DoNotOptimize(lk::room_from_json(r));
        }
    }
    state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_room_from_json_1000);

// For comparison: DOM parse + room_from_json, and the streaming parser roomctl uses.
void BM_parse_dom_then_room_from_json_1000(benchmark::State& state) {
    const auto body = list_rooms_body(1000);
    for (auto _ : state) {
        const auto doc = nlohmann::json::parse(body);
        for (const auto& r : doc.at("rooms")) {
            benchmark::DoNotOptimize(lk::room_from_json(r));
        }
    }
    state.SetItemsProcessed(state.iterations() * 1000);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_parse_dom_then_room_from_json_1000);

void BM_parse_list_rooms_sax_1000(benchmark::State& state) {
    const auto body = list_rooms_body(1000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(lk::parse_list_rooms(body));
    }
    state.SetItemsProcessed(state.iterations() * 1000);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_parse_list_rooms_sax_1000);

// bench/README.md "One ListRooms parser?": the hand-written SAX machine
// against nlohmann's parse callback reading each room, at its object's end, through
// room_from_json and then dropping it. The callback reader lives here, not in the product,
// because the SAX machine measured faster; it handles well-formed answers only (room_from_json
// throws on a bad room), which is all a timing needs. Depths as the callback counts them:
// 1 the answer's members, 2 the rooms, 3 a room's fields; nothing deeper is built.
std::vector<roomctl::media::ServerRoom> parse_list_rooms_callback(const std::string& body) {
    using E = nlohmann::json::parse_event_t;
    std::vector<roomctl::media::ServerRoom> rooms;
    bool in_rooms = false;
    // What parse returns is what the callback kept: nothing (GCC warns on a (void) cast).
    [[maybe_unused]] const auto kept =
        nlohmann::json::parse(body, [&](int depth, E event, nlohmann::json& parsed) {
            if (depth == 1 && event == E::key) {
                in_rooms = parsed == "rooms";
                if (in_rooms) rooms.clear();
                return in_rooms;
            }
            if (depth < 2) return true;
            if (!in_rooms) return false;
            if (depth == 2 && event == E::object_end) {
                rooms.push_back(lk::room_from_json(parsed));
                return false;  // converted: drop it
            }
            return depth <= 3;
        });
    return rooms;
}

void BM_list_rooms_sax_10k(benchmark::State& state) {
    const auto body = list_rooms_body(10000);
    for (auto _ : state) benchmark::DoNotOptimize(lk::parse_list_rooms(body));
    state.SetItemsProcessed(state.iterations() * 10000);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_sax_10k)->Unit(benchmark::kMillisecond);

void BM_list_rooms_callback_10k(benchmark::State& state) {
    const auto body = list_rooms_body(10000);
    for (auto _ : state) benchmark::DoNotOptimize(parse_list_rooms_callback(body));
    state.SetItemsProcessed(state.iterations() * 10000);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_callback_10k)->Unit(benchmark::kMillisecond);

void BM_list_rooms_dom_10k(benchmark::State& state) {
    const auto body = list_rooms_body(10000);
    for (auto _ : state) {
        const auto doc = nlohmann::json::parse(body);
        std::vector<roomctl::media::ServerRoom> rooms;
        for (const auto& r : doc.at("rooms")) rooms.push_back(lk::room_from_json(r));
        benchmark::DoNotOptimize(rooms);
    }
    state.SetItemsProcessed(state.iterations() * 10000);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_dom_10k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
