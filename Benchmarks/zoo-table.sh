#!/usr/bin/env bash
# The README's zoo table: `cnnc params --markdown` over specs/zoo (learned params, batchnorm buffers,
# conv+linear multiply-adds, other operations, receptive field of the last conv or pooling layer), with one
# column added here, the time of `cnnc check` on the spec (the fastest of 5 whole-process runs, in ms).
#
# usage: bash Benchmarks/zoo-table.sh [SPEC...]   (default specs/zoo/*.yaml; needs the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
CNNC=.build/release/cnnc
[ $# -gt 0 ] || set -- specs/zoo/*.yaml
check_ms() { # the fastest of 5 runs of `cnnc check SPEC`, in milliseconds
    python3 - "$CNNC" "$1" <<'PY'
import subprocess, sys, time
best = float('inf')
for _ in range(5):
    start = time.perf_counter()
    subprocess.run([sys.argv[1], 'check', sys.argv[2]], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - start)
print(f'{best * 1000:.0f}')
PY
}
row=0
while IFS= read -r line; do
    row=$((row + 1))
    case $row in
        1) echo "$line \`cnnc check\` |" ;;
        2) echo "$line ---: |" ;;
        *) echo "$line $(check_ms "$1") ms |"; shift ;;
    esac
done < <($CNNC params --markdown "$@")
