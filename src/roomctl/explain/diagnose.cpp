#include "roomctl/explain/diagnose.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "roomctl/inspect/server_check.hpp"
#include "roomctl/reconcile/audit.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::explain {

namespace {

// Beyond this a clock difference matters: LiveKit allows 60 s of leeway on exp and nbf.
constexpr std::int64_t k_clock_leeway = 60;

std::string ago(std::int64_t seconds) {
    return format_duration(std::chrono::seconds{std::llabs(seconds)});
}

std::string room_gone_symptom(const Facts& f) {
    return f.provider == "twilio" ? "Room not found (Twilio 53106)"
                                  : "requested room does not exist";
}

class Explainer {
public:
    explicit Explainer(const Facts& f) : m_f(f) {}

    Explanation run() {
        if (!m_f.database_error.empty()) {
            add("database_unreadable",
                fmt::format("the database could not be read: {}", m_f.database_error),
                "roomctl check");
        }
        rows();
        token();
        clock();
        signal();
        if (m_f.server.identity_connected.value_or(false) && m_f.token) {
            m_out.warnings.push_back(
                inspect::duplicate_identity_warning(m_f.token->inspection.identity, m_f.room));
        }
        return std::move(m_out);
    }

private:
    void add(std::string code, std::string text, std::string fix = {}, std::string symptom = {}) {
        if (m_out.causes.empty()) {
            m_out.fix = std::move(fix);
            m_out.symptom = std::move(symptom);
        } else if (m_out.symptom.empty() && !symptom.empty()) {
            m_out.symptom = std::move(symptom);
        }
        m_out.causes.push_back({std::move(code), std::move(text)});
    }

    void rows() {
        const auto& req = m_f.request;
        const RowFacts* row = chosen_row(m_f);
        if (!row) {
            if (!m_f.database_error.empty() || (req.session.empty() && req.room.empty())) return;
            const auto what = !req.session.empty() ? fmt::format("session {}", req.session)
                                                   : fmt::format("room {}", req.room);
            add("no_row",
                fmt::format("no row of the room table belongs to {} (nor holds a name that {} "
                            "contains): the app's own look-up finds nothing either",
                            what, req.room.empty() ? "it" : req.room),
                "roomctl audit   # the rows roomctl sees, with their rooms", "Session not found");
            room_only();
            return;
        }
        if (row->match == RowMatch::embedded) naming_in_lookup(*row);
        std::size_t live = 0;
        for (const auto& r : m_f.rows) live += r.row.live ? 1 : 0;
        if (live > 1) {
            add("duplicate_rows",
                fmt::format("{} live rows name room {}: which session it belongs to is "
                            "ambiguous, and roomctl acts on none of them",
                            live, row->row.room),
                "roomctl audit   # duplicate_name lists both rows");
        }
        const auto& r = row->row;
        switch (r.liveness) {
            case store::Liveness::ended:
                add("session_ended",
                    fmt::format("the row's session ended ({} is {}): the app refuses the join "
                                "by design{}",
                                m_f.status_source, r.status.value_or("NULL"),
                                m_f.server.room ? "; its room still exists on the server" : ""),
                    m_f.server.room ? fmt::format("roomctl cleanup --apply   # deletes {}", r.room)
                                    : "");
                return;
            case store::Liveness::unclassified:
                add("unclassified_status",
                    fmt::format("the row's status {} is in neither live_statuses nor "
                                "ended_statuses: roomctl cannot tell whether the session is live",
                                r.status ? "\"" + *r.status + "\"" : "NULL"),
                    "add the word to [rooms] live_statuses or ended_statuses");
                return;
            case store::Liveness::live:
                break;
        }
        if (r.room.empty()) {
            add("no_room_name",
                "the row is live but has no room name: a column room_name_template reads is NULL",
                "fill the row's columns, or fix [rooms] room_name_template");
            return;
        }
        live_row(r);
    }

    // The app built the room name around the row's value and looked the row up by the room
    // name: seed 000's "Session not found".
    void naming_in_lookup(const RowFacts& row) {
        const auto& value = row.row.name;
        const auto tmpl =
            reconcile::template_matching(value, m_f.request.room).value_or(m_f.request.room);
        add("name_prefix",
            fmt::format("room {} is the row's value {} inside \"{}\": code that looks the row up "
                        "by the room name finds no row (\"Session not found\")",
                        m_f.request.room, value, tmpl),
            fmt::format(
                "look the row up by {} (strip what \"{}\" adds){}", value, tmpl,
                tmpl == m_f.room_template
                    ? ""
                    : fmt::format("; for roomctl: [rooms] room_name_template = \"{}\"", tmpl)),
            "Session not found");
    }

    void live_row(const store::DbRoom& r) {
        const auto& s = m_f.server;
        if (!s.error.empty()) {
            add("server_unreachable", fmt::format("the server could not be asked: {}", s.error),
                "roomctl check");
            return;
        }
        if (s.room) {
            if (r.sid && !r.sid->empty() && *r.sid != s.room->sid) {
                add("sid_drift",
                    fmt::format("the row records SID {} but room {} on the server is {}: the "
                                "room was recreated and the row not told",
                                *r.sid, r.room, s.room->sid),
                    fmt::format("roomctl recreate {} --apply   # records the server's SID",
                                r.room));
            }
            return;
        }
        const auto status = fmt::format("{} is {}", m_f.status_source, r.status.value_or("NULL"));
        if (s.sid_elsewhere) {
            const auto tmpl = reconcile::template_matching(r.name, s.sid_elsewhere->name);
            add("name_mismatch",
                fmt::format("the room the row records ({}) is alive as {}, not as {}: the app "
                            "names rooms another way than [rooms] room_name_template \"{}\"",
                            s.sid_elsewhere->sid, s.sid_elsewhere->name, r.room, m_f.room_template),
                tmpl ? fmt::format("[rooms] room_name_template = \"{}\"", *tmpl)
                     : "roomctl audit   # name_mismatch suggests the template",
                room_gone_symptom(m_f));
            return;
        }
        if (!s.similar.empty()) {
            const auto& other = s.similar.front();
            const auto tmpl = reconcile::template_matching(r.name, other.name);
            add("naming_differs",
                fmt::format("the server has no room {} but has {}: the same session named "
                            "another way (the app and the mapping disagree on the template)",
                            r.room, other.name),
                tmpl ? fmt::format("[rooms] room_name_template = \"{}\" (if {} is the app's "
                                   "naming)",
                                   *tmpl, other.name)
                     : "roomctl audit",
                room_gone_symptom(m_f));
            return;
        }
        std::string when;
        if (r.starts_at) {
            const auto until = *r.starts_at - m_f.now;
            when = until > 0 ? fmt::format("; the session starts in {}", ago(until))
                             : fmt::format("; the session started {} ago", ago(until));
        }
        if (r.sid && !r.sid->empty()) {
            add("room_closed",
                fmt::format("the row is live ({}) and records SID {}, but the server has no "
                            "room {}: it was created and has closed since, as {} closes a "
                            "room nobody joins within its empty timeout, and nothing told the "
                            "row{}",
                            status, *r.sid, r.room, m_f.provider == "twilio" ? "Twilio" : "LiveKit",
                            when),
                fmt::format("roomctl recreate {} --apply", r.room), room_gone_symptom(m_f));
        } else {
            add("never_created",
                fmt::format("the row is live ({}) but no room {} exists and no SID was ever "
                            "recorded: creating it failed or never happened{}",
                            status, r.room, when),
                fmt::format("roomctl recreate {} --apply", r.room), room_gone_symptom(m_f));
        }
        if (r.starts_at && *r.starts_at - m_f.now > 3600) {
            add("created_too_early",
                "a room made now closes long before the session starts: create rooms when "
                "they are due",
                "[rooms] starts_column, and roomctl recreate --apply --starting-within 15m from "
                "cron");
        }
    }

    // No row: what the server says about the room alone.
    void room_only() {
        const auto& s = m_f.server;
        if (!s.asked || !s.error.empty()) return;
        if (!s.room) {
            add("no_room", fmt::format("the server has no room {} either", m_f.room), "",
                room_gone_symptom(m_f));
        }
    }

    void token() {
        if (!m_f.token) return;
        const auto& t = *m_f.token;
        const auto& in = t.inspection;
        const std::string invalid = "invalid authorization token";
        for (const auto& d : in.diagnoses) {
            if (d.severity != token::Severity::error) continue;
            if (d.code == "bad_signature") {
                add("wrong_secret",
                    fmt::format("the token's signature does not match the API secret configured "
                                "for key {}: it was signed with another secret (another "
                                "environment's, or one rotated since)",
                                in.key),
                    "mint with the server's secret (the app's LIVEKIT_API_SECRET), or roomctl "
                    "token create",
                    invalid);
            } else if (d.code == "unknown_key") {
                add("unknown_key", d.message, "mint with the configured API key", invalid);
            } else if (d.code == "not_yet_valid") {
                clock_skew(in);
            } else if (d.code == "expired" || d.code == "no_exp") {
                add(d.code, d.message, "mint a new token (roomctl token create)", invalid);
            } else if (d.code == "room_mismatch") {
                add("token_other_room",
                    fmt::format("the token is for room {}, not {}: the server lets it join only "
                                "its own room",
                                t.room.empty() ? "(none)" : t.room, m_f.room),
                    fmt::format("mint the token for room {}", m_f.room), invalid);
            } else {
                add(d.code, d.message);
            }
        }
    }

    // nbf in the future: by this machine's clock, or by the server's when it is known.
    void clock_skew(const inspect::Inspection& in) {
        const auto nbf = in.not_before.value_or(0);
        const auto offset = m_f.server.clock_offset.value_or(0);
        const auto server_now = m_f.now + offset;
        add("clock_skew",
            fmt::format("the token is not valid for another {} by the server's clock: the "
                        "machine that minted it runs ahead of the server's clock",
                        ago(nbf - server_now)),
            "sync the minting machine's clock (NTP), or mint with a not-before in the past",
            "invalid authorization token");
    }

    void clock() {
        const auto& offset = m_f.server.clock_offset;
        if (!offset || std::llabs(*offset) <= k_clock_leeway) return;
        add("clock_offset",
            fmt::format("this machine's clock is {} {} the server's: tokens minted here are "
                        "judged by the server's clock",
                        ago(*offset), *offset > 0 ? "behind" : "ahead of"),
            "sync this machine's clock (NTP)");
    }

    // The WebSocket join after /rtc/validate: what livekit-client reports as "could not
    // establish signal connection" (close code 1006 when the upgrade never completes).
    void signal() {
        const auto& sig = m_f.signal;
        if (sig.state != SignalState::failed) return;
        const std::string symptom = "could not establish signal connection";
        if (sig.proxy_headers) {
            add("signal_proxy_headers",
                fmt::format("the WebSocket join to /rtc fails: {}", sig.message),
                "pass the WebSocket headers in the proxy in front of LiveKit (nginx: "
                "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
                "proxy_set_header Connection \"upgrade\"), then roomctl check --only server",
                symptom);
            return;
        }
        add("signal_failed", fmt::format("the WebSocket join to /rtc fails: {}", sig.message),
            fmt::format("fix what the probe names, then roomctl check --only server --room {}",
                        m_f.room),
            symptom);
    }

    const Facts& m_f;
    Explanation m_out;
};

}  // namespace

std::string_view to_string(RowMatch m) {
    switch (m) {
        case RowMatch::session:
            return "session";
        case RowMatch::room:
            return "room";
        case RowMatch::embedded:
            return "embedded";
        case RowMatch::token_room:
            return "token_room";
    }
    return "";
}

std::string_view to_string(SignalState s) {
    switch (s) {
        case SignalState::skipped:
            return "skipped";
        case SignalState::ok:
            return "ok";
        case SignalState::failed:
            return "failed";
    }
    return "";
}

const RowFacts* chosen_row(const Facts& facts) {
    for (const auto& r : facts.rows) {
        if (r.row.live) return &r;
    }
    return facts.rows.empty() ? nullptr : &facts.rows.front();
}

Explanation explain(const Facts& facts) { return Explainer(facts).run(); }

}  // namespace roomctl::explain
