#include "roomctl/check/database_probes.hpp"

#include <fmt/format.h>

#include <functional>

#include "roomctl/io/module.hpp"
#include "roomctl/store/room_store.hpp"
#include "roomctl/util/redact.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::check {

namespace {

std::string quoted_status(const std::optional<std::string>& status) {
    if (!status) return "NULL";
    std::string v = *status;
    if (v.size() > 40) v = v.substr(0, 40) + "...";
    return "\"" + v + "\"";
}

// The characters a SID column must hold for `provider`: Twilio SIDs are "RM" + 32 hex (34);
// LiveKit's are "RM_" + 12 base62 (15). A column that holds today's SIDs passes: failing
// check for a column that works would teach operators to ignore it. The writes themselves
// never truncate (a longer SID is an error), so a future longer ID cannot go unnoticed.
std::size_t sid_chars_needed(config::Provider provider) {
    return provider == config::Provider::twilio ? 34 : 15;
}

std::string sid_length_note(config::Provider provider) {
    return provider == config::Provider::twilio ? "34 characters (RM + 32 hex digits)"
                                                : "15 characters (RM_ + 12 base62 characters)";
}

class DatabaseRunner {
public:
    DatabaseRunner(const config::Settings& s, std::vector<Probe>& out) : m_s(s), m_out(out) {}

    void run() {
        if (m_s.database_url.empty()) {
            auto& p = add("database.connect", "");
            p.status = ProbeStatus::failed;
            p.message =
                "no database configured: set ROOMCTL_DATABASE_URL or DATABASE_URL, or "
                "[database] url in the config file";
            skip_rest({"database.mapping", "database.rls", "database.session"}, "",
                      "skipped: no database");
            return;
        }
        m_target = redact_database_url(m_s.database_url);
        if (!timed("database.connect", [&](Probe& p) {
                p.message = "connected: " + io::probe_database(m_s.database_url);
                p.status = ProbeStatus::ok;
            })) {
            skip_rest({"database.mapping", "database.rls", "database.session"}, m_target,
                      "skipped: database unreachable");
            return;
        }
        std::unique_ptr<store::RoomStore> store;
        timed("database.mapping", [&](Probe& p) {
            store =
                io::connect_room_store(m_s.database_url, m_s.rooms, store::store_options_of(m_s));
            mapping(*store, p);
        });
        // Unknown status words fail the mapping probe, but the table is there to ask about.
        if (!store || !m_table_found) {
            skip_rest({"database.rls", "database.session"}, m_target,
                      "skipped: the room table mapping is not usable");
            return;
        }
        timed("database.rls", [&](Probe& p) { rls(*store, p); });
        timed("database.session", [&](Probe& p) { session(*store, p); });
    }

private:
    Probe& add(const std::string& name, const std::string& target) {
        m_out.push_back({name, target, ProbeStatus::skipped, "", {}});
        return m_out.back();
    }

    void skip_rest(const std::vector<std::string>& names, const std::string& target,
                   const std::string& why) {
        for (const auto& n : names) add(n, target).message = why;
    }

    // Runs `body` as probe `name`; an exception is a failed probe. True when it passed. The
    // probe is addressed by index: `m_out` may grow while the body runs.
    bool timed(const std::string& name, const std::function<void(Probe&)>& body) {
        add(name, m_target);
        const std::size_t i = m_out.size() - 1;
        const auto start = std::chrono::steady_clock::now();
        try {
            body(m_out[i]);
        } catch (const std::exception& e) {
            m_out[i].status = ProbeStatus::failed;
            // Long enough for roomctl's sentences and a list of status words.
            m_out[i].message = text::first_line(e.what(), 600);
        }
        m_out[i].duration = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        return m_out[i].status == ProbeStatus::ok;
    }

    void mapping(store::RoomStore& store, Probe& p) {
        const auto result = store.check_mapping();
        const auto& m = m_s.rooms;
        if (!result.ok) {
            p.status = ProbeStatus::failed;
            p.message = result.problem;
            return;
        }
        m_table_found = true;
        std::vector<std::string> unknown;
        std::int64_t live = 0, ended = 0;
        bool null_status = false;
        for (const auto& c : store.status_counts()) {
            switch (c.liveness) {
                case store::Liveness::live:
                    live += c.rows;
                    break;
                case store::Liveness::ended:
                    ended += c.rows;
                    break;
                case store::Liveness::unclassified:
                    null_status = null_status || !c.status;
                    unknown.push_back(fmt::format("{} ({} row{})", quoted_status(c.status), c.rows,
                                                  c.rows == 1 ? "" : "s"));
                    break;
            }
        }
        if (!unknown.empty() && !m.live_when.empty()) {
            p.status = ProbeStatus::failed;
            p.message = fmt::format(
                "table {}: [rooms] live_when is neither true nor false for {}; make it decide "
                "every row (e.g. coalesce(..., false)) (until then --apply runs refuse)",
                result.qualified_table, fmt::join(unknown, ", "));
            return;
        }
        if (!unknown.empty()) {
            p.status = ProbeStatus::failed;
            p.message = fmt::format(
                "table {}: {} status value(s) of column {} are in neither live_statuses nor "
                "ended_statuses: {}; add each to [rooms] live_statuses or ended_statuses "
                "(until then --apply runs refuse)",
                result.qualified_table, unknown.size(), config::status_source(m),
                fmt::join(unknown, ", "));
            // With a session table, NULL also means "no session row this role can see".
            if (null_status && !m.session_table.empty())
                p.message += fmt::format(
                    "; NULL: no single {} row whose {} matches the row's {} (missing, "
                    "duplicated, or hidden by row-level security)",
                    m.session_table, m.session_table_key, m.session_key_column());
            return;
        }
        // The SID column must hold the provider's SIDs whole: writes refuse a longer SID
        // rather than truncate it, so a short column fails every create.
        const auto column = store.sid_column();
        const std::size_t needed = sid_chars_needed(m_s.provider);
        if (m.records_sids() && column.max_chars &&
            static_cast<std::size_t>(*column.max_chars) < needed) {
            p.status = ProbeStatus::failed;
            p.message = fmt::format(
                "table {}: column {} is {}, too short for {} SIDs ({}); widen it (ALTER TABLE {} "
                "ALTER COLUMN {} TYPE text) or every create will fail",
                result.qualified_table, m.sid_column, column.type, config::to_string(m_s.provider),
                sid_length_note(m_s.provider), result.qualified_table, m.sid_column);
            return;
        }
        p.status = ProbeStatus::ok;
        p.message = fmt::format(
            "table {}: names from {}, liveness from {}; {} live and {} ended "
            "row(s); {}",
            result.qualified_table, m.room_name_template, config::status_source(m), live, ended,
            m.records_sids() ? fmt::format("SIDs in column {}", m.sid_column)
                             : std::string("no sid_column: rooms are matched by name only"));
    }

    void rls(store::RoomStore& store, Probe& p) {
        // The explanation names the role, the policies, and the rows seen against the
        // catalog's estimate.
        const auto v = store.row_visibility();
        p.message = v.explanation;
        if (v.applies && !v.sees_all_rows) {
            p.status = ProbeStatus::failed;
            if (!v.fix.empty()) p.message += "; " + v.fix;
            return;
        }
        p.status = ProbeStatus::ok;
    }

    void session(store::RoomStore& store, Probe& p) {
        const auto s = store.session_check();
        if (s.shared_session) {
            p.status = ProbeStatus::ok;
            p.message = "statements share one server session: " + s.evidence;
            return;
        }
        p.status = ProbeStatus::failed;
        p.message = fmt::format(
            "statements do not share one server session ({}); this is a transaction-mode "
            "pooler; read-only commands work, but recreate/cleanup --apply are refused: use a "
            "session-mode or direct connection URL (Supabase: port 5432, not 6543)",
            s.evidence);
    }

    const config::Settings& m_s;
    std::vector<Probe>& m_out;
    std::string m_target;
    bool m_table_found = false;  // the mapping's table and columns exist
};

}  // namespace

void run_database_probes(const config::Settings& settings, std::vector<Probe>& out) {
    DatabaseRunner(settings, out).run();
}

}  // namespace roomctl::check
