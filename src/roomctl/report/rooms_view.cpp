#include "roomctl/report/rooms_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "roomctl/report/json.hpp"
#include "roomctl/util/text.hpp"
#include "roomctl/util/url.hpp"

namespace roomctl::report {

using nlohmann::json;

json participant_count_json(const std::optional<std::uint32_t>& count) {
    return count ? json(*count) : json(nullptr);
}

std::string participant_count_text(const std::optional<std::uint32_t>& count, const char* unknown) {
    return count ? std::to_string(*count) : std::string(unknown);
}

json room_json(const media::ServerRoom& r) {
    return json{{"name", r.name},
                {"sid", r.sid},
                {"num_participants", participant_count_json(r.num_participants)},
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

json track_json(const media::Track& t) {
    return json{{"sid", t.sid},       {"name", t.name},           {"type", t.type},
                {"source", t.source}, {"mime_type", t.mime_type}, {"muted", t.muted}};
}

namespace {

json permission_json(const media::ParticipantPermission& m) {
    return json{{"can_subscribe", m.can_subscribe},
                {"can_publish", m.can_publish},
                {"can_publish_data", m.can_publish_data},
                {"can_publish_sources", m.can_publish_sources},
                {"hidden", m.hidden},
                {"can_update_metadata", m.can_update_metadata}};
}

// "2 (1 muted)", "0"; "-" where the provider lists no tracks (Twilio: no permission either).
std::string track_summary(const media::Participant& p) {
    if (!p.permission && p.tracks.empty()) return "-";
    const auto muted = std::count_if(p.tracks.begin(), p.tracks.end(),
                                     [](const media::Track& t) { return t.muted; });
    return muted ? fmt::format("{} ({} muted)", p.tracks.size(), muted)
                 : std::to_string(p.tracks.size());
}

// What the permission allows, briefly: "publish,subscribe,data"; "none" when nothing.
std::string permission_summary(const media::ParticipantPermission& m) {
    std::vector<std::string> can;
    if (m.can_publish) {
        can.push_back(m.can_publish_sources.empty()
                          ? "publish"
                          : fmt::format("publish({})", fmt::join(m.can_publish_sources, "|")));
    }
    if (m.can_subscribe) can.push_back("subscribe");
    if (m.can_publish_data) can.push_back("data");
    if (m.can_update_metadata) can.push_back("metadata");
    if (m.hidden) can.push_back("hidden");
    return can.empty() ? "none" : fmt::format("{}", fmt::join(can, ","));
}

std::string attributes_line(const std::map<std::string, std::string>& attributes) {
    std::vector<std::string> kv;
    for (const auto& [k, v] : attributes) kv.push_back(k + "=" + v);
    return fmt::format("{}", fmt::join(kv, " "));
}

std::string one_line(std::string_view v, std::size_t max) {
    return text::first_line(text::escape_controls(v), max);
}

}  // namespace

json participant_json(const media::Participant& p) {
    json tracks = json::array();
    for (const auto& t : p.tracks) tracks.push_back(track_json(t));
    return json{{"sid", p.sid},
                {"identity", p.identity},
                {"name", p.name},
                {"state", p.state},
                {"joined_at", p.joined_at ? json(iso8601(p.joined_at)) : json(nullptr)},
                {"kind", p.kind},
                {"metadata", p.metadata},
                {"attributes", p.attributes},
                {"permission", p.permission ? permission_json(*p.permission) : json(nullptr)},
                {"tracks", tracks}};
}

std::string render_rooms(const std::vector<media::ServerRoom>& rooms, const TextStyle& style) {
    if (rooms.empty() && style.quiet) return "";
    if (rooms.empty() && style.format == TableFormat::text) return "no rooms on the server\n";
    std::vector<std::vector<Cell>> rows;
    for (const auto& r : rooms) {
        rows.push_back({r.name, r.sid, participant_count_text(r.num_participants, "?"),
                        render_age(style, r.creation_time), fmt::format("{}s", r.empty_timeout)});
    }
    return render_table(style, {"name", "sid", "participants", "age", "empty timeout"}, rows);
}

std::string render_room(const media::ServerRoom& r, const TextStyle& style) {
    auto out = fmt::format(
        "name:              {}\nsid:               {}\nparticipants:      {}\nage:               "
        "{}\nempty timeout:     {}s\ndeparture timeout: {}s\nmax participants:  {}\n",
        r.name, r.sid, participant_count_text(r.num_participants),
        render_age(style, r.creation_time), r.empty_timeout, r.departure_timeout,
        r.max_participants ? std::to_string(r.max_participants) : "unlimited");
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

std::string render_participants(const std::vector<media::Participant>& ps, const TextStyle& style) {
    if (ps.empty() && style.quiet) return "";
    if (ps.empty() && style.format == TableFormat::text) return "no participants\n";
    std::vector<std::vector<Cell>> rows;
    for (const auto& p : ps) {
        rows.push_back({p.identity, p.sid, p.state, p.name, track_summary(p),
                        p.permission ? permission_summary(*p.permission) : "-",
                        one_line(attributes_line(p.attributes), 40), one_line(p.metadata, 40)});
    }
    return render_table(
        style, {"identity", "sid", "state", "name", "tracks", "may", "attributes", "metadata"},
        rows);
}

std::string render_participant(const media::Participant& p, const TextStyle& style) {
    auto out = fmt::format("identity:    {}\nsid:         {}\nstate:       {}\njoined:      {}\n",
                           p.identity, p.sid, p.state,
                           p.joined_at ? render_age(style, p.joined_at) + " ago" : "unknown");
    const auto line = [&out](const char* label, std::string_view value) {
        if (!value.empty()) out += fmt::format("{:<13}{}\n", label, one_line(value, 120));
    };
    line("name:", p.name);
    line("kind:", p.kind);
    line("metadata:", p.metadata);
    line("attributes:", attributes_line(p.attributes));
    if (p.permission) line("may:", permission_summary(*p.permission));
    if (!p.tracks.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : p.tracks)
            rows.push_back({t.sid, t.type, t.source, t.name, t.mime_type, t.muted ? "yes" : "no"});
        out += "tracks:\n" +
               render_table({"sid", "type", "source", "name", "mime type", "muted"}, rows);
    } else if (p.permission) {
        out += "tracks:      none\n";
    }
    return out;
}

}  // namespace roomctl::report
