// advisory_lock_key lives apart from the rest of the store: it is pure, and the executable
// needs it without loading the database module (io/module.hpp).
#include "roomctl/store/room_store.hpp"

namespace roomctl::store {

std::int64_t advisory_lock_key(const std::string& provider, const std::string& table) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : "roomctl|" + provider + "|" + table) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return static_cast<std::int64_t>(h);
}

}  // namespace roomctl::store

namespace roomctl::store {

std::int64_t table_lock_key(std::uint32_t table_oid) {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(k_table_lock_class) << 32) |
                                     table_oid);
}

}  // namespace roomctl::store
