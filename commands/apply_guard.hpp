#pragma once
// What an --apply run of recreate or cleanup does before it may act ("never harm"):
// name its targets, make sure its statements share one server session (a transaction-mode
// pooler would leak the run lock), take the run lock on the table, and gather the facts the
// safety gate (reconcile/safety.hpp) judges: row-level security and settings that point
// somewhere the operator did not choose. The lock is released when the guard goes away.

#include <memory>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "roomctl/reconcile/safety.hpp"

namespace roomctl::cli {

class ApplyGuard {
public:
    // Reads the targets from the live connection, checks that the store's statements share
    // one server session, and only then takes the table's run lock (Error locked naming the
    // holder) and reads the row-level security facts. Behind a transaction-mode pooler no lock
    // is taken and facts().shared_session is false, so the safety gate refuses the run.
    // `store` and `server` must be connected.
    ApplyGuard(Context& ctx, store::RoomStore& store, media::MediaServer& server);
    ~ApplyGuard();
    ApplyGuard(const ApplyGuard&) = delete;
    ApplyGuard& operator=(const ApplyGuard&) = delete;

    const reconcile::DatabaseFacts& facts() const { return m_facts; }
    // {"server": "host:port", "database": {host, port, name, user}, "table": "schema.table"}
    const nlohmann::json& targets() const { return m_targets; }
    // "livekit server 10.0.0.5:7880, database app on db.internal:5432 as roomctl, table
    // public.livekit_rooms": for the status line printed before the run acts or is refused.
    const std::string& summary() const { return m_summary; }

private:
    store::RoomStore& m_store;
    bool m_locked = false;
    reconcile::DatabaseFacts m_facts;
    nlohmann::json m_targets;
    std::string m_summary;
};

// The facts a read-only run can gather cheaply (row-level security, settings conflicts), for
// warnings: audit and plans say what an --apply run would refuse.
reconcile::DatabaseFacts read_only_facts(Context& ctx, store::RoomStore& store);

}  // namespace roomctl::cli
