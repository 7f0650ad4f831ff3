#pragma once
// URLs of media servers as roomctl checks and prints them: shape, loopback, userinfo, and the
// scheme rewrite of LiveKit's ws(s):// URLs for API calls. Pure string functions, no I/O.

#include <string>
#include <string_view>

namespace roomctl {

// Replaces the userinfo of scheme://user:pw@host with ******** so a URL can be echoed.
// Anything that is not scheme://... is returned unchanged.
std::string hide_userinfo(std::string_view url);

// Minimal check of scheme://host[:port][/path] with scheme http, https, ws or wss (any case):
// no userinfo, no query or fragment (API paths are appended), no control characters or
// spaces, a port from 1 to 65535 when given, an IPv6 host only in brackets.
bool valid_media_url(std::string_view url);

// Whether `host` (without brackets or port) is this machine: localhost (any case), ::1, or a
// dotted quad in 127.0.0.0/8.
bool is_loopback_host(std::string_view host);

// Whether `url` (already valid_media_url-shaped) would send data unencrypted to a host that is
// not this machine: scheme http or ws and a host other than 127.0.0.0/8, [::1], localhost.
bool plain_text_to_remote(std::string_view url);

// Base URL for HTTP API calls: ws:// -> http://, wss:// -> https://, trailing slashes removed
// (never into "scheme://"). Other schemes are kept as written.
std::string http_base_url(std::string_view url);

}  // namespace roomctl
