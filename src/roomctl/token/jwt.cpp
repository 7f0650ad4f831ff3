#include "roomctl/token/jwt.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>
#include <vector>

#include "roomctl/util/error.hpp"

namespace roomctl::token {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Real tokens are a few hundred bytes; the cap keeps a pasted file or a hostile argument from
// costing more than a bounded amount of memory and time.
constexpr std::size_t k_max_token_size = 1024 * 1024;
// Access-token claims nest two levels (video, attributes); anything far deeper is hostile.
constexpr int k_max_json_depth = 64;

int decode_char(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// OpenSSL treats a null pointer with length 0 inconsistently across versions; never pass one.
const unsigned char* bytes_of(std::string_view s) {
    static const unsigned char empty = 0;
    return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

// Thrown by the parser callback to abort a too-deep document; never escapes this file.
struct nesting_too_deep {};

[[noreturn]] void not_a_jwt(std::string_view why) {
    throw usage_error(fmt::format("token is not a JWT: {}", why));
}

// Parses one decoded part as a JSON object. nlohmann's own messages are not used: they quote
// the offending bytes, which may be binary or part of a credential.
nlohmann::json parse_object(const std::string& text, std::string_view part) {
    const nlohmann::json::parser_callback_t limit_depth =
        [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= k_max_json_depth) {
                throw nesting_too_deep{};  // stops the parser at once
            }
            return true;
        };
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text, limit_depth);
    } catch (const nesting_too_deep&) {
        not_a_jwt(fmt::format("{} JSON is nested deeper than {} levels", part, k_max_json_depth));
    } catch (const nlohmann::json::exception&) {
        not_a_jwt(fmt::format("{} is not valid JSON", part));
    }
    if (!value.is_object()) not_a_jwt(fmt::format("{} is not a JSON object", part));
    return value;
}

std::string dump_compact(const nlohmann::json& j, std::string_view what) {
    try {
        return j.dump();  // compact; keys come out sorted, so the output is deterministic
    } catch (const nlohmann::json::exception&) {
        throw usage_error(fmt::format("cannot sign token: {} contain invalid UTF-8", what));
    }
}

}  // namespace

void base64url_append(std::string_view bytes, std::string& out) {
    // Written through a pointer into storage sized once: this runs per token in batches.
    const std::size_t full = bytes.size() / 3, rest = bytes.size() % 3;
    const std::size_t at = out.size();
    out.resize(at + full * 4 + (rest ? rest + 1 : 0));
    char* p = out.data() + at;
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        *p++ = k_alphabet[(n >> 18) & 63];
        *p++ = k_alphabet[(n >> 12) & 63];
        *p++ = k_alphabet[(n >> 6) & 63];
        *p++ = k_alphabet[n & 63];
    }
    if (rest == 1) {
        const unsigned n = byte(i) << 16;
        *p++ = k_alphabet[(n >> 18) & 63];
        *p++ = k_alphabet[(n >> 12) & 63];
    } else if (rest == 2) {
        const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8);
        *p++ = k_alphabet[(n >> 18) & 63];
        *p++ = k_alphabet[(n >> 12) & 63];
        *p++ = k_alphabet[(n >> 6) & 63];
    }
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    base64url_append(bytes, out);
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    // Padding is optional, but when present it must complete a 4-character group.
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    text.remove_suffix(pad);
    const std::size_t rest = text.size() % 4;
    if (rest == 1) return std::nullopt;                   // 6 bits cannot encode a byte
    if (pad > 0 && pad != 4 - rest) return std::nullopt;  // "Zg=", "Zm8==", "Zm9v=="

    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    unsigned acc = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = decode_char(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    if (key.size() > static_cast<std::size_t>(INT_MAX)) throw usage_error("HMAC key is too long");
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), bytes_of(key), static_cast<int>(key.size()), bytes_of(data), data.size(),
             mac.data(), &len) == nullptr) {
        throw runtime_error("OpenSSL HMAC-SHA256 failed");
    }
    return {reinterpret_cast<const char*>(mac.data()), len};
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // The length of an HMAC is public, so leaking it through the early return is harmless.
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(bytes_of(a), bytes_of(b), a.size()) == 0;
}

std::string sign_hs256(const nlohmann::json& claims, std::string_view secret,
                       const nlohmann::json& extra_header) {
    if (!claims.is_object()) throw runtime_error("internal: JWT claims must be a JSON object");
    if (!extra_header.is_object()) throw runtime_error("internal: JWT header must be an object");
    nlohmann::json header = extra_header;
    if (!header.contains("typ")) header["typ"] = "JWT";
    header["alg"] = "HS256";  // forced: the signature below is HS256 whatever the caller asked
    std::string input = base64url_encode(dump_compact(header, "header fields"));
    input += '.';
    input += base64url_encode(dump_compact(claims, "claims"));
    const std::string signature = base64url_encode(hmac_sha256(secret, input));
    input += '.';
    input += signature;
    return input;
}

DecodedJwt decode(std::string_view token) {
    if (token.size() > k_max_token_size) not_a_jwt("longer than 1 MiB");
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = token.find('.', start);
        parts.push_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos || parts.size() > 3) break;
        start = dot + 1;
    }
    if (parts.size() != 3) {
        not_a_jwt(parts.size() > 3
                      ? "more than 3 dot-separated parts"
                      : fmt::format("{} dot-separated part(s), expected 3", parts.size()));
    }
    static constexpr std::array<std::string_view, 3> names{"header", "payload", "signature"};
    std::array<std::string, 3> raw;
    for (std::size_t k = 0; k < 3; ++k) {
        if (parts[k].empty()) not_a_jwt(fmt::format("empty {}", names[k]));
        auto bytes = base64url_decode(parts[k]);
        if (!bytes) not_a_jwt(fmt::format("{} is not base64url", names[k]));
        raw[k] = std::move(*bytes);
    }
    DecodedJwt jwt;
    jwt.header = parse_object(raw[0], names[0]);
    jwt.claims = parse_object(raw[1], names[1]);
    jwt.signing_input = std::string{token.substr(0, parts[0].size() + 1 + parts[1].size())};
    jwt.signature = std::move(raw[2]);
    return jwt;
}

bool verify_hs256(const DecodedJwt& jwt, std::string_view secret) {
    // Checking alg before anything else closes the "alg":"none" and algorithm-confusion holes.
    if (!jwt.header.is_object()) return false;
    const auto alg = jwt.header.find("alg");
    if (alg == jwt.header.end() || !alg->is_string() ||
        alg->get_ref<const std::string&>() != "HS256")
        return false;
    return constant_time_equal(hmac_sha256(secret, jwt.signing_input), jwt.signature);
}

}  // namespace roomctl::token
