#pragma once
// The single error type of roomctl. Every failure that reaches the user is an Error whose
// kind decides the exit code (see exit_code.hpp, the only place that maps kinds to numbers).

#include <stdexcept>
#include <string>

namespace roomctl {

enum class ErrorKind {
    runtime,      // unreachable server, server 5xx, database error, unexpected response
    usage,        // bad command-line input (flag values, arguments)
    config,       // missing or invalid settings, room-table mapping that does not exist
    auth,         // credentials refused by the media server or the database
    interrupted,  // SIGINT / SIGTERM while working
    locked,       // another run holds the advisory lock for this table
    unsafe,       // the run's picture of the database or server cannot be trusted: refused,
                  // nothing was changed ("doubt means no")
};

// what() is one line in operator words: what is wrong and, where known, what to do.
// It never contains a secret: callers build messages from redacted values only.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const noexcept { return m_kind; }

private:
    ErrorKind m_kind;
};

inline Error usage_error(const std::string& m) { return {ErrorKind::usage, m}; }
inline Error config_error(const std::string& m) { return {ErrorKind::config, m}; }
inline Error runtime_error(const std::string& m) { return {ErrorKind::runtime, m}; }
inline Error auth_error(const std::string& m) { return {ErrorKind::auth, m}; }
inline Error locked_error(const std::string& m) { return {ErrorKind::locked, m}; }
inline Error unsafe_error(const std::string& m) { return {ErrorKind::unsafe, m}; }

}  // namespace roomctl
