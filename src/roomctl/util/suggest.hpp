#pragma once
// "Did you mean ...?" for a mistyped command or flag: the candidates closest to what was typed,
// by edit distance (optimal string alignment: an insertion, deletion, substitution or swap of
// two neighbours costs 1), as git, kubectl and gh suggest.

#include <string>
#include <string_view>
#include <vector>

namespace roomctl {

// Edit distance between `a` and `b` (transpositions of neighbours count 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates close enough to `typed` to be what was meant, best first (ties keep the
// candidates' order): distance at most max(1, length/3) (leading dashes ignored), or `typed` is
// a prefix of the candidate of at least 3 characters ("--dry" for "--dry-run"). Empty when
// nothing is close, or when `typed` itself is a candidate.
std::vector<std::string> suggestions(std::string_view typed,
                                     const std::vector<std::string>& candidates);

// "'audit'" or "'audit' or 'audits'": the first two suggestions quoted for a message; empty
// when there are none.
std::string did_you_mean(const std::vector<std::string>& suggested);

}  // namespace roomctl
