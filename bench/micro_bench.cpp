// Micro benchmarks of roomctl_core's hot paths: minting a LiveKit access token and decoding
// a ListRooms answer. Run through bench/run.sh (or build/bench/roomctl_micro_bench).
#include <benchmark/benchmark.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>
#ifdef ROOMCTL_BENCH_SIMDJSON
#include <simdjson.h>
#endif

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

// Issue 17 item 2: the 100,000-room answer in the LiveKit stand-in's shape (Room.to_json:
// nested version, five enabled codecs, ~550 bytes a room). Process CPU time is measured
// (MeasureProcessCPUTime): ListRoomsFeed parses on a thread of its own.
std::string standin_shaped_body(int n) {
    std::string body = R"({"rooms":[)";
    for (int i = 0; i < n; ++i) {
        if (i) body += ',';
        const auto id = std::to_string(i);
        body += R"({"sid":"RM_au)" + id + R"(","name":"au-)" + id +
                R"(","empty_timeout":86400,"departure_timeout":20,"max_participants":0,)"
                R"("creation_time":"1764500000","creation_time_ms":"1764500000123",)"
                R"("turn_password":"abcdefghijklmnopqrstuvwxyz012345","enabled_codecs":[)"
                R"({"mime":"audio/opus","fmtp_line":""},{"mime":"video/VP8","fmtp_line":""},)"
                R"({"mime":"video/H264","fmtp_line":""},{"mime":"video/VP9","fmtp_line":""},)"
                R"({"mime":"video/AV1","fmtp_line":""}],"metadata":"","num_participants":0,)"
                R"("num_publishers":0,"active_recording":false,)"
                R"("version":{"unix_micro":"1764500000123456","ticks":0}})";
    }
    return body + "]}";
}

const std::string& body_100k() {
    static const std::string body = standin_shaped_body(100'000);
    return body;
}

void BM_list_rooms_sax_100k(benchmark::State& state) {
    const auto& body = body_100k();
    for (auto _ : state) benchmark::DoNotOptimize(lk::parse_list_rooms(body));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_sax_100k)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The product path: the same parse fed in libcurl-sized pieces (16 KiB) through the queue.
void BM_list_rooms_feed_100k(benchmark::State& state) {
    const auto& body = body_100k();
    for (auto _ : state) {
        lk::ListRoomsFeed feed;
        for (std::size_t at = 0; at < body.size(); at += 16'384)
            feed.feed(std::string_view(body).substr(at, 16'384));
        benchmark::DoNotOptimize(feed.finish());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_feed_100k)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

#ifdef ROOMCTL_BENCH_SIMDJSON
// simdjson ondemand over the whole (padded) document, building the same ServerRooms. Well-formed
// answers only, no error agreement: a lower bound of what a product version would cost. The
// padded copy is made once, outside the timing (a product would receive into such a buffer).
std::int64_t sj_int(simdjson::ondemand::value v) {
    if (v.type() == simdjson::ondemand::json_type::string) {
        std::string_view s = v.get_string();
        return std::stoll(std::string(s));
    }
    return v.get_int64();
}

std::vector<roomctl::media::ServerRoom> parse_list_rooms_simdjson(
    simdjson::ondemand::parser& p, const simdjson::padded_string& b) {
    std::vector<roomctl::media::ServerRoom> rooms;
    auto doc = p.iterate(b);
    for (auto field : doc.get_object()) {
        if (field.unescaped_key().value() != "rooms") continue;
        rooms.clear();
        for (auto room_value : field.value().get_array()) {
            roomctl::media::ServerRoom r;
            for (auto f : room_value.get_object()) {
                std::string_view k = f.unescaped_key();
                simdjson::ondemand::value v = f.value();
                if (v.is_null()) continue;
                if (k == "sid")
                    r.sid = std::string(std::string_view(v.get_string()));
                else if (k == "name")
                    r.name = std::string(std::string_view(v.get_string()));
                else if (k == "metadata")
                    r.metadata = std::string(std::string_view(v.get_string()));
                else if (k == "creation_time" || k == "creationTime")
                    r.creation_time = sj_int(v);
                else if (k == "num_participants" || k == "numParticipants")
                    r.num_participants = static_cast<std::uint32_t>(sj_int(v));
                else if (k == "empty_timeout" || k == "emptyTimeout")
                    r.empty_timeout = static_cast<std::uint32_t>(sj_int(v));
                else if (k == "departure_timeout" || k == "departureTimeout")
                    r.departure_timeout = static_cast<std::uint32_t>(sj_int(v));
                else if (k == "max_participants" || k == "maxParticipants")
                    r.max_participants = static_cast<std::uint32_t>(sj_int(v));
            }
            rooms.push_back(std::move(r));
        }
    }
    return rooms;
}

void BM_list_rooms_simdjson_100k(benchmark::State& state) {
    const simdjson::padded_string body(body_100k());
    simdjson::ondemand::parser parser;
    auto check = parse_list_rooms_simdjson(parser, body);
    if (check.size() != 100'000 || check.back().name != "au-99999")
        state.SkipWithError("wrong rooms");
    for (auto _ : state) benchmark::DoNotOptimize(parse_list_rooms_simdjson(parser, body));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_list_rooms_simdjson_100k)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
#endif

}  // namespace

BENCHMARK_MAIN();
