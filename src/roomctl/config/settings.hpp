#pragma once
// Resolved settings of one roomctl run. Precedence, highest first:
//   flag > environment > config file (TOML, --config or $XDG_CONFIG_HOME/roomctl/config.toml;
//   the [profiles.NAME] chosen by --profile or ROOMCTL_PROFILE over its top level)
//   (--profile lk:NAME / twilio:NAME: another tool's profile, read in place over the top
//   level: external_profiles.hpp)
//   > built-in default.
// Every value remembers where it came from, for `check -v` and error messages.
// Which flag, variables and config file key set each setting, how it is parsed and printed:
// registry.hpp (one entry per setting). The files: file_layer.cpp reads the config file,
// resolve.cpp layers, requirements.cpp checks what commands need, describe.cpp shows it,
// room_mapping.cpp maps rows to server room names.
//
// Safety rules (never act on the wrong account, never leak a credential):
// - Credentials come from one place. The credential keys are, for LiveKit, api_key and
//   api_secret(_file); for Twilio, account_sid, api_key, api_secret(_file) and
//   auth_token(_file). A profile that sets any credential key of a provider replaces that
//   provider's whole credential set: none of the top level's credentials of that provider are
//   inherited (its url/base_url and other settings still are).
// - One layer per Twilio account. The layers are: flags, the environment, the config file's
//   top level, the selected profile. The Account SID, the API key and the Auth Token, where
//   set, must all come from the same layer; otherwise require_media_server refuses with
//   Error(config) naming both layers (credential_conflict). So a TWILIO_AUTH_TOKEN in the
//   environment never loses to a key from a file, and a profile's account never runs with
//   another layer's key. The API secret goes with its key and may come from another layer
//   (--api-secret-file): a wrong secret fails authentication, it cannot reach another account.
// - Nobody else may write what roomctl reads: a config file or secret file (regular file)
//   that is writable by group or others, or owned by a user other than the effective user or
//   root, is refused with Error(config) naming the file and the fix (chmod go-w / chown).
// - No credential over plain text: a LiveKit URL or Twilio base URL with http:// or ws:// is
//   refused by require_* unless its host is loopback (127.0.0.0/8, [::1], localhost).
// - Secret files say what they hold: one final "\n" is the line end; other trailing
//   whitespace (CRLF, a second newline, spaces) is stripped with a warning naming the file.
// - Secret files are read only for the provider in use (Settings::provider); the other
//   provider's files are not opened (Settings::unread_secret_files).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roomctl/config/provider.hpp"

namespace roomctl::config {

enum class Source { default_value, file, env, flag };
std::string to_string(Source s);

// Where one setting came from: the source and a detail ("LIVEKIT_URL", "/etc/roomctl.toml").
struct Origin {
    Source source = Source::default_value;
    std::string detail;
};
// "default", "file /etc/roomctl.toml", "env LIVEKIT_URL", "flag --url": for messages.
std::string to_string(const Origin& o);

// The room-table mapping ([rooms] in the config file). Defaults match a LiveKit app's
// livekit_rooms(room_name, room_sid, status, session_id) table.
struct RoomMapping {
    std::string table = "livekit_rooms";  // may be schema-qualified: "app.livekit_rooms"
    std::string name_column = "room_name";
    // The column holding the server's room SID. Empty: the table records no SID (seed 000's
    // instant_sessions): rows are matched by name only, there is no sid_drift, and recreate
    // records nothing (records_sids()).
    std::string sid_column = "room_sid";
    std::string status_column = "status";
    // Status words, compared case-insensitively with the status text (the status column's, or
    // the session table's status column's). A row whose status is in neither list (or NULL)
    // is unclassified (store::Liveness).
    std::vector<std::string> live_statuses = {"pending", "active"};
    std::vector<std::string> ended_statuses = {"ended",    "completed", "closed",   "cancelled",
                                               "canceled", "expired",   "finished", "archived",
                                               "inactive", "false"};
    // Liveness from a parent table (seed 004: sessions.status is the truth, the room table's
    // own status is never flipped): when set, a row's status text is
    // session_table.session_status_column of the one session_table row whose session_table_key
    // equals the room table's session_key column (none or several: NULL, so unclassified).
    // SID writes still go to the room table itself.
    std::string session_table;
    std::string session_key;  // the room table's column; empty: session_column
    std::string session_table_key = "id";
    std::string session_status_column = "status";
    // Liveness as a SQL boolean expression over the room table's columns (written unqualified),
    // evaluated per row by the server: true live, false ended, NULL unclassified. Trusted
    // configuration, never combined with run-time input; one expression (no ';' or comments);
    // `check` validates it with EXPLAIN. Excludes session_table.
    std::string live_when;
    // When each session starts (a timestamp column, e.g. scheduled_at); empty: no schedules.
    std::string starts_column;
    // How the server names the room of a row: "{name}" is the name column's value, "{col}" the
    // value of column col. Apps that store "P46odHdPO0wJ" but create "session-P46odHdPO0wJ" set
    // "session-{name}"; per-session breakout rooms "{session_id}-{name}".
    std::string room_name_template = "{name}";
    std::string session_column = "session_id";  // for `token create --session`
    // Per-row settings of the rooms recreate creates (issue 14 item 6): the column whose
    // non-NULL value, read as text whatever its type, sets that setting for the row's room;
    // empty: the row says nothing about it. A column may serve several settings, or be the
    // name column. `check` reports a named column the table lacks.
    std::string type_column;
    std::string max_participants_column;
    std::string metadata_column;
    std::string departure_timeout_column;
    std::string status_callback_column;
    std::string media_region_column;

    bool records_sids() const { return !sid_column.empty(); }
    const std::string& session_key_column() const {
        return session_key.empty() ? session_column : session_key;
    }
    // (setting name, column) of each per-row setting column that is set, in this order: type,
    // max_participants, metadata, departure_timeout, status_callback, media_region. The names
    // are those of store::DbRoom::settings and [recreate].
    std::vector<std::pair<std::string, std::string>> setting_columns() const;
};

// Where a row's status text comes from, for messages: "status" (the status column),
// "sessions.status" (the session table's status column), or "live_when".
std::string status_source(const RoomMapping& m);

// One piece of a room_name_template: literal text, or a column whose value goes there.
struct TemplatePart {
    bool is_column = false;
    std::string text;  // the literal, or the column name ("{name}" resolved to name_column)
};

// The template's pieces in order. Throws Error(config) when a "{" has no "}", a placeholder is
// empty or holds a brace, or no placeholder is present.
std::vector<TemplatePart> parse_room_template(const RoomMapping& m);

// The distinct columns the template reads, in order of first use.
std::vector<std::string> template_columns(const RoomMapping& m);

// The server room name of a row whose name column holds `value`, for templates whose only
// placeholder is {name}; other placeholders are left as written.
std::string room_name_for(const RoomMapping& m, const std::string& value);
// The name-column value whose room is `room`, or nullopt when `room` does not fit the
// template (then no row can own it). Only for templates with exactly one placeholder, which
// is {name}; nullopt otherwise.
std::optional<std::string> database_name_for(const RoomMapping& m, const std::string& room);

struct LiveKitSettings {
    std::string url;         // http(s):// or ws(s):// (ws is rewritten to http for API calls)
    std::string api_key;     // not secret; printed in diagnostics
    std::string api_secret;  // secret: never printed
};

// Twilio Programmable Video, with twilio-cli's credential conventions: the Account SID plus
// either an API key (SK...) and its secret, or the Auth Token. A key wins when both are set,
// which is safe only because both must come from one layer (credential_conflict).
struct TwilioSettings {
    std::string account_sid;                            // AC... ; not secret
    std::string api_key;                                // SK... ; not secret
    std::string api_secret;                             // secret
    std::string auth_token;                             // secret
    std::string base_url = "https://video.twilio.com";  // TWILIO_VIDEO_BASE_URL overrides
    bool uses_api_key() const { return !api_key.empty() && !api_secret.empty(); }
};

// Seed 001's schema: breakout_rooms(room_name, twilio_room_sid, is_active boolean). A boolean
// column works as the liveness rule: its text form is "true"/"false".
RoomMapping twilio_default_mapping();

// [recreate] settings of the rooms roomctl creates, beyond the timeouts (Settings keeps those):
// used where a row's column (RoomMapping::setting_columns) says nothing. Whether one was
// written at all is is_set(settings, "recreate.type"): 0 or "" given explicitly means "the
// server's default" and still beats the old room's value. Values are the provider's words,
// checked by the media server (MediaServer::validate), not here.
struct RoomSettingDefaults {
    std::string type;                    // Twilio room type ("group", "go", ...)
    std::uint32_t max_participants = 0;  // 0: the server's default (unlimited on LiveKit)
    std::string metadata;                // LiveKit room metadata
    std::string status_callback;         // Twilio StatusCallback URL; may carry userinfo
    std::string status_callback_method;  // "POST" or "GET"
    std::string media_region;            // Twilio media region ("us1", "de1", ...)
};

struct Settings {
    Provider provider = Provider::livekit;
    LiveKitSettings livekit;
    TwilioSettings twilio;
    std::string database_url;  // libpq URI or conninfo; may carry a password: redact to print
    // [database] lock_timeout / statement_timeout: applied to every transaction roomctl runs
    // (SET LOCAL, so they work through transaction-mode poolers too). Durations in the file
    // ("5s", "30s", or whole seconds); resolve_settings guarantees 1 s <= value <= 24 h.
    std::chrono::milliseconds database_lock_timeout{5'000};
    std::chrono::milliseconds database_statement_timeout{30'000};
    // Non-empty when --config/ROOMCTL_CONFIG or --profile/ROOMCTL_PROFILE named a config file
    // whose [database] url the generic DATABASE_URL from the environment overrides (a dev shell
    // aimed at prod). One line naming both sources and the fix; it is also in `warnings`.
    // Read-only commands only warn; --apply must refuse with Error(unsafe).
    std::string database_url_conflict;
    RoomMapping rooms;
    std::chrono::milliseconds request_timeout{10'000};  // per HTTP request
    std::string ca_file;                                // extra CA bundle for TLS
    // Request rate limit as typed ("20/s", "1200/m", "0" = unlimited); empty = the provider's
    // default. Parsed by http::parse_rate where the run's limiters are made (wiring/).
    std::string rate;
    std::uint32_t empty_timeout = 3600;         // seconds, for rooms roomctl creates
    std::uint32_t departure_timeout = 0;        // seconds; 0 = server default
    RoomSettingDefaults room_settings;          // [recreate] type, metadata, ...
    std::chrono::seconds starting_within{900};  // starts_column: due window of recreate
    std::chrono::seconds min_age{600};          // cleanup: never delete younger rooms
    std::vector<std::string> keep;              // cleanup: glob patterns never deleted
    std::uint32_t max_deletes = 25;             // cleanup: more planned deletes = none
    std::map<std::string, Origin> origins;      // key ("livekit.url") -> origin
    std::string config_path;                    // file that was read, if any
    std::string profile;  // [profiles.NAME] applied over the file's top level ("" = none)
    // Settings keys ("twilio.api_secret") whose secret file was not read because the provider
    // in use does not need it -> the file's path. The value stays empty.
    std::map<std::string, std::string> unread_secret_files;
    // Facts the command layer prints once as "warning: ..." (e.g. a config file that holds a
    // secret and is readable by others). Resolution itself prints nothing.
    std::vector<std::string> warnings;
};

// Whether setting `key` ("recreate.type") was given by a flag, the environment or the config
// file rather than left at its built-in default; false for a key resolution never saw.
bool is_set(const Settings& s, const std::string& key);

// The global flags given on the command line, as typed: flag name ("--url", as in the
// registry) -> text. Flags not given, or given empty, leave lower layers in charge. Values are
// parsed by resolve_settings (Error(usage) for a malformed one, such as --timeout 0).
struct FlagValues {
    std::map<std::string, std::string, std::less<>> values;
    void set(std::string_view flag, std::string value) {
        values.insert_or_assign(std::string{flag}, std::move(value));
    }
    // The text of `flag`, or nullptr when it was not given or is empty.
    const std::string* get(std::string_view flag) const {
        auto it = values.find(flag);
        return it == values.end() || it->second.empty() ? nullptr : &it->second;
    }
};

// Resolves settings. Pure apart from reading the config file and api_secret_file: the
// environment is passed in as a map, so tests need not touch the process environment.
// Throws Error(config) naming the file, key or variable that is wrong (non-TOML file,
// wrong type, unreadable secret file, unknown provider, explicit --config that is missing,
// unknown profile, a profile without a config file, a database timeout that is not a
// positive duration of at most 24 h, a status word in both rooms.live_statuses and
// rooms.ended_statuses).
// Throws Error(usage) for a malformed flag value (--timeout that is not a positive duration).
Settings resolve_settings(const FlagValues& flags, const std::map<std::string, std::string>& env);

// Snapshot of the process environment for resolve_settings.
std::map<std::string, std::string> process_environment();

// Throws Error(config) when the media-server settings needed for API calls are missing,
// malformed or unsafe. LiveKit: no URL, URL scheme not http/https/ws/wss, plain http/ws to a
// host that is not loopback, no key, no secret. Twilio: Account SID, API key and Auth Token
// from different layers (credential_conflict), no Account SID (AC...), neither an API key
// (SK...) with its secret nor an Auth Token, a malformed base URL, or plain http:// to a host
// that is not loopback.
void require_media_server(const Settings& s);
// Throws Error(config) when the LiveKit URL is missing, malformed or plain http/ws to a host
// that is not loopback (the part of require_media_server that calls needing no API key, such
// as /rtc/validate, depend on).
void require_livekit_url(const Settings& s);
// One line naming the two layers when the provider in use is Twilio and its Account SID, API
// key and Auth Token (those set) do not all come from the same layer; empty otherwise.
// require_media_server throws it; `config show` prints it.
std::string credential_conflict(const Settings& s);
// Throws Error(config) when no database URL is configured.
void require_database(const Settings& s);
// Throws Error(usage) when --starting-within was given (`flag_given`) but [rooms]
// starts_column is not set: the window cannot be applied, and ignoring it would make every
// live row due.
void require_schedules(const Settings& s, bool flag_given);

// One effective setting for `config show`: the value already redacted (secrets are
// "********", URL passwords hidden), empty when not set; source "flag"/"env"/"file"/"default"
// and its detail ("--url", "LIVEKIT_URL", "/path [profiles.staging]").
struct SettingLine {
    std::string key;
    std::string value;
    std::string source;
    std::string detail;
};
std::vector<SettingLine> describe_settings(const Settings& s);

// Lines "key = value (source)" with secrets redacted, for diagnostics: config_file, then
// describe_settings.
std::vector<std::string> describe(const Settings& s);

// Base URL for API calls: ws:// -> http://, wss:// -> https://, trailing slashes removed
// (callers append "/twirp/..."). Call after require_media_server has validated the URL.
std::string api_url(const LiveKitSettings& lk);

}  // namespace roomctl::config
