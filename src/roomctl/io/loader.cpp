// The executable's side of io/module.hpp: finds and loads libroomctl_io.so on first use.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <vector>

#include "roomctl/io/module.hpp"

namespace roomctl::io {

namespace {

constexpr const char* k_file = "libroomctl_io.so";

std::vector<std::filesystem::path> candidates() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    auto dir = exe.parent_path();
    return {dir / k_file, dir.parent_path() / "lib" / "roomctl" / k_file};
}

const Module& load() {
    static std::once_flag once;
    static const Module* module = nullptr;
    static std::string problem;
    std::call_once(once, [] {
        // A program linked with libroomctl_io.so (the test suites) already has it.
        if (auto linked =
                reinterpret_cast<const Module* (*)()>(dlsym(RTLD_DEFAULT, "roomctl_io_module"))) {
            module = linked();
            return;
        }
        auto paths = candidates();
        for (const auto& path : paths) {
            if (!std::filesystem::exists(path)) continue;
            // Never closed: objects made by the module live until exit.
            void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                problem = std::string{"cannot load "} + path.string() + ": " + dlerror() +
                          " (reinstall roomctl)";
                return;
            }
            auto entry = reinterpret_cast<const Module* (*)()>(dlsym(handle, "roomctl_io_module"));
            const Module* found = entry ? entry() : nullptr;
            if (!found || std::string{found->version} != ROOMCTL_VERSION) {
                problem = path.string() + " is not roomctl " ROOMCTL_VERSION
                                          "'s network and database module (reinstall roomctl)";
                return;
            }
            module = found;
            return;
        }
        problem = std::string{"roomctl's network and database module ("} + k_file +
                  ") is missing: looked in " +
                  (paths.empty() ? std::string{"(the executable's path is unknown)"}
                                 : paths[0].parent_path().string() + " and " +
                                       paths[1].parent_path().string()) +
                  " (reinstall roomctl)";
    });
    if (!module) throw config_error(problem);
    return *module;
}

}  // namespace

std::unique_ptr<http::Transport> make_transport(http::TransportOptions options) {
    return load().make_transport(std::move(options));
}

std::string endpoint_of(const std::string& url) { return load().endpoint_of(url); }

std::unique_ptr<store::RoomStore> connect_room_store(const std::string& database_url,
                                                     const config::RoomMapping& mapping,
                                                     const store::StoreOptions& options) {
    return load().connect_room_store(database_url, mapping, options);
}

std::string probe_database(const std::string& database_url) {
    return load().probe_database(database_url);
}

http::WsExchange websocket_exchange(const http::WsExchangeOptions& options) {
    return load().websocket_exchange(options);
}

}  // namespace roomctl::io
