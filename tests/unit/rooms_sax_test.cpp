// parse_list_rooms must read exactly what room_from_json reads, without a JSON document.

#include "roomctl/livekit/rooms_sax.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roomctl/livekit/room_service.hpp"
#include "roomctl/util/error.hpp"

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

// The document path parse_list_rooms stands in for: interpret_twirp_response's object check,
// list_field's rule for "rooms" (room_service.cpp, not exported) and room_from_json per room.
std::vector<media::ServerRoom> read_as_document(const std::string& body) {
    const auto doc = nlohmann::json::parse(body);
    if (!doc.is_object()) throw runtime_error("LiveKit sent an answer that is not an object");
    std::vector<media::ServerRoom> out;
    const auto it = doc.find("rooms");
    if (it == doc.end() || it->is_null()) return out;
    if (!it->is_array()) throw runtime_error("LiveKit sent a non-list \"rooms\"");
    for (const auto& room : *it) out.push_back(room_from_json(room));
    return out;
}

struct Outcome {
    std::optional<std::vector<media::ServerRoom>> rooms;  // empty when the parse threw
    std::string problem;  // what follows "sent " in the message; empty for a JSON syntax error
};

std::string after_sent(const std::string& message) {
    const auto at = message.find(" sent ");
    return at == std::string::npos ? message : message.substr(at + 6);
}

std::string describe(const media::ServerRoom& r) {
    return "{sid=" + r.sid + " name=" + r.name +
           " creation_time=" + std::to_string(r.creation_time) + " num_participants=" +
           (r.num_participants ? std::to_string(*r.num_participants) : "unknown") +
           " empty_timeout=" + std::to_string(r.empty_timeout) +
           " departure_timeout=" + std::to_string(r.departure_timeout) +
           " max_participants=" + std::to_string(r.max_participants) + " metadata=" + r.metadata +
           "}";
}

// Bodies the fuzzer and a hostile or broken server can send, and ordinary ones to show that
// agreement is not just both sides refusing everything.
const char* const k_bodies[] = {
    k_answer,
    "{}",
    R"({"rooms":null})",
    R"({"rooms":[]})",
    // known fields of the wrong type
    R"({"rooms":[{"sid": true}]})",
    R"({"rooms":[{"name": {"a":1}}]})",
    R"({"rooms":[{"metadata":["x"]}]})",
    R"({"rooms":[{"creation_time":[1]}]})",
    R"({"rooms":[{"numParticipants":{}}]})",
    R"({"rooms":[{"num_participants":false}]})",
    R"({"rooms":[{"name":"a"},{"sid":1}]})",
    // a repeated "rooms": the document keeps the last
    R"({"rooms":[{"sid":"a"}],"rooms":[{"sid":"b"},{"sid":"c"}]})",
    R"({"rooms":[{"sid":true}],"rooms":[{"sid":"ok"}]})",
    R"({"rooms":[{"sid":"ok"}],"rooms":[{"sid":true}]})",
    R"({"rooms":[{"sid":"ok"}],"rooms":"x"})",
    R"({"rooms":"x","rooms":null})",
    R"({"rooms":[1],"meta":{},"rooms":[]})",
    R"({"meta":{"rooms":"x"},"rooms":[{"name":"n"}],"tail":{"rooms":5}})",
    // a repeated key in a room: the last wins
    R"({"rooms":[{"sid":"a","sid":"b"}]})",
    R"({"rooms":[{"sid":true,"sid":"b"}]})",
    R"({"rooms":[{"sid":"a","sid":null}]})",
    R"({"rooms":[{"name":"n","name":["x"]}]})",
    R"({"rooms":[{"name":["x"],"name":"n"}]})",
    // both spellings: a non-null snake_case value wins, and hides a bad camelCase one
    R"({"rooms":[{"creation_time":5,"creationTime":"junk"}]})",
    R"({"rooms":[{"creationTime":[],"creation_time":5}]})",
    R"({"rooms":[{"creation_time":null,"creationTime":7}]})",
    R"({"rooms":[{"creation_time":"x","creationTime":7}]})",
    R"({"rooms":[{"numParticipants":4,"num_participants":3}]})",
    R"({"rooms":[{"departureTimeout":"20","departure_timeout":null}]})",
    R"({"rooms":[{"sid":null,"name":null,"metadata":null,"creation_time":null,"maxParticipants":null}]})",
    // integers as strings
    R"({"rooms":[{"creation_time":"12abc"}]})",
    R"({"rooms":[{"creation_time":" 12"}]})",
    R"({"rooms":[{"creation_time":"+12"}]})",
    R"({"rooms":[{"creation_time":""}]})",
    R"({"rooms":[{"creation_time":"99999999999999999999"}]})",
    R"({"rooms":[{"max_participants":"4294967296"}]})",
    R"({"rooms":[{"empty_timeout":"-1"}]})",
    // numbers at and past the edges, negative and fractional
    R"({"rooms":[{"max_participants":4294967295,"creation_time":-5}]})",
    R"({"rooms":[{"max_participants":4294967296}]})",
    R"({"rooms":[{"empty_timeout":-1}]})",
    R"({"rooms":[{"creation_time":1.5}]})",
    R"({"rooms":[{"creation_time":1e3}]})",
    R"({"rooms":[{"num_participants":2.0}]})",
    R"({"rooms":[{"creation_time":9223372036854775808}]})",
    R"({"rooms":[{"creation_time":18446744073709551616}]})",
    R"({"rooms":[{"max_participants":18446744073709551615}]})",
    // known names nested inside unknown values are not the room's
    R"({"rooms":[{"sid":"a","x":{"sid":true,"rooms":1}},{"sid":"b","y":[{"name":false}]}]})",
    // rooms that are not objects, answers that are not objects, broken JSON
    R"({"rooms":[null]})",
    R"({"rooms":[[]]})",
    R"({"rooms":["RM_x"]})",
    R"({"rooms":{}})",
    R"({"rooms":true})",
    R"({"rooms":0})",
    "[]",
    "\"rooms\"",
    "null",
    "",
    R"({"rooms":[]} x)",
    R"({"rooms":[{"sid":"a"})",
    R"({"rooms":[{"sid":"a"}],"rooms":[{"sid":"b"}])",
};

TEST(RoomsSax, AgreesWithTheDocumentParserOnHostileBodies) {
    for (const char* body : k_bodies) {
        SCOPED_TRACE(body);
        Outcome doc;
        try {
            doc.rooms = read_as_document(body);
        } catch (const Error& e) {
            doc.problem = after_sent(e.what());
        } catch (const nlohmann::json::parse_error&) {
        }
        Outcome sax;
        try {
            sax.rooms = parse_list_rooms(body);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::runtime);
            sax.problem = after_sent(e.what());
        }
        if (sax.rooms.has_value() != doc.rooms.has_value()) {
            ADD_FAILURE() << (doc.rooms ? "the document parser accepts it; the stream says: " +
                                              sax.problem
                                        : "the document parser refuses it: " + doc.problem);
            continue;
        }
        if (!doc.rooms) {
            if (!doc.problem.empty()) {
                EXPECT_EQ(sax.problem, doc.problem);
            }
            continue;
        }
        EXPECT_EQ(sax.rooms->size(), doc.rooms->size());
        if (sax.rooms->size() != doc.rooms->size()) continue;
        for (std::size_t i = 0; i < doc.rooms->size(); ++i) {
            EXPECT_TRUE(same((*sax.rooms)[i], (*doc.rooms)[i]))
                << i << ": stream " << describe((*sax.rooms)[i]) << " document "
                << describe((*doc.rooms)[i]);
        }
    }
}

TEST(RoomsSax, DeepNestingInsideARoomIsSkippedWithinTheParserLimits) {
    std::string deep =
        R"({"rooms":[{"name":"r","x":)" + std::string(500, '[') + std::string(500, ']') + "}]}";
    auto rooms = parse_list_rooms(deep);
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].name, "r");
}

// ListRoomsFeed: the body in pieces, as libcurl's write callback hands it over, must give
// exactly parse_list_rooms's rooms or error, wherever the pieces are cut.
std::string outcome_of(const std::function<std::vector<media::ServerRoom>()>& parse) {
    try {
        std::string out = "rooms:";
        for (const auto& r : parse()) out += describe(r) + ";";
        return out;
    } catch (const Error& e) {
        return std::string{"error: "} + e.what();
    }
}

TEST(RoomsFeed, EverySplitOfEveryBodyGivesTheWholeBodysAnswer) {
    std::vector<std::string> bodies(std::begin(k_bodies), std::end(k_bodies));
    bodies.emplace_back(k_answer);
    for (const auto& body : bodies) {
        SCOPED_TRACE(body);
        const auto whole = outcome_of([&] { return parse_list_rooms(body); });
        for (std::size_t cut = 0; cut <= body.size(); ++cut) {
            ListRoomsFeed feed(0);  // the parser thread from the first byte, as for a fleet
            feed.feed(std::string_view(body).substr(0, cut));
            feed.feed(std::string_view(body).substr(cut));
            ASSERT_EQ(outcome_of([&] { return feed.finish(); }), whole) << "cut at " << cut;
            ListRoomsFeed small;  // held and parsed at finish(): no thread for a small answer
            small.feed(std::string_view(body).substr(0, cut));
            small.feed(std::string_view(body).substr(cut));
            ASSERT_EQ(outcome_of([&] { return small.finish(); }), whole) << "cut at " << cut;
        }
        ListRoomsFeed bytewise(0);
        for (const char& c : body) bytewise.feed(std::string_view(&c, 1));
        EXPECT_EQ(outcome_of([&] { return bytewise.finish(); }), whole) << "one byte at a time";
    }
}

std::string many_rooms(int n) {
    std::string body = R"({"rooms":[)";
    for (int i = 0; i < n; ++i) {
        if (i) body += ',';
        body += R"({"sid":"RM_)" + std::to_string(i) + R"(","name":"room-)" + std::to_string(i) +
                R"(","empty_timeout":300,"creation_time":"1700000000","num_participants":1,)"
                R"("enabled_codecs":[{"mime":"audio/opus","fmtp_line":""}],"metadata":")" +
                std::string(200, 'm') + R"("})";
    }
    return body + "]}";
}

TEST(RoomsFeed, ABodyLargerThanTheQueueIsParsedWithBackPressure) {
    const std::string body = many_rooms(10'000);  // ~3 MB: the feeder waits for the parser
    ASSERT_GT(body.size(), 2 * ListRoomsFeed::k_max_queued);
    ListRoomsFeed feed;
    for (std::size_t at = 0; at < body.size(); at += 16'384)
        feed.feed(std::string_view(body).substr(at, 16'384));
    auto rooms = feed.finish();
    ASSERT_EQ(rooms.size(), 10'000u);
    EXPECT_EQ(rooms[9'999].name, "room-9999");
    EXPECT_EQ(outcome_of([&] { return rooms; }),
              outcome_of([&] { return parse_list_rooms(body); }));
}

TEST(RoomsFeed, ABrokenBodyStopsTheParseButFeedingGoesOnUntilTheEnd) {
    const std::string body = "{\"rooms\":[x" + many_rooms(5'000);  // malformed at its 11th byte
    ListRoomsFeed feed;
    for (std::size_t at = 0; at < body.size(); at += 4'096)
        feed.feed(std::string_view(body).substr(at, 4'096));  // never blocks on a stopped parser
    EXPECT_EQ(outcome_of([&] { return feed.finish(); }),
              "error: LiveKit ListRooms sent malformed JSON");
}

TEST(RoomsFeed, AnAbandonedParseEndsAtOnceWithoutAResult) {
    const std::string body = many_rooms(100);
    const auto started = std::chrono::steady_clock::now();
    {
        ListRoomsFeed feed(0);
        feed.feed(std::string_view(body).substr(0, body.size() / 2));
        feed.abandon();  // the transfer was cut off: the parser must not wait for the rest
        EXPECT_THROW(feed.feed("]}"), std::logic_error);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{2'000});
}

}  // namespace
}  // namespace roomctl::livekit
