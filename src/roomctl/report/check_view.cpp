#include "roomctl/report/check_view.hpp"

#include <fmt/format.h>

#include "roomctl/report/color.hpp"
#include "roomctl/report/json.hpp"

namespace roomctl::report {

using nlohmann::json;

json check_json(const check::CheckReport& r) {
    json probes = json::array();
    std::size_t failed = 0;
    for (const auto& p : r.probes) {
        if (p.status == check::ProbeStatus::failed) ++failed;
        probes.push_back({{"name", p.name},
                          {"target", p.target},
                          {"status", check::to_string(p.status)},
                          {"message", p.message},
                          {"duration_ms", p.duration.count()}});
    }
    json doc = envelope("check");
    doc["ok"] = r.ok();
    doc["failed"] = failed;
    doc["probes"] = probes;
    return doc;
}

std::string render_check(const check::CheckReport& r, const TextStyle& style) {
    std::string out;
    std::size_t failed = 0;
    for (const auto& p : r.probes) {
        // -q: only the failed probes (and the count) print; all passed prints nothing.
        if (style.quiet && p.status != check::ProbeStatus::failed) continue;
        std::string mark;
        switch (p.status) {
            case check::ProbeStatus::ok:
                mark = paint(style.color, "32", "ok    ");
                break;
            case check::ProbeStatus::failed:
                mark = paint(style.color, "31", "FAILED");
                ++failed;
                break;
            case check::ProbeStatus::skipped:
                mark = paint(style.color, "33", "skip  ");
                break;
        }
        out += fmt::format("{}  {:<17} {}\n", mark, p.name, p.message);
    }
    if (style.quiet && failed == 0) return "";
    out += failed ? fmt::format("{} of {} probes failed\n", failed, r.probes.size())
                  : fmt::format("all {} probes passed\n", r.probes.size());
    return out;
}

}  // namespace roomctl::report
