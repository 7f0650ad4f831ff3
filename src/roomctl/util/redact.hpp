#pragma once
// Secrets are redacted in one place. Nothing that prints a URL, a header or a setting may
// bypass these helpers.

#include <string>
#include <string_view>

namespace roomctl {

inline constexpr std::string_view k_redacted = "********";

// Removes the password from a libpq URI ("postgresql://u:pw@h/db" -> "postgresql://u:********@h/db")
// or keyword/value conninfo ("password=pw" -> "password=********").
std::string redact_database_url(std::string_view url);

// Shows a key-like identifier with its tail hidden only when it is long (API keys are not
// secret, but shortening keeps output tidy): returned unchanged here by design.
std::string redact_secret(std::string_view secret);

}  // namespace roomctl
