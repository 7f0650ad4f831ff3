#pragma once
// application/x-www-form-urlencoded bodies and URL path/query escaping (RFC 3986 unreserved
// characters stay, everything else is %XX), and HTTP Basic credentials (RFC 7617).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roomctl::http {

std::string url_encode(std::string_view text);
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
// "Basic " + base64(user ":" password), standard alphabet with padding.
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace roomctl::http
