#include "roomctl/util/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace roomctl {

namespace {

std::string_view undashed(std::string_view s) {
    while (!s.empty() && s.front() == '-') s.remove_prefix(1);
    return s;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows suffice for optimal string alignment: the current, previous and the one before.
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    std::iota(prev.begin(), prev.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        before.swap(prev);
        prev.swap(cur);
    }
    return prev[b.size()];
}

std::vector<std::string> suggestions(std::string_view typed,
                                     const std::vector<std::string>& candidates) {
    const auto word = undashed(typed);
    if (word.empty()) return {};
    if (std::find(candidates.begin(), candidates.end(), typed) != candidates.end()) return {};
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& c : candidates) {
        const auto name = undashed(c);
        std::size_t d = edit_distance(word, name);
        // A prefix is a good guess however much is missing ("--dry" for "--dry-run").
        if (d > limit && word.size() >= 3 && name.substr(0, word.size()) == word) d = limit;
        if (d <= limit) scored.emplace_back(d, c);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (auto& [d, c] : scored) {
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    }
    return out;
}

std::string did_you_mean(const std::vector<std::string>& suggested) {
    if (suggested.empty()) return {};
    std::string out = "'" + suggested[0] + "'";
    if (suggested.size() > 1) out += " or '" + suggested[1] + "'";
    return out;
}

}  // namespace roomctl
