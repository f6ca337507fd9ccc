#!/usr/bin/env bash
# Data-parallel training across "hosts" of this machine (network namespaces on a bridge, links shaped with tbf:
# Tests/EndToEnd/netns-hosts.bash), for each network, host count, link rate and allreduce mode, one after the
# other in one run. Prints a markdown table: images/s, step time, the allreduce time per step (one allreduce
# after backward: measured after a barrier; buckets during backward: what is left after backward, waiting
# included) and the model's allreduce time for that link (Benchmarks/scaling_model.py, 30 us per hop).
# All hosts share this machine's cores, so the table measures what the network costs, not how compute scales.
# Needs root and the MPI build (swift build -c release --traits MPI --scratch-path .build-mpi). Not in CI (slow, noisy).
# Usage: [REPEATS=3] Benchmarks/multihost.sh [--quick]     (--quick: DeepConvNet only, 2 hosts)
source "$(dirname "$0")/../Tests/EndToEnd/common.bash"
source Tests/EndToEnd/netns-hosts.bash
CNNC=.build-mpi/release/cnnc
[ -x "$CNNC" ] && [ -x .build/release/cnnc ] || { echo "build both first: swift build -c release; swift build -c release --traits MPI --scratch-path .build-mpi"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root: the hosts are network namespaces"; exit 1; }
QUICK=${1:-}
grep -m 1 "model name" /proc/cpuinfo; nproc; mpirun --version | head -n 1
hosts_up 4 || exit 1
MPIRUN="$MPIRUN_HOSTS"

# DeepConvNet without dropout on the 5,000 MNIST digits; ResNet-18 (torchvision's) at 3x64x64 on 512 random
# images (timing only), batch 32.
grep -v dropout specs/deepconv.yaml > "$WORK/deepconv.yaml"
python3 - "$WORK/rgb64" << 'PY'
import numpy as np, os, sys
os.makedirs(sys.argv[1])
g = np.random.default_rng(1)
np.savez(f'{sys.argv[1]}/train.npz', x=g.integers(0, 256, (512, 64, 64, 3), dtype=np.uint8), y=g.integers(0, 10, 512).astype(np.int32))
np.savez(f'{sys.argv[1]}/test.npz', x=g.integers(0, 256, (64, 64, 64, 3), dtype=np.uint8), y=g.integers(0, 10, 64).astype(np.int32))
PY
networks=("deepconv|$WORK/deepconv.yaml|$DATA|3|123552|100|5000")
[ "$QUICK" = --quick ] || networks+=("resnet18-64|specs/zoo/resnet18.yaml --set input=[3,64,64] --batch 32 --set train.optimizer=sgd|$WORK/rgb64|2|11689512|32|512")
counts="2 4"; [ "$QUICK" = --quick ] && counts=2

model_ms() { # PARAMETERS HOSTS RATE PRECISION -> the ring allreduce's milliseconds per step, or - for an unshaped link
    python3 -c "
import re, sys
p, n, rate, width = int('$1'), int('$2'), '$3', 2 if '$4' == 'bf16' else 4
m = re.fullmatch(r'(\d+)gbit', rate)
if not m: print('-'); sys.exit()
print(f'{(2 * (n - 1) / n * width * p / (int(m[1]) * 1e9 / 8) + 2 * (n - 1) * 30e-6) * 1e3:.1f}')"
}
# Each configuration runs REPEATS times, the three allreduce modes in turn (A B C A B C ...): the figures are the
# median and range of those runs.
REPEATS=${REPEATS:-3}
echo
echo "| network | hosts | link | allreduce | images/s | step ms | allreduce ms/step | waiting ms/step | model allreduce ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for entry in "${networks[@]}"; do
    IFS='|' read -r name spec data epochs parameters batch images <<< "$entry"
    steps=$(( (images + batch - 1) / batch ))
    # One rank with one thread, no MPI: the images/s each host would reach alone (scaling efficiency's reference).
    : > "$WORK/lines-alone"
    for _ in $(seq "$REPEATS"); do
        rm -rf "$WORK/run"
        # shellcheck disable=SC2086
        .build/release/cnnc train $spec --data "$data" --epochs "$epochs" --threads 1 --out "$WORK/run" 2>&1 | grep "^epoch $epochs:" >> "$WORK/lines-alone"
    done
    python3 - "$WORK/lines-alone" "$name" "$steps" << 'PY'
import re, statistics, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l]
rates = sorted(float(re.search(r'(\d+) img/s', l)[1]) for l in lines)
seconds = sorted(float(re.search(r'  ([\d.]+) s  ', l)[1]) * 1e3 / int(sys.argv[3]) for l in lines)
print(f'| {sys.argv[2]} | 1 (no MPI, 1 thread) | - | - | {statistics.median(rates):,.0f} ({rates[0]:,.0f}-{rates[-1]:,.0f}) | '
      f'{statistics.median(seconds):,.1f} ({seconds[0]:,.1f}-{seconds[-1]:,.1f}) | - | - | - |')
PY
    for n in $counts; do
        for rate in none 10gbit 1gbit; do
            hosts_shape "$rate"
            : > "$WORK/lines-0-fp32"; : > "$WORK/lines-64-fp32"; : > "$WORK/lines-64-bf16"
            for _ in $(seq "$REPEATS"); do
                for mode in 0-fp32 64-fp32 64-bf16; do
                    rm -rf "$WORK/run"
                    # shellcheck disable=SC2086
                    if $MPIRUN -np "$n" $CNNC train $spec --data "$data" --epochs "$epochs" --threads 1 --bucket-kib "${mode%-*}" \
                        --allreduce-precision "${mode#*-}" --out "$WORK/run" > "$WORK/run.log" 2>&1; then
                        grep "^epoch $epochs:" "$WORK/run.log" >> "$WORK/lines-$mode"
                    else
                        echo "failed ($name, $n hosts, $rate, $mode): $(tail -n 3 "$WORK/run.log" | tr '\n' ' ')" >&2
                    fi
                done
            done
            for mode in 0-fp32 64-fp32 64-bf16; do
                python3 - "$WORK/lines-$mode" "$name" "$n" "$rate" "$(model_ms "$parameters" "$n" "$rate" "${mode#*-}")" "$steps" "${mode#*-}" << 'PY'
import re, statistics, sys
path, name, n, rate, model, steps, precision = sys.argv[1:8]
steps = int(steps)
lines = [l for l in open(path).read().splitlines() if l]
if not lines: sys.exit()
def cell(values, scale=1.0, places=1):
    values = sorted(v * scale for v in values)
    median = statistics.median(values)
    return f'{median:,.{places}f}' if len(values) == 1 else f'{median:,.{places}f} ({values[0]:,.{places}f}-{values[-1]:,.{places}f})'
seconds = [float(re.search(r'  ([\d.]+) s  ', l)[1]) for l in lines]
rates = [float(re.search(r'(\d+) img/s', l)[1]) for l in lines]
if 'left after backward' in lines[0]:
    mode = 'buckets of 64 KiB during backward' + (', bf16' if precision == 'bf16' else '')
    allreduce = [float(re.search(r'waiting included\) ([\d.]+) s', l)[1]) for l in lines]; waiting = '(included)'
else:
    mode = 'one, after backward'
    allreduce = [float(re.search(r'allreduce ([\d.]+) s', l)[1]) for l in lines]
    waiting = cell([float(re.search(r'waiting ([\d.]+) s', l)[1]) for l in lines], 1e3 / steps)
link = 'unshaped' if rate == 'none' else rate.replace('gbit', ' Gb/s')
print(f'| {name} | {n} | {link} | {mode} | {cell(rates, places=0)} | {cell(seconds, 1e3 / steps)} | {cell(allreduce, 1e3 / steps)} | {waiting} | {model} |')
PY
            done
        done
    done
done
