// The settings table (registry.hpp): one entry per setting. The value conversions every entry
// shares (parse_text, show_value, apply_command_flag) are in registry_values.cpp.

#include "roomctl/config/registry.hpp"

#include <type_traits>

#include "roomctl/config/settings.hpp"

namespace roomctl::config {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Field <-> Value, by the field's C++ type.
template <class T>
Value value_of(const T& field) {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                  std::is_same_v<T, milliseconds>)
        return field;
    else if constexpr (std::is_same_v<T, seconds>)
        return std::chrono::duration_cast<milliseconds>(field);
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return static_cast<std::int64_t>(field);
    else if constexpr (std::is_same_v<T, Provider>)
        return to_string(field);
    else
        static_assert(sizeof(T) == 0, "no Value form for this field type");
}

template <class T>
void assign(T& field, const Value& v) {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                  std::is_same_v<T, milliseconds>)
        field = std::get<T>(v);
    else if constexpr (std::is_same_v<T, seconds>)
        field = std::chrono::duration_cast<seconds>(std::get<milliseconds>(v));
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        field = std::holds_alternative<milliseconds>(v)
                    ? static_cast<std::uint32_t>(
                          std::chrono::duration_cast<seconds>(std::get<milliseconds>(v)).count())
                    : static_cast<std::uint32_t>(std::get<std::int64_t>(v));
    else if constexpr (std::is_same_v<T, Provider>)
        field = parse_provider(std::get<std::string>(v)).value();  // checked by resolution
    else
        static_assert(sizeof(T) == 0, "no Value form for this field type");
}

// The field reached from Settings through the member pointers Ms... in turn.
template <auto M, auto... Rest, class O>
auto& walk(O& o) {
    if constexpr (sizeof...(Rest) == 0)
        return o.*M;
    else
        return walk<Rest...>(o.*M);
}

template <auto... Ms>
Value get_field(const Settings& s) {
    return value_of(walk<Ms...>(s));
}

template <auto... Ms>
void set_field(Settings& s, const Value& v) {
    assign(walk<Ms...>(s), v);
}

// The accessor pair of a field, for an entry: field<&Settings::livekit, &LiveKitSettings::url>.
struct Access {
    Value (*get)(const Settings&);
    void (*set)(Settings&, const Value&);
};
template <auto... Ms>
constexpr Access field() {
    return {&get_field<Ms...>, &set_field<Ms...>};
}

SettingSpec entry(SettingSpec spec, Access a) {
    spec.get = a.get;
    spec.set = a.set;
    return spec;
}

constexpr auto lk = Provider::livekit;
constexpr auto tw = Provider::twilio;

// Each entry names only the fields it sets; the others keep SettingSpec's defaults. GCC 12
// still warns about designated initializers that leave members out, which is the point here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
std::vector<SettingSpec> build() {
    using S = Settings;
    using L = LiveKitSettings;
    using T = TwilioSettings;
    using R = RoomMapping;
    using D = RoomSettingDefaults;
    std::vector<SettingSpec> r;
    r.push_back(
        entry({.key = "config_file",
               .kind = Kind::path,
               .help = "The config file read (TOML); none when there is none",
               .flag = "--config",
               .flag_help = "TOML config file (default $XDG_CONFIG_HOME/roomctl/config.toml)",
               .env = {{"ROOMCTL_CONFIG"}},
               .listed = false},
              field<&S::config_path>()));
    r.push_back(entry({.key = "profile",
                       .help = "The [profiles.NAME] of the config file read over its top level",
                       .flag = "--profile",
                       .flag_help = "Config file profile: [profiles.NAME] over the top level (env "
                                    "ROOMCTL_PROFILE)",
                       .env = {{"ROOMCTL_PROFILE"}}},
                      field<&S::profile>()));
    r.push_back(
        entry({.key = "provider",
               .kind = Kind::provider,
               .help = "Media server: livekit (default) or twilio",
               .flag = "--provider",
               .flag_help = "Media server: livekit (default) or twilio (env ROOMCTL_PROVIDER)",
               .env = {{"ROOMCTL_PROVIDER"}},
               .toml = "provider"},
              field<&S::provider>()));
    r.push_back(entry({.key = "livekit.url",
                       .kind = Kind::url,
                       .help = "LiveKit server URL: https:// or wss:// (http/ws only to loopback)",
                       .flag = "--url",
                       .flag_for = lk,
                       .flag_help = "Server URL (env LIVEKIT_URL; Twilio: TWILIO_VIDEO_BASE_URL)",
                       .env = {{"LIVEKIT_URL"}},
                       .toml = "livekit.url"},
                      field<&S::livekit, &L::url>()));
    r.push_back(entry({.key = "livekit.api_key",
                       .help = "LiveKit API key",
                       .flag = "--api-key",
                       .flag_for = lk,
                       .flag_help = "API key (env LIVEKIT_API_KEY; Twilio: TWILIO_API_KEY)",
                       .env = {{"LIVEKIT_API_KEY"}},
                       .toml = "livekit.api_key",
                       .credential_of = lk},
                      field<&S::livekit, &L::api_key>()));
    r.push_back(entry({.key = "livekit.api_secret",
                       .help = "LiveKit API secret (or a file holding it)",
                       .flag = "--api-secret-file",
                       .flag_for = lk,
                       .flag_help = "File holding the API secret (env LIVEKIT_API_SECRET; Twilio: "
                                    "TWILIO_API_SECRET)",
                       .flag_names_file = true,
                       .env = {{"LIVEKIT_API_SECRET"}, {"LIVEKIT_API_SECRET_FILE", true}},
                       .toml = "livekit.api_secret",
                       .toml_file = "livekit.api_secret_file",
                       .secret = true,
                       .credential_of = lk},
                      field<&S::livekit, &L::api_secret>()));
    r.push_back(entry({.key = "twilio.account_sid",
                       .help = "Twilio Account SID (AC...)",
                       .flag = "--account-sid",
                       .flag_help = "Twilio Account SID (env TWILIO_ACCOUNT_SID)",
                       .env = {{"TWILIO_ACCOUNT_SID"}},
                       .toml = "twilio.account_sid",
                       .credential_of = tw},
                      field<&S::twilio, &T::account_sid>()));
    r.push_back(entry({.key = "twilio.api_key",
                       .help = "Twilio API key (SK...)",
                       .flag = "--api-key",
                       .flag_for = tw,
                       .env = {{"TWILIO_API_KEY"}},
                       .toml = "twilio.api_key",
                       .credential_of = tw},
                      field<&S::twilio, &T::api_key>()));
    r.push_back(entry({.key = "twilio.api_secret",
                       .help = "Secret of the Twilio API key (or a file holding it)",
                       .flag = "--api-secret-file",
                       .flag_for = tw,
                       .flag_names_file = true,
                       .env = {{"TWILIO_API_SECRET"}},
                       .toml = "twilio.api_secret",
                       .toml_file = "twilio.api_secret_file",
                       .secret = true,
                       .credential_of = tw},
                      field<&S::twilio, &T::api_secret>()));
    r.push_back(
        entry({.key = "twilio.auth_token",
               .help = "Twilio Auth Token, used when no API key is set (or a file holding it)",
               .env = {{"TWILIO_AUTH_TOKEN"}},
               .toml = "twilio.auth_token",
               .toml_file = "twilio.auth_token_file",
               .secret = true,
               .credential_of = tw},
              field<&S::twilio, &T::auth_token>()));
    r.push_back(entry({.key = "twilio.base_url",
                       .kind = Kind::url,
                       .help = "Twilio Video API base URL (default https://video.twilio.com)",
                       .flag = "--url",
                       .flag_for = tw,
                       .env = {{"TWILIO_VIDEO_BASE_URL"}},
                       .toml = "twilio.base_url"},
                      field<&S::twilio, &T::base_url>()));
    r.push_back(
        entry({.key = "database.url",
               .kind = Kind::database_url,
               .help = "PostgreSQL URI or conninfo (libpq's PG* variables also apply)",
               .flag = "--database-url",
               .flag_help = "PostgreSQL URI or conninfo (env ROOMCTL_DATABASE_URL, DATABASE_URL)",
               .env = {{"ROOMCTL_DATABASE_URL"}, {"DATABASE_URL"}},
               .toml = "database.url"},
              field<&S::database_url>()));
    r.push_back(
        entry({.key = "database.lock_timeout",
               .kind = Kind::db_timeout,
               .help = "Longest wait for a lock in each transaction, 1s to 24h (default 5s)",
               .toml = "database.lock_timeout"},
              field<&S::database_lock_timeout>()));
    r.push_back(entry({.key = "database.statement_timeout",
                       .kind = Kind::db_timeout,
                       .help = "Longest run of one statement, 1s to 24h (default 30s)",
                       .toml = "database.statement_timeout"},
                      field<&S::database_statement_timeout>()));
    r.push_back(entry({.key = "rooms.table",
                       .help = "Room table, optionally schema-qualified",
                       .flag = "--table",
                       .flag_help = "Room table, optionally schema-qualified ([rooms] table)",
                       .toml = "rooms.table",
                       .required = true},
                      field<&S::rooms, &R::table>()));
    r.push_back(entry({.key = "rooms.name_column",
                       .help = "Column holding the room name",
                       .toml = "rooms.name_column",
                       .required = true},
                      field<&S::rooms, &R::name_column>()));
    r.push_back(entry({.key = "rooms.sid_column",
                       .help = "Column holding the server's room SID (\"\": none, match by name)",
                       .toml = "rooms.sid_column"},
                      field<&S::rooms, &R::sid_column>()));
    r.push_back(entry({.key = "rooms.status_column",
                       .help = "Column whose text says whether a row is live",
                       .toml = "rooms.status_column",
                       .required = true},
                      field<&S::rooms, &R::status_column>()));
    r.push_back(entry({.key = "rooms.session_table",
                       .help = "Parent table whose status decides liveness (\"\": the room table)",
                       .toml = "rooms.session_table"},
                      field<&S::rooms, &R::session_table>()));
    r.push_back(entry({.key = "rooms.session_key",
                       .help = "Room table column naming the parent row (default: session_column)",
                       .toml = "rooms.session_key"},
                      field<&S::rooms, &R::session_key>()));
    r.push_back(entry({.key = "rooms.session_table_key",
                       .help = "The parent table's key column (default id)",
                       .toml = "rooms.session_table_key"},
                      field<&S::rooms, &R::session_table_key>()));
    r.push_back(entry({.key = "rooms.session_status_column",
                       .help = "The parent table's status column (default status)",
                       .toml = "rooms.session_status_column"},
                      field<&S::rooms, &R::session_status_column>()));
    r.push_back(entry({.key = "rooms.live_when",
                       .help = "SQL boolean over the room table's columns: true live, false ended",
                       .toml = "rooms.live_when"},
                      field<&S::rooms, &R::live_when>()));
    r.push_back(entry({.key = "rooms.starts_column",
                       .help = "Timestamp column: when each session starts (\"\": no schedules)",
                       .toml = "rooms.starts_column"},
                      field<&S::rooms, &R::starts_column>()));
    r.push_back(entry({.key = "rooms.live_statuses",
                       .kind = Kind::list,
                       .help = "Status words of live rows (case-insensitive)",
                       .toml = "rooms.live_statuses"},
                      field<&S::rooms, &R::live_statuses>()));
    r.push_back(entry({.key = "rooms.ended_statuses",
                       .kind = Kind::list,
                       .help = "Status words of ended rows (case-insensitive)",
                       .toml = "rooms.ended_statuses"},
                      field<&S::rooms, &R::ended_statuses>()));
    r.push_back(
        entry({.key = "rooms.room_name_template",
               .help = "Server room name of a row: {name}, {column}, e.g. \"session-{name}\"",
               .flag = "--room-name-template",
               .flag_help = "Server room name of a row, e.g. \"session-{name}\" ([rooms] "
                            "room_name_template)",
               .env = {{"ROOMCTL_ROOM_NAME_TEMPLATE"}},
               .toml = "rooms.room_name_template"},
              field<&S::rooms, &R::room_name_template>()));
    r.push_back(entry({.key = "rooms.session_column",
                       .help = "Column holding the session id (token create --session)",
                       .toml = "rooms.session_column",
                       .required = true},
                      field<&S::rooms, &R::session_column>()));
    r.push_back(
        entry({.key = "rooms.type_column",
               .help = "Column of each row's room type; used when not NULL (default \"\": none)",
               .toml = "rooms.type_column"},
              field<&S::rooms, &R::type_column>()));
    r.push_back(entry(
        {.key = "rooms.max_participants_column",
         .help = "Column of each row's max participants; used when not NULL (default \"\": none)",
         .toml = "rooms.max_participants_column"},
        field<&S::rooms, &R::max_participants_column>()));
    r.push_back(entry(
        {.key = "rooms.metadata_column",
         .help = "Column of each row's room metadata; used when not NULL (default \"\": none)",
         .toml = "rooms.metadata_column"},
        field<&S::rooms, &R::metadata_column>()));
    r.push_back(entry({.key = "rooms.departure_timeout_column",
                       .help = "Column of each row's departure timeout (seconds); used when not "
                               "NULL (default \"\": none)",
                       .toml = "rooms.departure_timeout_column"},
                      field<&S::rooms, &R::departure_timeout_column>()));
    r.push_back(entry(
        {.key = "rooms.status_callback_column",
         .help =
             "Column of each row's status callback URL; used when not NULL (default \"\": none)",
         .toml = "rooms.status_callback_column"},
        field<&S::rooms, &R::status_callback_column>()));
    r.push_back(
        entry({.key = "rooms.media_region_column",
               .help = "Column of each row's media region; used when not NULL (default \"\": none)",
               .toml = "rooms.media_region_column"},
              field<&S::rooms, &R::media_region_column>()));
    r.push_back(entry({.key = "request_timeout",
                       .kind = Kind::request_timeout,
                       .help = "Per-request HTTP timeout (default 10s)",
                       .flag = "--timeout",
                       .flag_help = "Per-request timeout, e.g. 10s (default 10s)",
                       .toml = "http.timeout"},
                      field<&S::request_timeout>()));
    r.push_back(entry({.key = "ca_file",
                       .kind = Kind::path,
                       .help = "Extra CA bundle (PEM) for TLS verification",
                       .flag = "--cacert",
                       .flag_help = "Extra CA bundle (PEM) for TLS verification",
                       .env = {{"ROOMCTL_CACERT"}},
                       .toml = "http.cacert",
                       .relative = true},
                      field<&S::ca_file>()));
    r.push_back(entry({.key = "rate",
                       .help = "Requests per second to the media server, e.g. 20/s (default: "
                               "Twilio 20 writes/s, LiveKit unlimited; 0 = unlimited)",
                       .flag = "--rate",
                       .flag_help = "Request rate limit, e.g. 20/s (default Twilio 20/s writes, "
                                    "LiveKit unlimited)",
                       .env = {{"ROOMCTL_RATE"}},
                       .toml = "http.rate"},
                      field<&S::rate>()));
    r.push_back(entry({.key = "recreate.empty_timeout",
                       .kind = Kind::seconds,
                       .help = "Empty timeout of rooms roomctl creates (default 1h)",
                       .toml = "recreate.empty_timeout"},
                      field<&S::empty_timeout>()));
    r.push_back(entry({.key = "recreate.departure_timeout",
                       .kind = Kind::seconds,
                       .help = "Departure timeout of rooms roomctl creates (0: server default)",
                       .toml = "recreate.departure_timeout"},
                      field<&S::departure_timeout>()));
    r.push_back(
        entry({.key = "recreate.type",
               .help = "Twilio room type of rooms roomctl creates (default: the old room's)",
               .toml = "recreate.type"},
              field<&S::room_settings, &D::type>()));
    r.push_back(entry({.key = "recreate.max_participants",
                       .kind = Kind::count,
                       .help = "Max participants of rooms roomctl creates (0: server default)",
                       .toml = "recreate.max_participants",
                       .max = 100'000},
                      field<&S::room_settings, &D::max_participants>()));
    r.push_back(
        entry({.key = "recreate.metadata",
               .help = "LiveKit metadata of rooms roomctl creates (default: the old room's)",
               .toml = "recreate.metadata"},
              field<&S::room_settings, &D::metadata>()));
    r.push_back(entry({.key = "recreate.status_callback",
                       .kind = Kind::url,
                       .help = "Twilio status callback URL of rooms roomctl creates (default: the "
                               "old room's)",
                       .toml = "recreate.status_callback"},
                      field<&S::room_settings, &D::status_callback>()));
    r.push_back(entry({.key = "recreate.status_callback_method",
                       .help = "POST or GET for recreate.status_callback (default: the old room's)",
                       .toml = "recreate.status_callback_method"},
                      field<&S::room_settings, &D::status_callback_method>()));
    r.push_back(entry({.key = "recreate.media_region",
                       .help = "Twilio media region of rooms roomctl creates (default: the old "
                               "room's)",
                       .toml = "recreate.media_region"},
                      field<&S::room_settings, &D::media_region>()));
    r.push_back(entry({.key = "recreate.starting_within",
                       .kind = Kind::seconds,
                       .help = "With [rooms] starts_column: recreate only rooms of sessions "
                               "starting within this (default 15m)",
                       .toml = "recreate.starting_within"},
                      field<&S::starting_within>()));
    r.push_back(entry({.key = "cleanup.min_age",
                       .kind = Kind::seconds,
                       .help = "Cleanup never deletes rooms younger than this (default 10m)",
                       .toml = "cleanup.min_age"},
                      field<&S::min_age>()));
    r.push_back(entry({.key = "cleanup.keep",
                       .kind = Kind::list,
                       .help = "Glob patterns of room names cleanup never deletes",
                       .toml = "cleanup.keep"},
                      field<&S::keep>()));
    r.push_back(
        entry({.key = "cleanup.max_deletes",
               .kind = Kind::count,
               .help = "More planned deletes than this and cleanup deletes none (default 25)",
               .toml = "cleanup.max_deletes",
               .max = 1'000'000},
              field<&S::max_deletes>()));
    return r;
}
#pragma GCC diagnostic pop

}  // namespace

const std::vector<SettingSpec>& settings_registry() {
    static const std::vector<SettingSpec> registry = build();
    return registry;
}

const SettingSpec* find_setting(std::string_view key) {
    for (const auto& spec : settings_registry())
        if (spec.key == key) return &spec;
    return nullptr;
}

std::vector<std::string> path_flags() {
    std::vector<std::string> out;
    for (const auto& spec : settings_registry())
        if (!spec.flag.empty() && (spec.kind == Kind::path || spec.flag_names_file))
            out.emplace_back(spec.flag);
    return out;
}

}  // namespace roomctl::config
