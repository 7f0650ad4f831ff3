#include "roomctl/journal/deleted_rooms.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "roomctl/util/error.hpp"
#include "roomctl/util/json_depth.hpp"

namespace roomctl::journal {

namespace {

using nlohmann::json;

std::string text_field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

template <typename T>
T number_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return T{};
    // A hand-edited line may hold anything: out of range is "not known", never wrapped.
    if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        return v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max()) ? static_cast<T>(v)
                                                                              : T{};
    }
    const auto v = it->get<std::int64_t>();
    if (v < 0 && !std::numeric_limits<T>::is_signed) return T{};
    return static_cast<T>(v);
}

// Whether scheme://user[:pw]@host... has user info (hide_userinfo keeps it, as ********).
bool has_userinfo(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const auto rest = url.substr(sep + 3);
    return rest.substr(0, rest.find_first_of("/?#")).find('@') != std::string_view::npos;
}

// The deleted room of one journal line, or false when the line is not a completed delete.
bool deleted_room(std::string_view line, const std::string& provider, media::ServerRoom& out) {
    json j;
    try {
        j = parse_bounded_json(line, 8);  // a journal line nests two levels
    } catch (const std::exception&) {
        return false;  // torn or damaged: skipped, as documented
    }
    if (!j.is_object() || text_field(j, "kind") != "delete_room" ||
        text_field(j, "phase") != "end" || text_field(j, "status") != "done") {
        return false;
    }
    if (!provider.empty() && text_field(j, "provider") != provider) return false;
    auto it = j.find("server_room");
    if (it == j.end() || !it->is_object()) return false;
    const json& r = *it;
    out = media::ServerRoom{};
    out.name = text_field(r, "name");
    if (out.name.empty()) out.name = text_field(j, "room");
    out.sid = text_field(r, "sid");
    out.creation_time = number_field<std::int64_t>(r, "creation_time");
    out.empty_timeout = number_field<std::uint32_t>(r, "empty_timeout_seconds");
    out.departure_timeout = number_field<std::uint32_t>(r, "departure_timeout_seconds");
    out.max_participants = number_field<std::uint32_t>(r, "max_participants");
    out.metadata = text_field(r, "metadata");
    out.type = text_field(r, "type");
    out.status_callback = text_field(r, "status_callback");
    // The journal writes it through hide_userinfo, so any user info in it is the hidden
    // placeholder (or a hand edit): either way not the app's credentials.
    if (has_userinfo(out.status_callback)) out.status_callback.clear();
    out.status_callback_method = text_field(r, "status_callback_method");
    out.media_region = text_field(r, "media_region");
    return !out.name.empty() || !out.sid.empty();
}

class LineReader {
public:
    LineReader(int fd, const std::string& path) : m_fd(fd), m_path(path) {}

    // Calls on_line for each complete line (without its newline) that is at most
    // k_max_journal_line bytes long and contains `needle`. The last line counts only when it
    // ends with a newline: one without is torn (a crash mid-write).
    template <typename F>
    void each(std::string_view needle, F&& on_line) {
        std::string line;
        bool too_long = false;
        std::array<char, 64 * 1024> buf{};
        for (;;) {
            const auto n = ::read(m_fd, buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw runtime_error(
                    fmt::format("cannot read journal {}: {}", m_path, std::strerror(errno)));
            }
            if (n == 0) return;  // whatever is left in `line` is torn
            std::string_view chunk{buf.data(), static_cast<std::size_t>(n)};
            while (!chunk.empty()) {
                const auto nl = chunk.find('\n');
                const auto piece = chunk.substr(0, nl);
                if (!too_long) {
                    if (line.size() + piece.size() > k_max_journal_line) {
                        too_long = true;
                        std::string{}.swap(line);  // give the memory back now
                    } else {
                        line.append(piece);
                    }
                }
                if (nl == std::string_view::npos) break;
                if (!too_long && line.find(needle) != std::string::npos) on_line(line);
                line.clear();
                too_long = false;
                chunk.remove_prefix(nl + 1);
            }
        }
    }

private:
    int m_fd;
    const std::string& m_path;
};

}  // namespace

DeletedRooms deleted_rooms(const std::string& path, const std::string& provider) {
    DeletedRooms out;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) return out;  // no journal yet: nothing was deleted with one
        throw config_error(
            fmt::format("cannot read journal {}: {} (set --journal to a readable file)", path,
                        std::strerror(errno)));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw config_error(fmt::format("cannot read journal {}: {}", path, std::strerror(errno)));
    }
    if (S_ISDIR(st.st_mode)) {
        throw config_error(fmt::format(
            "cannot read journal {}: it is a directory (set --journal to a file)", path));
    }
    // /dev/null (no journal kept), a FIFO, a terminal: nothing written there can be read back.
    if (!S_ISREG(st.st_mode)) return out;
    LineReader reader(fd, path);
    // Every line of a delete_room action names its kind; nothing else is worth parsing.
    reader.each("delete_room", [&](const std::string& line) {
        media::ServerRoom room;
        if (!deleted_room(line, provider, room)) return;
        if (!room.sid.empty()) out.by_sid[room.sid] = room;
        if (!room.name.empty()) out.by_name[room.name] = room;
    });
    return out;
}

std::optional<media::ServerRoom> DeletedRoomIndex::find(const std::string& sid,
                                                        const std::string& room) {
    std::lock_guard lock(m_mutex);
    if (!m_rooms) m_rooms = m_path.empty() ? DeletedRooms{} : deleted_rooms(m_path, m_provider);
    const auto& index = sid.empty() ? m_rooms->by_name : m_rooms->by_sid;
    auto it = index.find(sid.empty() ? room : sid);
    if (it == index.end()) return std::nullopt;
    return it->second;
}

}  // namespace roomctl::journal
