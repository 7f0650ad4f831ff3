#include "roomctl/report/color.hpp"

namespace roomctl::report {

bool color_enabled(bool is_tty, std::string_view no_color_env, bool no_color_flag,
                   std::string_view term) {
    if (!is_tty || no_color_flag || !no_color_env.empty()) return false;
    return term != "dumb";
}

std::string paint(bool on, std::string_view code, std::string_view text) {
    if (!on) return std::string{text};
    std::string out;
    out.reserve(text.size() + code.size() + 7);
    out.append("\x1b[").append(code).append("m").append(text).append("\x1b[0m");
    return out;
}

}  // namespace roomctl::report
