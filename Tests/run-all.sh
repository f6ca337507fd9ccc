#!/usr/bin/env bash
# The whole test suite: unit tests and gradient checks (swift test), then end-to-end checks
# that use the release binary on real data (Tests/EndToEnd/*.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cnnc
swift test
for script in Tests/EndToEnd/*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    bash "$script"
done
