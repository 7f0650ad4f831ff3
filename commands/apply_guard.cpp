#include "apply_guard.hpp"

#include <fmt/format.h>

#include "roomctl/io/module.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::cli {

namespace {

std::string server_endpoint(Context& ctx) {
    const auto& s = ctx.settings();
    const std::string base =
        s.provider == config::Provider::twilio ? s.twilio.base_url : config::api_url(s.livekit);
    return io::endpoint_of(base);
}

void add_rls_facts(store::RoomStore& store, reconcile::DatabaseFacts& facts) {
    const auto v = store.row_visibility();
    facts.rls_applies = v.applies;
    facts.rls_sees_all = v.sees_all_rows;
    facts.rls_explanation = v.explanation;
}

}  // namespace

ApplyGuard::ApplyGuard(Context& ctx, store::RoomStore& store, media::MediaServer& server)
    : m_store(store) {
    (void)server;
    // Where this run acts, read from the live connection (not from the settings): said before
    // it touches anything, so a wrong profile or URL is caught by a reader of the log.
    const auto target = store.target();
    const std::string endpoint = server_endpoint(ctx);
    m_targets = {{"provider", config::to_string(ctx.settings().provider)},
                 {"server", endpoint},
                 {"database",
                  {{"host", target.host},
                   {"port", target.port},
                   {"name", target.database},
                   {"user", target.user}}},
                 {"table", target.table}};
    m_summary = fmt::format("{} server {}, database {} on {}{} as {}, table {}",
                            config::to_string(ctx.settings().provider), endpoint, target.database,
                            target.host, target.port.empty() ? "" : ":" + target.port, target.user,
                            target.table);

    // A transaction-mode pooler hands each transaction another server session: a session
    // lock taken there stays behind on a pooled connection. Never take it then; the safety
    // gate refuses the run with this evidence.
    const auto session = store.session_check();
    m_facts.shared_session = session.shared_session;
    m_facts.session_evidence = session.evidence;
    m_facts.settings_conflict = ctx.settings().database_url_conflict;
    if (!session.shared_session) return;

    if (!store.try_table_lock()) {
        std::string holder;
        try {
            if (auto h = store.table_lock_holder()) {
                std::vector<std::string> parts;
                if (h->pid) parts.push_back(fmt::format("pid {}", h->pid));
                if (!h->client.empty()) parts.push_back("on " + h->client);
                if (!h->application.empty()) parts.push_back("application " + h->application);
                if (!h->since.empty()) parts.push_back("since " + h->since);
                holder = parts.empty() ? "" : fmt::format(" ({})", fmt::join(parts, ", "));
            }
        } catch (const Error&) {
            // Who holds it is a courtesy; the refusal stands without it.
        }
        throw locked_error(fmt::format(
            "another roomctl run{} holds the lock for table {}; nothing was changed, try "
            "again when it has finished",
            holder, target.table));
    }
    m_locked = true;
    add_rls_facts(store, m_facts);
}

ApplyGuard::~ApplyGuard() {
    if (m_locked) m_store.release_locks();
}

reconcile::DatabaseFacts read_only_facts(Context& ctx, store::RoomStore& store) {
    reconcile::DatabaseFacts facts;
    facts.settings_conflict = ctx.settings().database_url_conflict;
    add_rls_facts(store, facts);
    return facts;
}

}  // namespace roomctl::cli
