#pragma once
// What -v and -vv may print about a request. Credentials never reach a trace line: the
// helpers here are the only way the transport turns a URL or a header into trace text.

#include <string>
#include <string_view>

namespace roomctl::http {

// Whether a header's value may carry a credential: Authorization, Proxy-Authorization,
// Cookie, Set-Cookie, and any name containing "token", "secret", "password", "signature"
// or "auth" (case-insensitive).
bool is_secret_header(std::string_view name);

// "Name: value" for a -vv trace. A secret header keeps only its scheme word when it has one
// ("Authorization: Basic ********", "Set-Cookie: ********").
std::string trace_header(std::string_view name, std::string_view value);

// The URL as a trace shows it: userinfo ("user:pw@") and the values of query parameters
// whose names look secret (access_token, secret, password, signature, ...) replaced by
// ********.
std::string trace_url(std::string_view url);

}  // namespace roomctl::http
