#pragma once
// Connection strings as libpq itself reads them (PQconninfoParse), and the messages of failed
// connection attempts. Part of libroomctl_io.so, which links libpq; the core never includes
// this (io/module.hpp: commands that need no database do not load libpq).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roomctl/util/error.hpp"

namespace roomctl::store {

// The keywords a connection string sets, with their values decoded (percent-escapes, quotes,
// backslashes), in libpq's option order. Keywords the string leaves unset are absent, so libpq
// still falls back to its environment (PGHOST, PGPASSWORD, PGSERVICE, ...) for them.
using ConnOptions = std::vector<std::pair<std::string, std::string>>;

// Parses a URI ("postgresql://...", "postgres://...") or keyword=value string with
// PQconninfoParse; "" sets nothing. Throws Error(config) "malformed database URL: ..." in libpq's
// words, never showing the password, also for other schemes ("mysql://...").
ConnOptions parse_conninfo(const std::string& conninfo);

// The value of `key` in `options`, or nullptr.
const std::string* find_option(const ConnOptions& options, std::string_view key);

// `options` plus what roomctl connects with unless the string or libpq's environment decides:
// connect_timeout=5 (an unreachable server fails in seconds, not minutes; not when
// PGCONNECT_TIMEOUT or a service is set), client_encoding=UTF8 (room names are compared byte
// for byte; not when PGCLIENTENCODING or a service is set) and fallback_application_name=roomctl
// (pg_stat_activity names roomctl). Startup parameters, not session SETs, so poolers keep them.
ConnOptions with_defaults(ConnOptions options);

// `message` with every spelling of the password of `conninfo` hidden: double-quoted fragments
// that come from the password, and the password as written or decoded (libpq's parse errors
// echo pieces of the string).
std::string scrub(std::string message, const std::string& conninfo);

// The first non-empty line of a libpq or server message, trimmed, without "ERROR:  " or
// "FATAL:  "; "unknown error" when there is none. For one-line messages.
std::string error_line(std::string_view message);

// The Error for a failed connection attempt (libpq's PQerrorMessage): Error(auth) when the
// server refused the credentials, Error(config) for a database that does not exist or a bad
// option value, Error(runtime) when the server cannot be reached. Never holds the password.
// Classified by the message's words, because libpq gives no SQLSTATE for a failed connection
// (see connection_error in conninfo.cpp for what that means on a localised server).
Error connection_error(const std::string& libpq_message, const std::string& conninfo);

}  // namespace roomctl::store
