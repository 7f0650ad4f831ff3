// roomctl token inspect: decode and diagnose an access token (being written).

#include "commands.hpp"

namespace roomctl::cli {

void register_token_inspect(CLI::App& token, Context& ctx) {
    (void)token;
    (void)ctx;
}

}  // namespace roomctl::cli
