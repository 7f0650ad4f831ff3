#!/usr/bin/env bash
# Negative self-test of scripts/check-includes.sh. Each case copies the tree to a temporary
# directory, adds one forbidden thing to the copy, and expects the check to fail with a line
# that names the file, the edge and ARCHITECTURE.md. Without this test, a check that passed
# everything would look the same as a check that works.
#
#   tests/shell/include_check_test.sh SOURCE_DIR
set -euo pipefail

src=${1:?usage: include_check_test.sh SOURCE_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/include-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fresh_copy() {
    rm -rf "$tmp/tree"
    mkdir -p "$tmp/tree/scripts"
    cp -r "$src/src" "$src/commands" "$src/ARCHITECTURE.md" "$tmp/tree/"
    cp "$src/scripts/check-includes.sh" "$tmp/tree/scripts/"
}

# expect_failure NAME REGEX: the check on the copy exits 1 and prints a line matching REGEX.
expect_failure() {
    local name=$1 pattern=$2 rc=0
    bash "$tmp/tree/scripts/check-includes.sh" "$tmp/tree" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [[ $rc -ne 1 ]]; then
        echo "FAIL $name: check exited $rc, expected 1; stdout:"; cat "$tmp/out" "$tmp/err"
        failures=$((failures + 1))
    elif ! grep -Eq -- "$pattern" "$tmp/out"; then
        echo "FAIL $name: no line matching /$pattern/; stdout:"; cat "$tmp/out"
        failures=$((failures + 1))
    else
        echo "ok   $name: $(grep -E -m1 -- "$pattern" "$tmp/out")"
    fi
}

# The baseline has to pass. Otherwise a failure below would prove nothing.
fresh_copy
if ! bash "$tmp/tree/scripts/check-includes.sh" "$tmp/tree" >"$tmp/out" 2>&1; then
    echo "FAIL baseline: the unchanged tree already fails the check:"; cat "$tmp/out"
    exit 1
fi
echo "ok   baseline passes"

# An upward edge: util/ including reconcile/.
fresh_copy
echo '#include "roomctl/reconcile/plan.hpp"' >>"$tmp/tree/src/roomctl/util/duration.hpp"
line=$(wc -l <"$tmp/tree/src/roomctl/util/duration.hpp")
expect_failure upward_edge \
    "^src/roomctl/util/duration.hpp:$line: util -> reconcile: .*see ARCHITECTURE.md$"

# token/ is the generic JWT leaf: a provider's token rules live with the provider, so token/
# including livekit/ (which includes token/) is refused.
fresh_copy
echo '#include "roomctl/livekit/access_token.hpp"' >>"$tmp/tree/src/roomctl/token/jwt.cpp"
expect_failure token_is_a_leaf "^src/roomctl/token/jwt.cpp:[0-9]+: token -> livekit: "

# CLI11 anywhere in the core.
fresh_copy
echo '#include <CLI/CLI.hpp>' >>"$tmp/tree/src/roomctl/report/text.cpp"
expect_failure cli11_in_core "^src/roomctl/report/text.cpp:[0-9]+: report -> CLI11 "

# The core including commands/.
fresh_copy
echo '#include "commands/context.hpp"' >>"$tmp/tree/src/roomctl/store/lock_key.cpp"
expect_failure commands_from_core "^src/roomctl/store/lock_key.cpp:[0-9]+: store -> commands "

# A new folder that ARCHITECTURE.md does not describe.
fresh_copy
mkdir "$tmp/tree/src/roomctl/undocumented"
echo '#pragma once' >"$tmp/tree/src/roomctl/undocumented/x.hpp"
expect_failure undocumented_folder "^src/roomctl/undocumented/: folder has no include-rules line"

# Rules that allow a cycle: util allowed to include config, which may include util.
fresh_copy
sed -i 's/^util:$/util: config/' "$tmp/tree/ARCHITECTURE.md"
expect_failure rules_cycle "include-rules allow a cycle: "

if [[ $failures -ne 0 ]]; then
    echo "$failures case(s) failed"
    exit 1
fi
echo "all cases passed"
