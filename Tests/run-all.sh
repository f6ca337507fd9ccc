#!/usr/bin/env bash
# The whole test suite: unit tests and gradient checks (swift test), then end-to-end checks
# that use the release binary on real data (Tests/EndToEnd/*.sh). Every end-to-end script runs
# even when an earlier one fails; the exit status is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cnnc
swift test
failed=()
for script in Tests/EndToEnd/*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    bash "$script" || failed+=("$script")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "end-to-end failures: ${failed[*]}"
    exit 1
fi
echo "all tests passed"
