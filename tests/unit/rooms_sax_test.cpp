// parse_list_rooms must read exactly what room_from_json reads, without a JSON document.

#include "roomctl/livekit/rooms_sax.hpp"

#include <gtest/gtest.h>

#include "roomctl/livekit/room_service.hpp"

namespace roomctl::livekit {
namespace {

// A ListRooms answer as the server writes it: snake_case, every field, int64 as strings,
// nested messages (version, enabled_codecs) and turn_password, which must be dropped.
const char* k_answer = R"({"rooms":[
 {"sid":"RM_abc123def456","name":"session-1","empty_timeout":300,"departure_timeout":20,
  "max_participants":0,"creation_time":"1700000000","creation_time_ms":"1700000000123",
  "turn_password":"hidden","enabled_codecs":[{"mime":"audio/opus","fmtp_line":""}],
  "metadata":"{\"a\":1}","num_participants":2,"num_publishers":1,"active_recording":false,
  "version":{"unix_micro":"1700000000123456","ticks":0}},
 {"sid":"RM_x","name":"b","emptyTimeout":60,"creationTime":5,"numParticipants":"3",
  "maxParticipants":"10","departureTimeout":null,"extra":{"rooms":[1,2]}}
]})";

bool same(const media::ServerRoom& a, const media::ServerRoom& b) {
    return a.name == b.name && a.sid == b.sid && a.creation_time == b.creation_time &&
           a.num_participants == b.num_participants && a.empty_timeout == b.empty_timeout &&
           a.departure_timeout == b.departure_timeout && a.max_participants == b.max_participants &&
           a.metadata == b.metadata;
}

TEST(RoomsSax, ReadsWhatTheDocumentParserReads) {
    auto streamed = parse_list_rooms(k_answer);
    auto doc = nlohmann::json::parse(k_answer);
    ASSERT_EQ(streamed.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_TRUE(same(streamed[i], room_from_json(doc["rooms"][i]))) << i;
    }
    EXPECT_EQ(streamed[0].creation_time, 1700000000);
    EXPECT_EQ(streamed[0].metadata, "{\"a\":1}");
    EXPECT_EQ(streamed[1].num_participants, 3u);
    EXPECT_EQ(streamed[1].max_participants, 10u);
}

TEST(RoomsSax, EmptyAnswersAreEmptyLists) {
    EXPECT_TRUE(parse_list_rooms("{}").empty());  // lk prints {} for no rooms
    EXPECT_TRUE(parse_list_rooms(R"({"rooms":[]})").empty());
    EXPECT_TRUE(parse_list_rooms(R"({"rooms":null})").empty());
}

TEST(RoomsSax, RejectsWhatTheDocumentParserRejects) {
    for (const char* bad :
         {"", "[1,2]", "\"rooms\"", "42", R"({"rooms":"not a list"})", R"({"rooms":{}})",
          R"({"rooms":1.5})", R"({"rooms":[1]})", R"({"rooms":[{"creation_time":"soon"}]})",
          R"({"rooms":[{"num_participants":-1}]})", R"({"rooms":[{"sid":7}]})",
          R"({"rooms":[{"empty_timeout":4294967296}]})", R"({"rooms": [tru)"}) {
        EXPECT_THROW(parse_list_rooms(bad), Error) << bad;
    }
}

TEST(RoomsSax, DeepNestingInsideARoomIsSkippedWithinTheParserLimits) {
    std::string deep = R"({"rooms":[{"name":"r","x":)" + std::string(500, '[') +
                       std::string(500, ']') + "}]}";
    auto rooms = parse_list_rooms(deep);
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].name, "r");
}

}  // namespace
}  // namespace roomctl::livekit
