#!/usr/bin/env bash
# Data-parallel layouts on this machine, one after the other in one run: DeepConvNet on the 5,000
# MNIST digits, 3 epochs each, as 1 process x 1 thread, 1 process x 2 threads and 2 ranks x 1 thread
# (mpirun). Prints training images/s of the last epoch and, for MPI, the share of each step spent in
# the gradient allreduce and waiting for the slower rank. Needs the MPI build:
#   swift build -c release --traits MPI --scratch-path .build-mpi
# Usage: Benchmarks/mpi-layouts.sh [SPEC] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
CNNC=.build-mpi/release/cnnc
SPEC=${1:-specs/deepconv.yaml}
EPOCHS=${2:-3}
DATA=${MNIST_DIR:-../shared/datasets/mnist-5k}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -x "$CNNC" ] || { echo "build it first: swift build -c release --traits MPI --scratch-path .build-mpi"; exit 1; }
grep -m 1 "model name" /proc/cpuinfo
last_epoch() { grep "^epoch $EPOCHS:" "$1"; }
rate() { last_epoch "$1" | grep -o '[0-9]* img/s' | cut -d' ' -f1; }

$CNNC train "$SPEC" --data "$DATA" --epochs "$EPOCHS" --threads 1 --out "$WORK/t1" > "$WORK/t1.log"
$CNNC train "$SPEC" --data "$DATA" --epochs "$EPOCHS" --threads 2 --out "$WORK/t2" > "$WORK/t2.log"
mpirun --allow-run-as-root -np 2 $CNNC train "$SPEC" --data "$DATA" --epochs "$EPOCHS" --out "$WORK/r2" > "$WORK/r2.log"
one=$(rate "$WORK/t1.log"); two=$(rate "$WORK/t2.log"); ranks=$(rate "$WORK/r2.log")
printf '%-28s %8s images/s\n' "1 process x 1 thread" "$one" "1 process x 2 threads" "$two" "2 ranks x 1 thread (MPI)" "$ranks"
python3 -c "print(f'2 ranks / 2 threads: {$ranks / $two:.2f}x; 2 threads / 1 thread: {$two / $one:.2f}x; 2 ranks / 1 thread: {$ranks / $one:.2f}x')"
last_epoch "$WORK/r2.log" | sed 's/.*img\/s  /MPI, last epoch: /'
