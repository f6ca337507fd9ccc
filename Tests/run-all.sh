#!/usr/bin/env bash
# The whole test suite: unit tests and gradient checks (swift test), then end-to-end checks
# that use the release binaries on real data (Tests/EndToEnd/*.sh): the plain build in .build
# and the build with the MPI trait in .build-mpi (data-parallel training under mpirun). Every end-to-end script runs
# even when an earlier one fails; the exit status is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cnnc
swift build -c release --product cnnc --traits MPI --scratch-path .build-mpi
swift test
failed=()
for script in Tests/EndToEnd/*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    started=$SECONDS
    bash "$script" || failed+=("$script")
    echo "== $script: $((SECONDS - started)) s"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "end-to-end failures: ${failed[*]}"
    exit 1
fi
echo "all tests passed"
