#pragma once
// Parsing a server's answer into a document with its nesting bounded.
//
// nlohmann's parser is iterative, so depth cannot overflow the stack, but every level of a
// document is a heap-allocated container: "[[[[..." costs ~75 bytes of memory per byte of
// input, so the 64 MiB the transport accepts would take gigabytes (60 MB of '[' took 4.5 GB).
// No answer roomctl reads nests more than a few levels; 64 leaves ample room.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace roomctl {

inline constexpr int k_max_answer_depth = 64;

// Thrown by parse_bounded_json when the document nests deeper than the limit.
class JsonTooDeep : public std::runtime_error {
public:
    JsonTooDeep() : std::runtime_error("JSON nested too deep") {}
};

// nlohmann::json::parse(text), but it stops at the first container deeper than `max_depth`
// levels and throws JsonTooDeep; other malformed input throws nlohmann::json::parse_error.
inline nlohmann::json parse_bounded_json(std::string_view text,
                                         int max_depth = k_max_answer_depth) {
    return nlohmann::json::parse(
        text.begin(), text.end(),
        [max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= max_depth) {
                throw JsonTooDeep{};  // aborts the parse before the level is built
            }
            return true;
        });
}

}  // namespace roomctl
