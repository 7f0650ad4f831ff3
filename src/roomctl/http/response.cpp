#include <algorithm>
#include <cctype>

#include "roomctl/http/transport.hpp"
#include "roomctl/util/text.hpp"

namespace roomctl::http {

std::optional<std::string> Response::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

std::string Response::media_type() const {
    auto ct = header("content-type").value_or("");
    auto semi = ct.find(';');
    std::string t = ct.substr(0, semi);
    t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
            t.end());
    return text::lower(t);
}

}  // namespace roomctl::http
