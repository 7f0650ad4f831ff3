#include "roomctl/report/rooms_view.hpp"

#include <fmt/format.h>

#include "roomctl/report/json.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::report {

using nlohmann::json;

json room_json(const media::ServerRoom& r) {
    return json{{"name", r.name},
                {"sid", r.sid},
                {"num_participants", r.num_participants},
                {"creation_time", r.creation_time ? json(iso8601(r.creation_time)) : json(nullptr)},
                {"empty_timeout_seconds", r.empty_timeout},
                {"departure_timeout_seconds", r.departure_timeout},
                {"max_participants", r.max_participants},
                {"metadata", r.metadata},
                // Twilio's settings; "" where the provider has none (LiveKit) or did not say.
                {"type", r.type},
                {"status_callback", hide_userinfo(r.status_callback)},
                {"status_callback_method", r.status_callback_method},
                {"media_region", r.media_region}};
}

json participant_json(const media::Participant& p) {
    return json{{"sid", p.sid},
                {"identity", p.identity},
                {"name", p.name},
                {"state", p.state},
                {"joined_at", p.joined_at ? json(iso8601(p.joined_at)) : json(nullptr)}};
}

std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style) {
    if (rooms.empty() && style.quiet) return "";
    if (rooms.empty() && style.format == TableFormat::text) return "no rooms on the server\n";
    std::vector<std::vector<Cell>> rows;
    for (const auto& r : rooms) {
        rows.push_back({r.name, r.sid, std::to_string(r.num_participants),
                        render_age(style, r.creation_time), fmt::format("{}s", r.empty_timeout)});
    }
    return render_table(style, {"name", "sid", "participants", "age", "empty timeout"}, rows);
}

std::string render_room(const media::ServerRoom& r, const TextStyle& style) {
    auto out = fmt::format(
        "name:              {}\nsid:               {}\nparticipants:      {}\nage:               "
        "{}\nempty timeout:     {}s\ndeparture timeout: {}s\nmax participants:  {}\n",
        r.name, r.sid, r.num_participants, render_age(style, r.creation_time), r.empty_timeout,
        r.departure_timeout, r.max_participants ? std::to_string(r.max_participants) : "unlimited");
    // The settings a provider has, each on one line whatever the server sent: metadata is the
    // app's (opaque, possibly long or multi-line), the callback may carry user:password@.
    const auto line = [&out](const char* label, std::string_view value) {
        if (!value.empty())
            out += fmt::format("{:<19}{}\n", label,
                               text::first_line(text::escape_controls(value), 120));
    };
    line("metadata:", r.metadata);
    line("type:", r.type);
    line("status callback:", hide_userinfo(r.status_callback));
    line("callback method:", r.status_callback_method);
    line("media region:", r.media_region);
    return out;
}

std::string render_participants(const std::vector<media::Participant>& ps,
                                const TextStyle& style) {
    if (ps.empty() && style.quiet) return "";
    if (ps.empty() && style.format == TableFormat::text) return "no participants\n";
    std::vector<std::vector<Cell>> rows;
    for (const auto& p : ps) rows.push_back({p.identity, p.sid, p.state, p.name});
    return render_table(style, {"identity", "sid", "state", "name"}, rows);
}

}  // namespace roomctl::report
