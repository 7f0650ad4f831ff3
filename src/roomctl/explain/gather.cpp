#include "roomctl/explain/gather.hpp"

#include <algorithm>

#include "roomctl/inspect/server_check.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::explain {

namespace {

// Shorter values are found inside too many unrelated room names to mean anything.
constexpr std::size_t k_min_embedded = 3;

bool embeds(const std::string& outer, const std::string& value) {
    return value.size() >= k_min_embedded && outer.size() > value.size() &&
           outer.find(value) != std::string::npos;
}

std::string token_room(const inspect::Inspection& in) {
    if (in.video) return in.video->room;
    const auto& g = in.grants;
    if (g.is_object() && g.contains("video") && g["video"].is_object() &&
        g["video"].contains("room") && g["video"]["room"].is_string()) {
        return g["video"]["room"].get<std::string>();
    }
    return "";
}

bool has_error(const inspect::Inspection& in) {
    for (const auto& d : in.diagnoses) {
        if (d.severity == token::Severity::error) return true;
    }
    return false;
}

void rethrow_interrupt(const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw e;
}

void find_rows(Facts& f, const Request& req, const std::string& token_room_name,
               store::RoomStore& store) {
    std::vector<store::DbRoom> all;
    try {
        if (!req.session.empty()) {
            for (auto& r : store.find_session(req.session)) {
                f.rows.push_back({std::move(r), RowMatch::session});
            }
            return;
        }
        all = store.load_rooms();
    } catch (const Error& e) {
        rethrow_interrupt(e);
        f.database_error = e.what();
        return;
    }
    const auto& room = !req.room.empty() ? req.room : token_room_name;
    if (room.empty()) return;
    const auto match = !req.room.empty() ? RowMatch::room : RowMatch::token_room;
    for (const auto& r : all) {
        if (r.room == room) f.rows.push_back({r, match});
    }
    if (!f.rows.empty() || req.room.empty()) return;
    for (const auto& r : all) {
        if (embeds(req.room, r.name)) f.rows.push_back({r, RowMatch::embedded});
    }
}

void ask_server(Facts& f, media::MediaServer& server, const std::string& identity) {
    auto& s = f.server;
    s.asked = true;
    const RowFacts* row = nullptr;
    for (const auto& r : f.rows) {
        if (r.row.live) {
            row = &r;
            break;
        }
    }
    if (!row && !f.rows.empty()) row = &f.rows.front();
    try {
        const auto rooms = server.list_rooms();
        s.clock_offset = server.clock_offset();
        for (const auto& r : rooms) {
            if (r.name == f.room) s.room = r;
        }
        if (row) {
            const auto& sid = row->row.sid;
            for (const auto& r : rooms) {
                if (sid && !sid->empty() && r.sid == *sid && r.name != f.room) s.sid_elsewhere = r;
                if (r.name != f.room && embeds(r.name, row->row.name)) s.similar.push_back(r);
            }
        }
        if (s.room) {
            std::optional<std::vector<media::Participant>> people;
            // An unknown count (Twilio lists none) is read; so is a room that may hold the
            // token's identity.
            if (!s.room->num_participants ||
                (!identity.empty() && media::may_have_participants(s.room->num_participants))) {
                people = server.list_participants(s.room->name);
            }
            s.participants =
                people ? static_cast<std::uint32_t>(people->size()) : s.room->num_participants;
            if (!identity.empty()) {
                s.identity_connected = people && inspect::identity_connected(*people, identity);
            }
        }
    } catch (const Error& e) {
        rethrow_interrupt(e);
        s.error = e.what();
    }
}

// The WebSocket join only when nothing before it already stops the join: its answer is then
// the next thing a client meets, not noise beside a known cause.
void probe_signal(Facts& f, const Sources& sources) {
    auto& sig = f.signal;
    const auto& s = f.server;
    if (f.provider != "livekit") {
        sig.reason = "Twilio has no /rtc signalling to probe";
    } else if (!sources.signal) {
        sig.reason = "--no-signal";
    } else if (!s.asked || !s.error.empty()) {
        sig.reason = "the server could not be asked";
    } else if (!s.room) {
        sig.reason = "the room does not exist on the server";
    } else if (f.token && has_error(f.token->inspection)) {
        sig.reason = "the token already explains the failure";
    } else {
        sig = sources.signal(s.room->name);
    }
}

}  // namespace

inspect::InspectOptions inspect_options(const config::Settings& s, std::int64_t now) {
    inspect::InspectOptions o;
    o.livekit = {s.livekit.api_key, s.livekit.api_secret};
    o.twilio = {s.twilio.api_key, s.twilio.api_secret};
    o.twilio_account_sid = s.twilio.account_sid;
    o.configured_provider = s.provider == config::Provider::twilio
                                ? inspect::TokenProvider::twilio
                                : inspect::TokenProvider::livekit;
    o.now = std::chrono::system_clock::time_point{std::chrono::seconds{now}};
    return o;
}

Facts gather(const config::Settings& settings, const Request& request, const std::string& jwt,
             const Sources& sources) {
    Facts f;
    f.request = request;
    f.request.token = !jwt.empty();
    f.provider = config::to_string(settings.provider);
    f.room_template = settings.rooms.room_name_template;
    f.status_source = config::status_source(settings.rooms);
    f.now = sources.now;
    f.database_error = sources.store_error;
    if (!sources.server_error.empty()) {
        f.server.asked = true;
        f.server.error = sources.server_error;
    }

    // The token first, without a room: it may be what names the room.
    std::string named_by_token, identity;
    if (!jwt.empty()) {
        const auto first = inspect::inspect_token(jwt, inspect_options(settings, f.now));
        named_by_token = token_room(first);
        identity = first.identity;
    }

    if (sources.store) find_rows(f, request, named_by_token, *sources.store);
    const RowFacts* row = nullptr;
    for (const auto& r : f.rows) {
        if (!row || (r.row.live && !row->row.live)) row = &r;
    }
    f.room = row && row->match != RowMatch::embedded && !row->row.room.empty() ? row->row.room
             : !request.room.empty()                                           ? request.room
                                                                               : named_by_token;
    if (sources.server && (!f.room.empty() || row)) ask_server(f, *sources.server, identity);

    if (!jwt.empty()) {
        auto o = inspect_options(settings, f.now);
        o.purpose = inspect::Purpose::join;
        if (!f.room.empty() && !named_by_token.empty()) o.room = f.room;
        TokenFacts t;
        t.inspection = inspect::inspect_token(jwt, o);
        t.room = named_by_token;
        f.token = std::move(t);
    }
    probe_signal(f, sources);
    return f;
}

}  // namespace roomctl::explain
