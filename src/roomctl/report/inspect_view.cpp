#include "roomctl/report/inspect_view.hpp"

#include <fmt/format.h>

#include "roomctl/report/json.hpp"
#include "roomctl/util/duration.hpp"

namespace roomctl::report {

namespace {

using nlohmann::json;

std::string signature_word(const inspect::Inspection& r) {
    if (!r.signature_valid) return "not_checked";
    return *r.signature_valid ? "valid" : "invalid";
}

json time_json(const std::optional<std::int64_t>& t) {
    return t ? json(iso8601(*t)) : json(nullptr);
}

json diagnoses_json(const inspect::Inspection& r) {
    json list = json::array();
    for (const auto& d : r.diagnoses) {
        list.push_back({{"code", d.code},
                        {"severity", inspect::to_string(d.severity)},
                        {"message", d.message}});
    }
    return list;
}

json server_json(const inspect::ServerCheck& c, bool refused) {
    return {{"status", c.status},
            {"body", c.body},
            {"authenticated", c.authenticated},
            {"joinable", c.joinable},
            {"refused", refused},
            {"message", c.message},
            {"server_message", c.server_message.empty() ? json(nullptr) : json(c.server_message)}};
}

std::string relative(std::int64_t t, std::int64_t now) {
    const auto d = format_duration(std::chrono::seconds{t > now ? t - now : now - t});
    return t > now ? "in " + d : d + " ago";
}

std::string time_line(const char* label, const std::optional<std::int64_t>& t, std::int64_t now,
                      const char* absent) {
    if (!t) return fmt::format("{:<12}{}\n", label, absent);
    return fmt::format("{:<12}{} ({})\n", label, iso8601(*t), relative(*t, now));
}

// Continuation lines of a multi-line value line up under the value column.
std::string indented(const std::string& text) {
    std::string out;
    for (const char c : text) {
        out += c;
        if (c == '\n') out += std::string(12, ' ');
    }
    return out;
}

std::string verdict_line(const inspect::Inspection& r, const inspect::InspectOptions& o) {
    std::size_t errors = 0, warnings = 0;
    for (const auto& d : r.diagnoses)
        (d.severity == inspect::Severity::error ? errors : warnings)++;
    std::string what = o.purpose ? " for " + inspect::to_string(*o.purpose) : std::string{};
    if (!o.room.empty()) what += fmt::format(" in room \"{}\"", o.room);
    const auto count = [](std::size_t n, const char* noun) {
        return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
    };
    if (errors > 0) return fmt::format("verdict: NOT valid{}: {}\n", what, count(errors, "error"));
    std::string notes = warnings ? ", " + count(warnings, "warning") : std::string{};
    if (!o.purpose) notes += "; pass --for join|admin|list|create to check its grants";
    return fmt::format("verdict: valid{}{}\n", what, notes);
}

}  // namespace

nlohmann::json inspect_json(const inspect::Inspection& r, const inspect::InspectOptions& o,
                            const std::optional<inspect::ServerCheck>& server, bool refused) {
    auto doc = envelope("token inspect");
    doc["provider"] = inspect::to_string(r.provider);
    doc["header"] = r.header;
    doc["claims"] = r.claims;
    doc["grants"] = r.grants;
    doc["identity"] = r.identity;
    doc["signature"] = signature_word(r);
    doc["purpose"] = o.purpose ? json(inspect::to_string(*o.purpose)) : json(nullptr);
    doc["not_before"] = time_json(r.not_before);
    doc["expires_at"] = time_json(r.expires_at);
    doc["valid"] = r.valid();
    doc["diagnoses"] = diagnoses_json(r);
    if (server) doc["server"] = server_json(*server, refused);
    return doc;
}

std::string render_inspect(const inspect::Inspection& r, const inspect::InspectOptions& o,
                           const std::optional<inspect::ServerCheck>& server, std::int64_t now) {
    const auto dump = [](const json& j, int indent) {
        return j.dump(indent, ' ', false, json::error_handler_t::replace);
    };
    std::string out;
    out += fmt::format("{:<12}{}\n", "provider", inspect::to_string(r.provider));
    out += fmt::format("{:<12}{}\n", "header", dump(r.header, -1));
    out += fmt::format("{:<12}{}\n", "claims", indented(dump(r.claims, 2)));
    out += fmt::format("{:<12}{}\n", "grants", r.grants.is_null() ? "(none)" : dump(r.grants, -1));
    out += fmt::format("{:<12}{}\n", "identity", r.identity.empty() ? "(none)" : r.identity);
    std::string sig = signature_word(r);
    if (sig == "not_checked") sig = "not checked";
    if (!r.key.empty()) sig += " (key " + r.key + ")";
    out += fmt::format("{:<12}{}\n", "signature", sig);
    out += time_line("valid from", r.not_before, now, "(no nbf)");
    out += time_line("valid until", r.expires_at, now, "(no exp: never expires)");
    if (server)
        out += fmt::format("{:<12}HTTP {}: {}\n", "server", server->status, server->message);
    for (const auto& d : r.diagnoses) {
        out += fmt::format("{}: {}\n", inspect::to_string(d.severity), d.message);
    }
    out += verdict_line(r, o);
    return out;
}

}  // namespace roomctl::report
