#include "roomctl/livekit/rooms_sax.hpp"

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "roomctl/util/error.hpp"

namespace roomctl::livekit {

namespace {

using nlohmann::json;

// Depths: 1 = the answer object, 2 = the "rooms" array, 3 = one room; deeper is skipped.
class RoomsHandler : public nlohmann::json_sax<json> {
public:
    std::vector<media::ServerRoom> rooms;
    std::string error;

    bool null() override { return scalar(nullptr); }
    bool boolean(bool) override { return scalar(nullptr); }
    bool number_integer(number_integer_t v) override { return integer(v); }
    bool number_unsigned(number_unsigned_t v) override {
        if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
            return fail("an out-of-range number");
        }
        return integer(static_cast<std::int64_t>(v));
    }
    bool number_float(number_float_t, const string_t&) override {
        if (m_in_rooms && m_depth == 2) return fail("a room that is not an object");
        if (m_depth == 0 || (in_top_field() && m_key == "rooms")) return fail("a non-list \"rooms\"");
        return fail_if_field("an integer");
    }
    bool string(string_t& v) override { return text(v); }
    bool binary(binary_t&) override { return fail("binary data"); }

    bool start_object(std::size_t) override {
        ++m_depth;
        if (m_depth == 1) return true;
        if (m_depth == 3 && m_in_rooms) {
            rooms.emplace_back();
            return true;
        }
        if (m_depth == 2 && m_key == "rooms") return fail("a non-list \"rooms\"");
        return true;
    }
    bool end_object() override {
        --m_depth;
        m_key.clear();
        return true;
    }
    bool start_array(std::size_t) override {
        ++m_depth;
        if (m_depth == 1) return fail("a list where an object belongs");
        if (m_depth == 2 && m_key == "rooms") {
            m_in_rooms = true;
            return true;
        }
        if (m_depth == 3 && m_in_rooms) return fail("a room that is not an object");
        return true;
    }
    bool end_array() override {
        if (m_depth == 2) m_in_rooms = false;
        --m_depth;
        return true;
    }
    bool key(string_t& k) override {
        if (m_depth == 1 || m_depth == 3) m_key = k;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        error = "malformed JSON";
        return false;
    }

private:
    bool in_room_field() const { return m_in_rooms && m_depth == 3; }
    bool in_top_field() const { return m_depth == 1; }

    bool fail(const std::string& what) {
        error = what;
        return false;
    }
    bool fail_if_field(const char* expected) {
        if (in_room_field() && is_known(m_key)) {
            return fail(fmt::format("an invalid {} (expected {})", m_key, expected));
        }
        return true;
    }
    static bool is_known(const std::string& k) {
        static const char* known[] = {"sid", "name", "metadata", "creation_time", "creationTime",
                                      "num_participants", "numParticipants", "empty_timeout",
                                      "emptyTimeout", "departure_timeout", "departureTimeout",
                                      "max_participants", "maxParticipants"};
        for (const char* n : known) {
            if (k == n) return true;
        }
        return false;
    }

    bool scalar(std::nullptr_t) {
        if (m_in_rooms && m_depth == 2) return fail("a room that is not an object");
        // Nulls and booleans are skipped (protojson emits null for unset message fields; a
        // null "rooms" is an empty list), but the answer itself must be an object.
        if (m_depth == 0) return fail("an answer that is not an object");
        return true;
    }

    bool text(const std::string& v) {
        if (m_in_rooms && m_depth == 2) return fail("a room that is not an object");
        if (m_depth == 0) return fail("an answer that is not an object");
        if (in_top_field() && m_key == "rooms") return fail("a non-list \"rooms\"");
        if (!in_room_field()) return true;
        auto& r = rooms.back();
        if (m_key == "sid") r.sid = v;
        else if (m_key == "name") r.name = v;
        else if (m_key == "metadata") r.metadata = v;
        else if (is_known(m_key)) {
            // int64 arrive as strings (protojson); they must be whole numbers.
            std::size_t used = 0;
            std::int64_t n = 0;
            try {
                n = std::stoll(v, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != v.size() || v.empty()) {
                return fail(fmt::format("an invalid {} (expected an integer)", m_key));
            }
            return integer(n);
        }
        return true;
    }

    bool integer(std::int64_t v) {
        if (m_in_rooms && m_depth == 2) return fail("a room that is not an object");
        if (m_depth == 0) return fail("an answer that is not an object");
        if (in_top_field() && m_key == "rooms") return fail("a non-list \"rooms\"");
        if (!in_room_field()) return true;
        auto& r = rooms.back();
        auto u32 = [&](std::uint32_t& field) {
            if (v < 0 || v > std::numeric_limits<std::uint32_t>::max()) {
                return fail(fmt::format("an out-of-range {}", m_key));
            }
            field = static_cast<std::uint32_t>(v);
            return true;
        };
        if (m_key == "creation_time" || m_key == "creationTime") r.creation_time = v;
        else if (m_key == "num_participants" || m_key == "numParticipants") return u32(r.num_participants);
        else if (m_key == "empty_timeout" || m_key == "emptyTimeout") return u32(r.empty_timeout);
        else if (m_key == "departure_timeout" || m_key == "departureTimeout") return u32(r.departure_timeout);
        else if (m_key == "max_participants" || m_key == "maxParticipants") return u32(r.max_participants);
        else if (m_key == "sid" || m_key == "name" || m_key == "metadata") {
            return fail(fmt::format("an invalid {} (expected a string)", m_key));
        }
        return true;
    }

    int m_depth = 0;
    bool m_in_rooms = false;
    std::string m_key;
};

}  // namespace

std::vector<media::ServerRoom> parse_list_rooms(std::string_view body) {
    RoomsHandler handler;
    bool ok = json::sax_parse(body.begin(), body.end(), &handler, json::input_format_t::json, true);
    if (!ok) {
        throw runtime_error(fmt::format("LiveKit ListRooms sent {}", handler.error.empty()
                                                                         ? std::string{"malformed JSON"}
                                                                         : handler.error));
    }
    return std::move(handler.rooms);
}

}  // namespace roomctl::livekit
