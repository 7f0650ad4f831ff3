#include "context.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>

#include "roomctl/config/registry.hpp"
#include "roomctl/io/module.hpp"
#include "roomctl/report/color.hpp"
#include "roomctl/wiring/factory.hpp"

namespace roomctl::cli {

// The stores room_store() handed out that are still alive. cancel_in_flight() cancels them
// under the mutex; a store leaves the set (under the same mutex) before it is destroyed, so a
// cancel never reaches a destroyed store.
struct StoreRegistry {
    std::mutex mutex;
    std::set<store::RoomStore*> stores;
    std::atomic<bool> locked{false};  // a store took a run lock: see Context::may_be_acting
};

namespace {

// Colour for one stream (stdout or stderr), decided separately for each.
bool use_color(const GlobalOptions& g, int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return report::color_enabled(isatty(fd) == 1, no_color ? no_color : "", g.no_color,
                                 term ? term : "");
}

// What room_store() returns: the connected store, registered for cancel_in_flight() while it
// lives. It forwards every call unchanged and exists only to learn when the store is
// destroyed. Every virtual of store::RoomStore must be forwarded here: a new pure virtual
// fails to compile until it is; a new non-pure one must be remembered.
class TrackedStore final : public store::RoomStore {
public:
    TrackedStore(std::unique_ptr<store::RoomStore> inner, std::shared_ptr<StoreRegistry> registry)
        : m_inner(std::move(inner)), m_registry(std::move(registry)) {
        std::lock_guard lock(m_registry->mutex);
        m_registry->stores.insert(m_inner.get());
    }
    ~TrackedStore() override {
        std::lock_guard lock(m_registry->mutex);
        m_registry->stores.erase(m_inner.get());
    }  // m_inner is destroyed after it left the registry
    TrackedStore(const TrackedStore&) = delete;
    TrackedStore& operator=(const TrackedStore&) = delete;

    void cancel() noexcept override { m_inner->cancel(); }

    std::vector<store::DbRoom> load_rooms() override { return m_inner->load_rooms(); }
    std::unique_ptr<store::InventoryRead> read_inventory() override {
        return m_inner->read_inventory();
    }
    std::vector<int> update_sids(const std::vector<store::SidUpdate>& updates) override {
        return m_inner->update_sids(updates);
    }
    store::RecordedSid recorded_sid(const std::string& name) override {
        return m_inner->recorded_sid(name);
    }
    std::vector<store::DbRoom> find_session(const std::string& session) override {
        return m_inner->find_session(session);
    }
    bool is_live(const std::string& name) override { return m_inner->is_live(name); }
    store::MappingCheck check_mapping() override { return m_inner->check_mapping(); }
    store::SidColumn sid_column() override { return m_inner->sid_column(); }
    bool try_advisory_lock(std::int64_t key) override {
        return took(m_inner->try_advisory_lock(key));
    }
    std::vector<store::StatusCount> status_counts() override { return m_inner->status_counts(); }
    store::RowVisibility row_visibility() override { return m_inner->row_visibility(); }
    bool try_table_lock() override { return took(m_inner->try_table_lock()); }
    void release_locks() noexcept override { m_inner->release_locks(); }
    std::optional<store::LockHolder> table_lock_holder() override {
        return m_inner->table_lock_holder();
    }
    store::SessionCheck session_check() override { return m_inner->session_check(); }
    store::DatabaseTarget target() override { return m_inner->target(); }

private:
    bool took(bool locked) {
        if (locked) m_registry->locked.store(true);
        return locked;
    }

    std::unique_ptr<store::RoomStore> m_inner;
    std::shared_ptr<StoreRegistry> m_registry;
};

}  // namespace

Context::Context() : m_stores(std::make_shared<StoreRegistry>()) {}
Context::~Context() = default;

config::FlagValues Context::flag_values(bool typed) const {
    config::FlagValues f;
    for (const auto& [flag, text] : globals.settings) {
        if (text.empty()) continue;
        if (!typed) {
            bool textual = true;
            for (const auto& spec : config::settings_registry())
                if (spec.flag == flag) textual = textual && config::is_textual(spec.kind);
            if (!textual) continue;
        }
        f.set(flag, text);
    }
    return f;
}

const config::Settings& Context::settings() {
    if (!m_settings) {
        m_settings = config::resolve_settings(flag_values(), config::process_environment());
        for (const auto& w : m_settings->warnings) printer().warn(w);  // once: settings are cached
    }
    return *m_settings;
}

report::Printer& Context::printer() {
    if (!m_printer) {
        report::OutputOptions o;
        o.json = globals.json;
        o.quiet = globals.quiet;
        o.verbosity = globals.verbose;
        o.color = !globals.json && use_color(globals, STDOUT_FILENO);
        o.err_color = use_color(globals, STDERR_FILENO);
        o.format = globals.output == "tsv" ? report::TableFormat::tsv : report::TableFormat::text;
        o.headers = !globals.no_headers;
        // A person at a terminal sees the rows that need attention and the summary; a pipe,
        // --show-all and -o wide get every row.
        o.all_rows = globals.show_all || globals.output == "wide" || globals.output == "tsv" ||
                     isatty(STDOUT_FILENO) != 1;
        m_printer = std::make_unique<report::Printer>(std::cout, std::cerr, o);
    }
    return *m_printer;
}

std::unique_ptr<media::MediaServer> Context::media_server() {
    const auto& limits = rate_limits();
    return wiring::connect_media_server(settings(), trace_sink(), globals.verbose > 1, &cancelled,
                                        &limits);
}

const http::RateLimits& Context::rate_limits() {
    std::lock_guard lock(m_rate_mutex);
    if (!m_rate_limits) m_rate_limits = wiring::make_rate_limits(settings());
    return *m_rate_limits;
}

http::TraceSink Context::trace_sink() {
    if (globals.verbose == 0) return {};
    auto* p = &printer();
    return [p](const std::string& line) { p->trace(line); };
}

std::unique_ptr<store::RoomStore> Context::room_store() {
    const char* const why = "interrupted while connecting to the database; nothing was changed";
    if (interrupted.load()) throw Error(ErrorKind::interrupted, why);
    auto store = std::make_unique<TrackedStore>(connect_store(), m_stores);
    // Registered first, checked second: an interrupt that came while connecting either is
    // seen here or finds the store registered and cancels it.
    if (interrupted.load()) throw Error(ErrorKind::interrupted, why);
    return store;
}

std::unique_ptr<store::RoomStore> Context::connect_store() {
    config::require_database(settings());
    return io::connect_room_store(settings().database_url, settings().rooms,
                                  store::store_options_of(settings()));
}

bool Context::may_be_acting() const noexcept { return m_stores->locked.load(); }

void Context::cancel_in_flight() noexcept {
    interrupted.store(true);
    cancelled.store(true);
    std::lock_guard lock(m_stores->mutex);
    for (auto* store : m_stores->stores) store->cancel();
}

std::string Context::provider_for_metrics() noexcept {
    try {
        if (m_settings) return config::to_string(m_settings->provider);
        const auto& spec = *config::find_setting("provider");
        if (auto it = globals.settings.find(spec.flag);
            it != globals.settings.end() && !it->second.empty())
            return it->second;
        for (const auto& var : spec.env)
            if (const char* env = std::getenv(std::string{var.name}.c_str()); env && *env)
                return env;
        // Quietly: no warnings printed, nothing cached (the run is over); without typed flags
        // such as --timeout, whose bad value may be what failed.
        return config::to_string(
            config::resolve_settings(flag_values(false), config::process_environment()).provider);
    } catch (...) {
        return "unknown";
    }
}

std::int64_t Context::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace roomctl::cli
