#pragma once
// Secrets are redacted in one place. Nothing that prints a URL, a header or a setting may
// bypass these helpers.

#include <string>
#include <string_view>
#include <vector>

namespace roomctl {

inline constexpr std::string_view k_redacted = "********";

// Hides the password (and sslpassword) of a libpq connection string, whatever characters it
// holds: URI userinfo ("postgresql://u:pw@h/db" -> "postgresql://u:********@h/db"), URI
// parameters ("?password=pw"), keyword/value strings ("password='p w'" -> "password=********").
// Everything else is kept, so the result still names the same host, port, user and database.
// The string is read with libpq's own grammar (checked against PQconninfoParse); where libpq would
// reject it, more is hidden, never less. A string without a password is returned unchanged (config/
// relies on that to spot inline secrets).
std::string redact_database_url(std::string_view url);

// Every spelling of the secrets in a connection string: as written (percent-encoded, quoted,
// backslash-escaped) and as libpq decodes it. For scrubbing text that may echo pieces of the
// string (libpq's parse errors do). Empty when the string holds no password.
std::vector<std::string> database_url_secrets(std::string_view url);

// Shows a key-like identifier with its tail hidden only when it is long (API keys are not
// secret, but shortening keeps output tidy): returned unchanged here by design.
std::string redact_secret(std::string_view secret);

}  // namespace roomctl
