#pragma once
// `roomctl explain`, the reasoning: from Facts alone, the chain of causes that stops a user
// joining, in plain words, and the one command that fixes the first of them. Pure: no I/O and
// no clock reads (Facts::now), so every explanation is unit-tested from crafted facts.
//
// The incidents it must explain (the seeds in /work/shared/seeds):
//   - "Session not found": the app names the room "session-{token}" but looks the row up by
//     that name, while the row stores "{token}" (cause name_prefix);
//   - "invalid authorization token": a token signed with another secret (wrong_secret), issued
//     by another key (unknown_key), not valid yet because the minting clock runs ahead
//     (clock_skew), expired (expired), or for another room (token_other_room);
//   - "requested room does not exist": the row still says pending while its room closed after
//     the server's empty timeout (room_closed), or was never created (never_created), or lives
//     under another name (name_mismatch, naming_differs).
//   - "could not establish signal connection" (close code 1006): the WebSocket join to /rtc,
//     probed only when nothing before it stops the join, fails; a proxy dropping Upgrade and
//     Connection (signal_proxy_headers) or another step (signal_failed, the probe's sentence).
// Cause codes are stable (JSON `causes[].code`); texts are one line each.

#include <string>
#include <vector>

#include "roomctl/explain/facts.hpp"

namespace roomctl::explain {

struct Cause {
    std::string code;
    std::string text;  // one line: what is wrong and why it stops the join
};

struct Explanation {
    std::vector<Cause> causes;  // in the order they bite: the first is what the user hits
    // What the user most likely saw, in the words of the app or server ("Session not found",
    // "requested room does not exist", "invalid authorization token"); empty when unknown.
    std::string symptom;
    std::string fix;  // the one command (or change) that fixes the first cause; empty if none
    // Valid but dangerous: what does not stop this join but does harm (one line each).
    std::vector<std::string> warnings;
    bool ok() const { return causes.empty(); }
};

Explanation explain(const Facts& facts);

// The row the explanation is about: the first live row, else the first row; null when none.
const RowFacts* chosen_row(const Facts& facts);

}  // namespace roomctl::explain
