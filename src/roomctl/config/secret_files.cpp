// Files that hold or direct credentials: who may have written them (require_private_file) and
// reading a secret file (read_secret_file). settings_detail.hpp documents both.

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "roomctl/config/settings_detail.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::config::detail {

namespace fs = std::filesystem;

// Whoever can write a config or secret file decides where roomctl sends credentials and
// which account it acts on, so only the user running roomctl (or root) may be able to write
// it, as ssh demands of its config. Only regular files: pipes (--api-secret-file <(...)) and
// devices belong to the process or the system.
void require_private_file(const std::string& path, std::string_view what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw config_error(fmt::format(
            "{} {} is writable by {}, so someone else could redirect roomctl's credentials: "
            "chmod go-w {}",
            what, path, (st.st_mode & S_IWOTH) != 0 ? "others" : "its group", path));
    const uid_t me = ::geteuid();
    if (st.st_uid != me && st.st_uid != 0)
        throw config_error(fmt::format(
            "{} {} is owned by uid {}, not by you (uid {}) or root, so someone else decides "
            "roomctl's credentials: chown {} {} (or use a copy of your own)",
            what, path, st.st_uid, me, me, path));
}

// Reads a secret file (settings_detail.hpp has the whitespace rule). Messages name the path,
// never the content.
std::string read_secret_file(const std::string& path, const std::string& from,
                             std::vector<std::string>& warnings) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw config_error(
            fmt::format("cannot read API secret file {} (from {}): it is a directory", path, from));
    require_private_file(path, "secret file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw config_error(fmt::format("cannot read API secret file {} (from {}): {}", path, from,
                                       err != 0 ? std::strerror(err) : "open failed"));
    }
    std::string content{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad())
        throw config_error(fmt::format("cannot read API secret file {} (from {})", path, from));
    // One final "\n" is how editors end a line. Anything else trailing (CRLF, a blank line,
    // spaces) would become part of the secret and tokens signed with it fail at the server
    // while roomctl reports success, so it is dropped, and said.
    const bool one_newline = !content.empty() && content.back() == '\n';
    if (one_newline) content.pop_back();
    const auto end = content.find_last_not_of(" \t\r\n\v\f");
    const std::size_t kept = end == std::string::npos ? 0 : end + 1;
    if (kept < content.size()) {
        content.resize(kept);
        if (!content.empty())
            warnings.push_back(fmt::format(
                "secret file {} (from {}) ends in whitespace beyond one final newline (CRLF, "
                "spaces or blank lines); roomctl ignores it: remove it from the file",
                path, from));
    }
    if (content.empty())
        throw config_error(fmt::format("API secret file {} (from {}) is empty", path, from));
    return content;
}

}  // namespace roomctl::config::detail
