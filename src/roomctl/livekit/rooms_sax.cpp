#include "roomctl/livekit/rooms_sax.hpp"

#include <fmt/format.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <istream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <streambuf>
#include <string>

#include "roomctl/util/error.hpp"

namespace roomctl::livekit {

namespace {

using nlohmann::json;

// The keys room_from_json reads. A room's values for them are buffered until the room ends,
// because the document parser's answer depends on the whole room: the last of repeated keys
// wins, null counts as absent, and a non-null snake_case value hides the camelCase one (which
// is then never checked).
enum Slot : std::size_t {
    sid,
    name,
    metadata,
    creation_time,
    creationTime,
    num_participants,
    numParticipants,
    empty_timeout,
    emptyTimeout,
    departure_timeout,
    departureTimeout,
    max_participants,
    maxParticipants,
    slot_count,
    not_read = slot_count
};

constexpr std::array<const char*, slot_count> k_slot_names = {"sid",
                                                              "name",
                                                              "metadata",
                                                              "creation_time",
                                                              "creationTime",
                                                              "num_participants",
                                                              "numParticipants",
                                                              "empty_timeout",
                                                              "emptyTimeout",
                                                              "departure_timeout",
                                                              "departureTimeout",
                                                              "max_participants",
                                                              "maxParticipants"};

Slot slot_of(const std::string& key) {
    for (std::size_t i = 0; i < slot_count; ++i) {
        if (key == k_slot_names[i]) return static_cast<Slot>(i);
    }
    return not_read;
}

struct Value {
    enum Kind { absent, null, string, integer, huge, other } kind = absent;  // huge: > INT64_MAX
    std::string text;
    std::int64_t number = 0;
};

// Depths: 1 = the answer object, 2 = the "rooms" array, 3 = one room; deeper is skipped.
class RoomsHandler : public nlohmann::json_sax<json> {
public:
    std::vector<media::ServerRoom> rooms;
    std::string error;        // the parse stops: malformed JSON or an answer that is no object
    std::string rooms_error;  // what is wrong with the current "rooms"; a later "rooms" replaces it

    bool null() override { return value(Value::null); }
    bool boolean(bool) override { return value(Value::other); }
    bool number_integer(number_integer_t v) override { return value(Value::integer, {}, v); }
    bool number_unsigned(number_unsigned_t v) override {
        if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
            return value(Value::huge);
        return value(Value::integer, {}, static_cast<std::int64_t>(v));
    }
    bool number_float(number_float_t, const string_t&) override { return value(Value::other); }
    bool string(string_t& v) override { return value(Value::string, &v); }
    bool binary(binary_t&) override { return fail("binary data"); }

    bool start_object(std::size_t) override {
        if (m_depth == 0) {
            ++m_depth;
            return true;
        }
        if (in_rooms_list()) {
            ++m_depth;
            if (rooms_error.empty()) {
                m_in_room = true;
                m_room = {};
            }
            return true;
        }
        if (!value(Value::other)) return false;
        ++m_depth;
        return true;
    }
    bool end_object() override {
        if (m_in_room && m_depth == 3) finish_room();
        --m_depth;
        return true;
    }
    bool start_array(std::size_t) override {
        if (m_depth == 0) return fail("an answer that is not an object");
        if (m_depth == 1 && m_top_key == "rooms") {
            ++m_depth;
            m_in_rooms = true;
            return true;
        }
        if (!value(Value::other)) return false;
        ++m_depth;
        return true;
    }
    bool end_array() override {
        if (m_depth == 2) m_in_rooms = false;
        --m_depth;
        return true;
    }
    bool key(string_t& k) override {
        if (m_depth == 1) {
            m_top_key = k;
            if (k == "rooms") {  // the document keeps only the last "rooms"
                rooms.clear();
                rooms_error.clear();
            }
        } else if (m_in_room && m_depth == 3) {
            m_room_slot = slot_of(k);
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        error = "malformed JSON";
        return false;
    }

private:
    bool in_rooms_list() const { return m_in_rooms && m_depth == 2; }

    bool fail(const std::string& what) {
        error = what;
        return false;
    }
    void reject_rooms(const std::string& what) {
        if (rooms_error.empty()) rooms_error = what;
        rooms.clear();
        m_in_room = false;
    }

    // Every value and every container start passes here, at the depth that holds it.
    bool value(Value::Kind kind, string_t* text = nullptr, std::int64_t number = 0) {
        if (m_depth == 0) return fail("an answer that is not an object");
        if (m_depth == 1) {
            if (m_top_key == "rooms" && kind != Value::null) reject_rooms("a non-list \"rooms\"");
            return true;
        }
        if (in_rooms_list()) {
            reject_rooms("a room that is not an object");
            return true;
        }
        if (m_in_room && m_depth == 3 && m_room_slot != not_read) {
            Value& v = m_room[m_room_slot];
            v.kind = kind;
            v.text = kind == Value::string ? std::move(*text) : std::string{};
            v.number = number;
        }
        return true;
    }

    // room_from_json's reading of the buffered values; the first failure spoils the list.
    void finish_room() {
        m_in_room = false;
        try {
            media::ServerRoom r;
            r.sid = as_string(sid, sid);
            r.name = as_string(name, name);
            r.creation_time = as_int64(creation_time, creationTime);
            r.num_participants = as_uint32(num_participants, numParticipants);
            r.empty_timeout = as_uint32(empty_timeout, emptyTimeout);
            r.departure_timeout = as_uint32(departure_timeout, departureTimeout);
            r.max_participants = as_uint32(max_participants, maxParticipants);
            r.metadata = as_string(metadata, metadata);
            rooms.push_back(std::move(r));
        } catch (const Error& e) {
            reject_rooms(e.what());
        }
    }
    Value* field(Slot snake, Slot camel) {
        for (Slot s : {snake, camel}) {
            if (m_room[s].kind != Value::absent && m_room[s].kind != Value::null) return &m_room[s];
        }
        return nullptr;
    }
    std::string as_string(Slot snake, Slot camel) {
        Value* v = field(snake, camel);
        if (!v) return {};
        if (v->kind != Value::string) {
            throw runtime_error(
                fmt::format("an invalid {} (expected a string)", k_slot_names[snake]));
        }
        return std::move(v->text);
    }
    std::int64_t as_int64(Slot snake, Slot camel) {
        Value* v = field(snake, camel);
        if (!v) return 0;
        if (v->kind == Value::integer) return v->number;
        if (v->kind == Value::huge) {
            throw runtime_error(fmt::format("an out-of-range {}", k_slot_names[snake]));
        }
        if (v->kind == Value::string) {  // protojson writes int64 as strings
            try {
                std::size_t used = 0;
                auto n = std::stoll(v->text, &used);
                if (used == v->text.size()) return n;
            } catch (const std::exception&) {
            }
        }
        throw runtime_error(
            fmt::format("an invalid {} (expected an integer)", k_slot_names[snake]));
    }
    std::uint32_t as_uint32(Slot snake, Slot camel) {
        auto n = as_int64(snake, camel);
        if (n < 0 || n > std::numeric_limits<std::uint32_t>::max()) {
            throw runtime_error(fmt::format("an out-of-range {}", k_slot_names[snake]));
        }
        return static_cast<std::uint32_t>(n);
    }

    int m_depth = 0;
    bool m_in_rooms = false;
    bool m_in_room = false;
    std::string m_top_key;
    Slot m_room_slot = not_read;
    std::array<Value, slot_count> m_room;
};

}  // namespace

namespace {

// parse_list_rooms's verdict on a finished SAX parse.
std::vector<media::ServerRoom> outcome(bool ok, RoomsHandler& handler) {
    if (!ok || !handler.rooms_error.empty()) {
        const std::string& what = !ok ? handler.error : handler.rooms_error;
        throw runtime_error(fmt::format("LiveKit ListRooms sent {}",
                                        what.empty() ? std::string{"malformed JSON"} : what));
    }
    return std::move(handler.rooms);
}

}  // namespace

std::vector<media::ServerRoom> parse_list_rooms(std::string_view body) {
    RoomsHandler handler;
    bool ok = json::sax_parse(body.begin(), body.end(), &handler, json::input_format_t::json, true);
    return outcome(ok, handler);
}

// What the feeding thread and the parser thread share, under `lock`.
struct ListRoomsFeed::Shared {
    std::mutex lock;
    std::condition_variable changed;  // a piece queued or taken, the end, the parser done
    std::deque<std::string> pieces;
    std::size_t queued = 0;  // bytes in `pieces`
    bool closed = false;     // finish(): no more pieces, the end is the body's end
    bool abandoned = false;  // abandon(): stop, the result does not matter
    bool parser_done = false;
    std::vector<media::ServerRoom> rooms;
    std::exception_ptr failure;  // the parse's Error, or anything else it threw
};

namespace {

// The parser's input: nlohmann's stream adapter reads through sbumpc(), so a piece is read
// from its buffer inline and underflow() runs once per piece, taking the next from the queue.
class QueueBuffer final : public std::streambuf {
public:
    explicit QueueBuffer(ListRoomsFeed::Shared& shared) : m_shared(shared) {}

protected:
    int_type underflow() override {
        std::unique_lock lock(m_shared.lock);
        m_shared.changed.wait(lock, [&] {
            return !m_shared.pieces.empty() || m_shared.closed || m_shared.abandoned;
        });
        if (m_shared.abandoned || m_shared.pieces.empty()) return traits_type::eof();
        m_current = std::move(m_shared.pieces.front());
        m_shared.pieces.pop_front();
        m_shared.queued -= m_current.size();
        lock.unlock();
        m_shared.changed.notify_all();  // the feeder may be waiting for room
        setg(m_current.data(), m_current.data(), m_current.data() + m_current.size());
        return traits_type::to_int_type(m_current.front());
    }

private:
    ListRoomsFeed::Shared& m_shared;
    std::string m_current;
};

}  // namespace

ListRoomsFeed::ListRoomsFeed(std::size_t thread_after)
    : m_shared(std::make_unique<Shared>()), m_thread_after(thread_after) {
    if (m_thread_after == 0) start();
}

void ListRoomsFeed::start() {
    m_started = true;
    m_thread = std::thread([shared = m_shared.get()] {
        std::vector<media::ServerRoom> rooms;
        std::exception_ptr failure;
        try {
            QueueBuffer buffer(*shared);
            std::istream in(&buffer);
            RoomsHandler handler;
            bool ok = json::sax_parse(in, &handler, json::input_format_t::json, true);
            rooms = outcome(ok, handler);
        } catch (...) {
            failure = std::current_exception();
        }
        {
            std::lock_guard lock(shared->lock);
            shared->rooms = std::move(rooms);
            shared->failure = failure;
            shared->parser_done = true;
            // What the parser will never read is dropped at once: feed() adds nothing more.
            shared->pieces.clear();
            shared->queued = 0;
        }
        shared->changed.notify_all();
    });
}

ListRoomsFeed::~ListRoomsFeed() { abandon(); }

void ListRoomsFeed::feed(std::string_view piece) {
    if (piece.empty()) return;
    std::unique_lock lock(m_shared->lock);
    if (m_shared->closed || m_shared->abandoned)
        throw std::logic_error("ListRoomsFeed::feed after the end of the body");
    if (!m_started) {  // held until the answer proves large enough for a thread
        m_shared->pieces.emplace_back(piece);
        m_shared->queued += piece.size();
        lock.unlock();
        if (m_shared->queued > m_thread_after) start();
        return;
    }
    // Room for the piece, or an empty queue (a piece larger than the bound goes in alone).
    m_shared->changed.wait(lock, [&] {
        return m_shared->parser_done || m_shared->pieces.empty() ||
               m_shared->queued + piece.size() <= k_max_queued;
    });
    if (m_shared->parser_done) return;  // it stopped at an error: the rest cannot matter
    m_shared->pieces.emplace_back(piece);
    m_shared->queued += piece.size();
    lock.unlock();
    m_shared->changed.notify_all();
}

std::vector<media::ServerRoom> ListRoomsFeed::finish() {
    {
        std::unique_lock lock(m_shared->lock);
        if (m_shared->closed || m_shared->abandoned)
            throw std::logic_error("ListRoomsFeed::finish called twice or after abandon");
        m_shared->closed = true;
    }
    if (!m_started) {  // a small answer: parsed here, as a whole
        std::string body;
        body.reserve(m_shared->queued);
        for (const auto& piece : m_shared->pieces) body += piece;
        m_shared->pieces.clear();
        return parse_list_rooms(body);
    }
    m_shared->changed.notify_all();
    if (m_thread.joinable()) m_thread.join();
    if (m_shared->failure) std::rethrow_exception(m_shared->failure);
    return std::move(m_shared->rooms);
}

void ListRoomsFeed::abandon() noexcept {
    {
        std::lock_guard lock(m_shared->lock);
        m_shared->abandoned = true;
    }
    m_shared->changed.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace roomctl::livekit
