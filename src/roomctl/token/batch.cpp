#include "roomctl/token/batch.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>

#include "roomctl/token/jwt.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::token {

void append_json_string(std::string_view value, std::string& out) {
    const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
        out += '"';
        out += value;
        out += '"';
        return;
    }
    try {
        out += nlohmann::json(std::string{value}).dump();
    } catch (const nlohmann::json::exception&) {
        throw usage_error("a token value is not valid UTF-8");
    }
}

// An HMAC-SHA256 context keyed once; each token re-initialises it with the same key
// (EVP_MAC_init with no key keeps the key: OpenSSL's HMAC provider resets to the keyed state).
struct BatchSigner::Mac {
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* keyed = nullptr;
    ~Mac() {
        EVP_MAC_CTX_free(keyed);
        EVP_MAC_free(mac);
    }
};

// Control characters cannot come from a command line, so no real value collides.
std::string BatchSigner::placeholder(std::size_t i) { return fmt::format("\x01slot{}\x01", i); }

BatchSigner::BatchSigner(const nlohmann::json& claims, std::string_view secret,
                         const nlohmann::json& extra_header)
    : m_mac(std::make_unique<Mac>()) {
    // The header part is what sign_hs256 writes; take it from a real signature.
    auto sample = sign_hs256(claims, secret, extra_header);
    m_prefix = sample.substr(0, sample.find('.') + 1);

    std::string text = claims.dump();
    for (std::size_t i = 0;; ++i) {
        auto marker = nlohmann::json(placeholder(i)).dump();  // with its quotes
        if (text.find(marker) == std::string::npos) {
            m_slot_count = i;
            break;
        }
    }
    // Split the text at every marker occurrence, in order of appearance.
    std::size_t pos = 0;
    for (;;) {
        std::size_t best = std::string::npos, which = 0, len = 0;
        for (std::size_t i = 0; i < m_slot_count; ++i) {
            auto marker = nlohmann::json(placeholder(i)).dump();
            auto at = text.find(marker, pos);
            if (at < best) {
                best = at;
                which = i;
                len = marker.size();
            }
        }
        if (best == std::string::npos) break;
        m_segments.push_back(text.substr(pos, best - pos));
        m_slot_order.push_back(which);
        pos = best + len;
    }
    m_segments.push_back(text.substr(pos));

    m_mac->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!m_mac->mac) throw runtime_error("OpenSSL has no HMAC");
    m_mac->keyed = EVP_MAC_CTX_new(m_mac->mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!m_mac->keyed ||
        !EVP_MAC_init(m_mac->keyed, reinterpret_cast<const unsigned char*>(secret.data()),
                      secret.size(), params)) {
        throw runtime_error("could not key HMAC-SHA256");
    }
}

BatchSigner::~BatchSigner() = default;

std::string BatchSigner::sign(const std::vector<std::string_view>& values) {
    if (values.size() != m_slot_count) {
        throw usage_error(
            fmt::format("internal: {} values for {} slots", values.size(), m_slot_count));
    }
    std::string payload = m_segments[0];
    for (std::size_t k = 0; k < m_slot_order.size(); ++k) {
        append_json_string(values[m_slot_order[k]], payload);
        payload += m_segments[k + 1];
    }
    std::string token;
    token.reserve(m_prefix.size() + payload.size() * 4 / 3 + 48);
    token = m_prefix;
    base64url_append(payload, token);

    EVP_MAC_CTX* ctx = m_mac->keyed;
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t n = 0;
    bool ok =
        EVP_MAC_init(ctx, nullptr, 0, nullptr) &&
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(token.data()), token.size()) &&
        EVP_MAC_final(ctx, mac, &n, sizeof mac);
    if (!ok) throw runtime_error("HMAC-SHA256 failed");
    token += '.';
    base64url_append(std::string_view{reinterpret_cast<const char*>(mac), n}, token);
    return token;
}

}  // namespace roomctl::token
