#include "roomctl/report/explain_view.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "roomctl/report/color.hpp"
#include "roomctl/report/json.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "roomctl/util/duration.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::report {

namespace {

using nlohmann::json;

std::string liveness_word(store::Liveness l) {
    switch (l) {
        case store::Liveness::live:
            return "live";
        case store::Liveness::ended:
            return "ended";
        case store::Liveness::unclassified:
            return "unclassified";
    }
    return "";
}

json row_json(const explain::RowFacts& r) {
    json j{{"name", r.row.name},
           {"room", r.row.room},
           {"sid", string_or_null(r.row.sid)},
           {"status", string_or_null(r.row.status)},
           {"liveness", liveness_word(r.row.liveness)},
           {"found_by", std::string(explain::to_string(r.match))}};
    j["starts_at"] = r.row.starts_at ? json(iso8601(*r.row.starts_at)) : json(nullptr);
    return j;
}

std::string in_or_ago(std::int64_t seconds) {
    const auto d = format_duration(std::chrono::seconds{std::llabs(seconds)});
    return seconds >= 0 ? "in " + d : d + " ago";
}

std::string row_line(const explain::Facts& f, const explain::RowFacts& r) {
    std::string line =
        fmt::format("{} ({} is {}: {})", text::escape_controls(r.row.name), f.status_source,
                    r.row.status.value_or("NULL"), liveness_word(r.row.liveness));
    line += r.row.sid && !r.row.sid->empty() ? ", SID " + *r.row.sid : ", no SID recorded";
    if (r.row.starts_at) line += ", starts " + in_or_ago(*r.row.starts_at - f.now);
    if (r.match == explain::RowMatch::embedded) line += ", found inside the room's name";
    if (r.match == explain::RowMatch::session) line += ", found by its session";
    return line;
}

std::string room_line(const explain::Facts& f) {
    const auto& s = f.server;
    if (f.room.empty()) return "no room to ask about";
    if (!s.asked) return fmt::format("{} (the server was not asked)", f.room);
    if (!s.error.empty()) return fmt::format("{}: the server could not be asked", f.room);
    if (!s.room) return fmt::format("{} does not exist on the {} server", f.room, f.provider);
    const auto& r = *s.room;
    std::string line = fmt::format("{} exists, SID {}", r.name, r.sid);
    if (r.creation_time) line += ", created " + in_or_ago(r.creation_time - f.now);
    if (r.empty_timeout) {
        line += ", empty timeout " + format_duration(std::chrono::seconds{r.empty_timeout});
    }
    line += s.participants ? fmt::format(", {} participant(s)", *s.participants)
                           : std::string(", participants unknown");
    return line;
}

std::string token_line(const explain::TokenFacts& t, std::int64_t now) {
    const auto& in = t.inspection;
    std::string line = fmt::format("key {}", in.key.empty() ? "?" : in.key);
    if (!in.identity.empty()) line += ", identity " + text::escape_controls(in.identity);
    line += t.room.empty() ? ", no room" : ", room " + text::escape_controls(t.room);
    line += !in.signature_valid   ? ", signature not checked"
            : *in.signature_valid ? ", signature ok"
                                  : ", signature WRONG";
    if (in.expires_at) line += ", expires " + in_or_ago(*in.expires_at - now);
    if (in.not_before && *in.not_before > now) line += ", valid " + in_or_ago(*in.not_before - now);
    line += in.valid() ? " (valid for joining)" : " (not valid for joining)";
    return line;
}

}  // namespace

json explain_json(const explain::Facts& f, const explain::Explanation& why) {
    json doc = envelope("explain");
    doc["request"] = {
        {"session", f.request.session.empty() ? json(nullptr) : json(f.request.session)},
        {"room", f.request.room.empty() ? json(nullptr) : json(f.request.room)},
        {"token", f.request.token}};
    json rows = json::array();
    for (const auto& r : f.rows) rows.push_back(row_json(r));
    doc["rows"] = rows;
    doc["database_error"] = f.database_error.empty() ? json(nullptr) : json(f.database_error);
    const auto& s = f.server;
    doc["room"] = {
        {"name", f.room.empty() ? json(nullptr) : json(f.room)},
        {"asked", s.asked},
        {"error", s.error.empty() ? json(nullptr) : json(s.error)},
        {"exists", s.room.has_value()},
        {"server_room", s.room ? room_json(*s.room) : json(nullptr)},
        {"participants", s.participants ? json(*s.participants) : json(nullptr)},
        {"sid_elsewhere", s.sid_elsewhere ? room_json(*s.sid_elsewhere) : json(nullptr)}};
    json similar = json::array();
    for (const auto& r : s.similar) similar.push_back(r.name);
    doc["room"]["similar"] = similar;
    doc["room_name_template"] = f.room_template;
    if (f.token) {
        const auto& in = f.token->inspection;
        json diagnoses = json::array();
        for (const auto& d : in.diagnoses) {
            diagnoses.push_back({{"code", d.code},
                                 {"severity", std::string(token::to_string(d.severity))},
                                 {"message", d.message}});
        }
        doc["token"] = {
            {"valid", in.valid()},
            {"key", in.key},
            {"identity", in.identity},
            {"room", f.token->room},
            {"signature_valid", in.signature_valid ? json(*in.signature_valid) : json(nullptr)},
            {"expires_at", in.expires_at ? json(iso8601(*in.expires_at)) : json(nullptr)},
            {"not_before", in.not_before ? json(iso8601(*in.not_before)) : json(nullptr)},
            {"diagnoses", diagnoses}};
    } else {
        doc["token"] = nullptr;
    }
    const auto& sig = f.signal;
    doc["signal"] = {{"state", std::string(explain::to_string(sig.state))},
                     {"reason", sig.reason.empty() ? json(nullptr) : json(sig.reason)},
                     {"message", sig.message.empty() ? json(nullptr) : json(sig.message)},
                     {"step", sig.step.empty() ? json(nullptr) : json(sig.step)}};
    doc["clock_offset_seconds"] = s.clock_offset ? json(*s.clock_offset) : json(nullptr);
    json causes = json::array();
    for (const auto& c : why.causes) causes.push_back({{"code", c.code}, {"text", c.text}});
    doc["causes"] = causes;
    doc["symptom"] = why.symptom.empty() ? json(nullptr) : json(why.symptom);
    doc["fix"] = why.fix.empty() ? json(nullptr) : json(why.fix);
    doc["ok"] = why.ok();
    doc["warnings"] = why.warnings;
    doc["room"]["identity_connected"] =
        s.identity_connected ? json(*s.identity_connected) : json(nullptr);
    return doc;
}

std::string render_explain(const explain::Facts& f, const explain::Explanation& why,
                           const TextStyle& style) {
    std::string out;
    auto fact = [&](std::string_view label, const std::string& value) {
        out += fmt::format("{:<8}  {}\n", label, value);
    };
    if (!f.request.session.empty()) fact("session", text::escape_controls(f.request.session));
    if (!f.database_error.empty()) fact("row", "the database could not be read");
    if (f.rows.empty() && f.database_error.empty() &&
        (!f.request.session.empty() || !f.request.room.empty())) {
        fact("row", "no row found");
    }
    for (const auto& r : f.rows) fact("row", row_line(f, r));
    fact("room", room_line(f));
    const auto* row = explain::chosen_row(f);
    if (row && !row->row.room.empty() && row->row.room != row->row.name) {
        fact("naming", fmt::format("room {} is room_name_template \"{}\" applied to the row",
                                   row->row.room, f.room_template));
    }
    if (f.token) {
        fact("token", token_line(*f.token, f.now));
        // Valid but dangerous: said beside the facts, not counted among the causes.
        for (const auto& d : f.token->inspection.diagnoses) {
            if (d.severity == token::Severity::warning) fact("", "warning: " + d.message);
        }
    }
    if (f.server.clock_offset) {
        const auto o = *f.server.clock_offset;
        fact("clock", o == 0 ? "this machine and the server agree"
                             : fmt::format("the server's clock is {}s {}", std::llabs(o),
                                           o > 0 ? "ahead" : "behind"));
    }
    switch (f.signal.state) {
        case explain::SignalState::ok:
            fact("signal", "the WebSocket join to /rtc works: " + f.signal.message);
            break;
        case explain::SignalState::failed:
            fact("signal", fmt::format("the WebSocket join to /rtc FAILS at the {} step (see "
                                       "below)",
                                       f.signal.step));
            break;
        case explain::SignalState::skipped:
            if (f.signal.reason == "--no-signal") fact("signal", "not probed (--no-signal)");
            break;
    }
    for (const auto& w : why.warnings) out += paint(style.color, "33", "warning: " + w) + "\n";
    out += "\n";
    if (why.ok()) {
        out += "Nothing in the way: ";
        out += f.token ? "the row is live, the room exists and the token is valid for it.\n"
                       : "the row is live and its room exists.\n";
        return out;
    }
    out += paint(style.color, "1", "Why the join fails") +
           (why.symptom.empty() ? "" : fmt::format(" (\"{}\")", why.symptom)) + ":\n";
    for (std::size_t i = 0; i < why.causes.size(); ++i) {
        out += fmt::format("  {}. {}\n", i + 1, why.causes[i].text);
    }
    if (!why.fix.empty()) out += "\nFix: " + why.fix + "\n";
    return out;
}

}  // namespace roomctl::report
