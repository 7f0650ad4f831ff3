#pragma once
// Exit codes of roomctl, defined once here and documented in README.md ("Exit codes").

#include "roomctl/util/error.hpp"

namespace roomctl {

enum class ExitCode : int {
    ok = 0,       // success; audit found the database and server in sync
    failure = 1,  // runtime failure: unreachable, server 5xx, database error
    usage = 2,    // bad command line (CLI11's own 1xx codes never leak)
    config = 3,   // configuration error (missing setting, bad mapping, unreadable file)
    auth = 4,     // credentials refused (outside `check`, which reports it as a probe)
    drift = 5,    // audit found differences; check had a failed probe; token invalid
    partial = 6,  // some actions failed, the rest were done; rooms list: some participant
                  // counts could not be read (shown as unknown)
    locked = 7,   // another recreate/cleanup --apply holds the lock; nothing was changed
    unsafe = 8,   // refused as unsafe: the picture of the database or server cannot be
                  // trusted (RLS, unknown statuses, name mismatch, pooler, --max-deletes);
                  // nothing was changed
    interrupted = 130,
};

constexpr ExitCode exit_code_for(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::usage:
            return ExitCode::usage;
        case ErrorKind::config:
            return ExitCode::config;
        case ErrorKind::auth:
            return ExitCode::auth;
        case ErrorKind::interrupted:
            return ExitCode::interrupted;
        case ErrorKind::locked:
            return ExitCode::locked;
        case ErrorKind::unsafe:
            return ExitCode::unsafe;
        case ErrorKind::runtime:
            break;
    }
    return ExitCode::failure;
}

constexpr int to_int(ExitCode c) noexcept { return static_cast<int>(c); }

}  // namespace roomctl
