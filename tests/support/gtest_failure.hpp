#pragma once
// The FailureHandler unit tests give a ScriptedTransport (scripted_transport.hpp): each
// problem fails the running test, at the line that added the stub concerned when there is one.

#include <gtest/gtest.h>

#include <string>

#include "support/scripted_transport.hpp"

namespace roomctl::support {

inline void fail_test(const std::string& problem, const Site& where) {
    if (where.line > 0) {
        ADD_FAILURE_AT(where.file, where.line) << "ScriptedTransport: " << problem;
    } else {
        ADD_FAILURE() << "ScriptedTransport: " << problem;
    }
}

}  // namespace roomctl::support
