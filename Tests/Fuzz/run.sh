#!/usr/bin/env bash
# Builds the libFuzzer targets (Tests/Fuzz) and runs each for SECONDS (default 60) from a seed corpus
# made of specs/, a checkpoint, IDX files and small images. A crash, a trap, a leak-free out-of-memory
# (-rss_limit_mb) or a timeout is a finding: its input is kept in Tests/Fuzz/findings/ and the script
# fails. For hours: Tests/Fuzz/run.sh 3600 spec (the corpus in .build-fuzz/corpus/ grows across runs).
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]    targets: spec safetensors idx png pgm npy npz cifar jpeg
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec safetensors idx png pgm npy npz cifar jpeg)
swift build -c release --package-path Tests/Fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | tail -n 1
FUZZ=.build-fuzz/release/cnnc-fuzz
[ -x "$FUZZ" ] || { echo "the fuzz targets did not build"; exit 1; }
CORPUS=.build-fuzz/corpus
mkdir -p "$CORPUS" Tests/Fuzz/findings
python3 Tests/Fuzz/seeds.py "$CORPUS" "${MNIST_DIR:-data/mnist}"

passed=0; failed=0
for target in "${targets[@]}"; do
    mkdir -p "$CORPUS/$target"
    log=.build-fuzz/$target.log
    CNNC_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 "$FUZZ" "$CORPUS/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="Tests/Fuzz/findings/$target-" -print_final_stats=1 > "$log" 2>&1
    status=$?
    runs=$(grep -m 1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ $status -eq 0 ]; then
        passed=$((passed + 1)); echo "ok   fuzz $target: ${runs:-?} inputs in ${seconds}s, no crash"
    else
        failed=$((failed + 1)); echo "FAIL fuzz $target (exit $status): input kept in Tests/Fuzz/findings/"
        grep -E 'ERROR|Fatal error|SUMMARY|==[0-9]+==' "$log" | head -n 8
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
