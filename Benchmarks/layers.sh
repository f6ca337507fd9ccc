#!/usr/bin/env bash
# Where a network's training step loses to PyTorch, conv by conv, and how far each conv is from the machine's limit.
# For one zoo network (zoo.sh's batch and input, Adam on both sides), in turn for --rounds rounds: `cnnc bench --json`
# (cnnc's per-layer times), torch_layers.py (PyTorch's, from its profiler) and fma_peak.c (the FMA limit of the
# threads, measured: on a shared machine it moves with the neighbours' load, so it is measured in every round).
# Prints every conv with its shape, both sides' forward and backward ms (the faster round of each), the ratio
# (PyTorch's time / cnnc's: above 1 is cnnc faster) and cnnc's share of the limit; then the convs grouped by shape,
# the step's batchnorm time on both sides, and the rest. With --inference, the same for inference against ONNX Runtime
# on the network exported from PyTorch (ort_layers.py, from its profiler), forward passes only, at --batch images
# (default 1). Not part of CI.
#
# usage: bash Benchmarks/layers.sh [--rounds N] [--iters N] [--threads N] [--inference [--batch N]] [NETWORK]
#   (default resnet50, 2 rounds, training)
#   ZOO_VENV  as zoo.sh (torch and torchvision from PyPI; default .venv-zoo)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=2
ITERS=5
THREADS=2
NET=resnet50
INFERENCE=
BATCH=
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --iters) ITERS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --inference) INFERENCE=1; shift ;;
        --batch) BATCH=$2; shift 2 ;;
        resnet18|resnet50|mobilenetv2|resnet20) NET=$1; shift ;;
        *) echo "usage: $0 [--rounds N] [--iters N] [--threads N] [--inference [--batch N]] [resnet18|resnet50|mobilenetv2|resnet20]" >&2
           exit 2 ;;
    esac
done
[ -z "$BATCH" ] || [ -n "$INFERENCE" ] || { echo "$0: --batch goes with --inference (training uses zoo.sh's batch)" >&2; exit 2; }
VENV=${ZOO_VENV:-.venv-zoo}
[ -x "$VENV/bin/python" ] || { echo "$0: no $VENV: run Benchmarks/zoo.sh once (it makes it), or set ZOO_VENV" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product cnnc > /dev/null
cc -O2 -pthread Benchmarks/fma_peak.c -o "$WORK/fma_peak"
case $NET in resnet20) spec=specs/resnet20.yaml; batch=128; input="3 32 32" ;; *) spec=specs/zoo/$NET.yaml; batch=8; input="3 224 224" ;; esac
read -r c h w <<< "$input"
if [ -n "$INFERENCE" ]; then
    batch=${BATCH:-1}
    "$VENV/bin/python" Benchmarks/torch_zoo_bench.py "$spec" --batch 1 --input "$c" "$h" "$w" --export "$WORK/$NET.onnx" \
        > /dev/null 2> "$WORK/export.log" || { cat "$WORK/export.log" >&2; exit 1; }
fi
unit=steps; [ -z "$INFERENCE" ] || unit=batches
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $NET, ${INFERENCE:+inference, }batch $batch," \
     "$THREADS threads, $ROUNDS rounds of $ITERS $unit"
for round in $(seq "$ROUNDS"); do
    echo "round $round of $ROUNDS ..." >&2
    if [ -n "$INFERENCE" ]; then
        .build/release/cnnc bench "$spec" --batch "$batch" --input "${c}x${h}x${w}" --threads "$THREADS" --iters "$ITERS" \
            --inference-only --json > "$WORK/cnnc.$round.json"
        "$VENV/bin/python" Benchmarks/ort_layers.py "$WORK/$NET.onnx" --batch "$batch" --threads "$THREADS" --iters "$ITERS" \
            > "$WORK/ort.$round.json" 2> "$WORK/ort.log" || { cat "$WORK/ort.log" >&2; exit 1; }
    else
        .build/release/cnnc bench "$spec" --batch "$batch" --input "${c}x${h}x${w}" --threads "$THREADS" --iters "$ITERS" \
            --set train.optimizer=adam --json > "$WORK/cnnc.$round.json"
        "$VENV/bin/python" Benchmarks/torch_layers.py "$spec" --batch "$batch" --input "$c" "$h" "$w" --threads "$THREADS" \
            --iters "$ITERS" > "$WORK/torch.$round.json" 2> "$WORK/torch.log" || { cat "$WORK/torch.log" >&2; exit 1; }
    fi
    "$WORK/fma_peak" "$THREADS" > "$WORK/peak.$round"
done
python3 Benchmarks/layers_table.py "$WORK" "$ROUNDS" "$batch" ${INFERENCE:+--inference}
