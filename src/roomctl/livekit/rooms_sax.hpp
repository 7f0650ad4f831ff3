#pragma once
// Streaming parse of a ListRooms answer ({"rooms": [Room, ...]}) straight into ServerRooms,
// without building a JSON document first: a fleet's answer runs to tens of MB, and a DOM of it
// costs several times that. Accepts what room_from_json accepts (snake_case or camelCase,
// int64 as string or number, unknown keys and nested values skipped).

#include <cstddef>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "roomctl/media/server.hpp"

namespace roomctl::livekit {

// Throws Error(runtime) when `body` is not JSON, not an object, has a non-list "rooms", or a
// field of an impossible type — the same outcomes as parsing with room_from_json.
std::vector<media::ServerRoom> parse_list_rooms(std::string_view body);

// The same parse, fed the body in pieces while it arrives (from a transport's write callback),
// so parsing overlaps the transfer and the whole body is never held. The parser runs on a
// thread of its own, pulling the pieces from a queue of at most k_max_queued bytes: feed()
// waits while the parser is that far behind. For any split of a body, finish() returns the
// rooms or throws the error parse_list_rooms gives for the whole body. Not thread-safe: one
// thread feeds and finishes.
class ListRoomsFeed {
public:
    static constexpr std::size_t k_max_queued = 1u << 20;
    // Answers up to this size are parsed at finish() on the calling thread: no thread is worth
    // starting for them (most calls, and every fuzz input). The parser thread starts once more
    // than this has been fed; 0 starts it at once.
    static constexpr std::size_t k_thread_after = 256u << 10;

    explicit ListRoomsFeed(std::size_t thread_after = k_thread_after);
    ~ListRoomsFeed();  // abandon(), then joins the thread
    ListRoomsFeed(const ListRoomsFeed&) = delete;
    ListRoomsFeed& operator=(const ListRoomsFeed&) = delete;

    // The next piece of the body (copied). After the parser stopped at an error, pieces are
    // dropped (the error is finish()'s). Throws std::logic_error after finish() or abandon().
    void feed(std::string_view piece);
    // The body is complete: waits for the parser (bounded by the parse of what is queued).
    // Throws Error(runtime) as parse_list_rooms does; call at most once.
    std::vector<media::ServerRoom> finish();
    // The body will not be complete (a cut-off or failed transfer): the parse stops and its
    // result is discarded. Returns once the thread has ended. Safe to call more than once.
    void abandon() noexcept;

    struct Shared;  // the queue and the outcome (rooms_sax.cpp only)

private:
    void start();

    std::unique_ptr<Shared> m_shared;
    std::size_t m_thread_after;
    bool m_started = false;
    std::thread m_thread;
};

}  // namespace roomctl::livekit
