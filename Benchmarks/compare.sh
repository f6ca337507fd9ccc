#!/usr/bin/env bash
# cnnc against PyTorch on DeepConvNet, batch 100, measured one after the other in the same run:
# training and inference images/s, peak resident memory (/usr/bin/time, whole process), and the ratios.
# Not part of CI (shared machines are noisy; compare ratios from one run, not figures across runs).
#
# usage: Benchmarks/compare.sh [--iters N] [--threads "1 2"]
#   TORCH_VENV  a virtual environment with PyTorch from PyPI (default: .venv-torch; made with
#               `python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy`, ~5 GB)
#   ONNX_VENV   a virtual environment with onnxruntime and numpy (default: .venv-onnx), for the
#               ONNX Runtime inference comparison of the exported DeepConvNet
#   MNIST_DIR   data for the PyTorch script (default ../shared/datasets/mnist-5k)
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=100
THREADS="1 2"
while [ $# -gt 0 ]; do
    case $1 in
        --iters) ITERS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        *) echo "usage: $0 [--iters N] [--threads \"1 2\"]" >&2; exit 2 ;;
    esac
done
VENV=${TORCH_VENV:-.venv-torch}
DATA=${MNIST_DIR:-../shared/datasets/mnist-5k}
PEER=../shared/peers/torch_deepconv.py
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

swift build -c release --product cnnc > /dev/null
CNNC=.build/release/cnnc
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
     "$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo 'AVX2 + FMA, no AVX-512')"

# peer NAME PYTHON THREADS: prints "train infer rss_bytes" for the PyTorch script
peer() {
    /usr/bin/time -f %M -o "$WORK/rss" "$2" "$PEER" "$DATA" --threads "$3" --iters "$ITERS" > "$WORK/out" 2> "$WORK/err" || {
        echo "  $1 failed: $(tail -n 1 "$WORK/err")" >&2; return 1; }
    local train infer
    train=$(grep -o 'train_images_per_s=[0-9.]*' "$WORK/out" | cut -d= -f2)
    infer=$(grep -o 'infer_images_per_s=[0-9.]*' "$WORK/out" | cut -d= -f2)
    echo "$train $infer $(( $(cat "$WORK/rss") * 1024 ))"
}

# cnnc_run KERNELS THREADS: prints "train infer rss_bytes" for cnnc bench
cnnc_run() {
    /usr/bin/time -f %M -o "$WORK/rss" $CNNC bench specs/deepconv.yaml --batch 100 --threads "$2" --iters "$ITERS" \
        --kernels "$1" --json > "$WORK/bench.json"
    python3 -c "import json; r = json.load(open('$WORK/bench.json')); print(r['train_images_per_s'], r['infer_images_per_s'], end=' ')"
    echo $(( $(cat "$WORK/rss") * 1024 ))
}

printf '\n%-34s %7s %9s %9s %10s %12s %12s\n' "DeepConvNet, batch 100" threads "train/s" "infer/s" "peak MiB" "train ratio" "infer ratio"
for t in $THREADS; do
    base=""
    declare -A rows=()
    if [ -x "$VENV/bin/python" ] && row=$(peer "PyTorch (PyPI)" "$VENV/bin/python" "$t"); then
        version=$("$VENV/bin/python" -c 'import torch; print(torch.__version__)')
        rows["PyTorch $version (PyPI)"]=$row; base=$row
    else
        echo "  (no PyTorch venv at $VENV: see the usage above)" >&2
    fi
    if /usr/bin/python3 -c 'import torch' 2> /dev/null && row=$(peer "PyTorch (Debian)" /usr/bin/python3 "$t"); then
        version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
        rows["PyTorch $version (Debian)"]=$row; base=${base:-$row}
    fi
    for k in fastest direct im2col; do rows["cnnc ($k kernels)"]=$(cnnc_run "$k" "$t"); done
    for name in "${!rows[@]}"; do
        read -r train infer rss <<< "${rows[$name]}"
        if [ -n "$base" ]; then
            read -r btrain binfer _ <<< "$base"
            ratios=$(python3 -c "print(f'{$train / $btrain:.2f}x {$infer / $binfer:.2f}x')")
        else
            ratios="- -"
        fi
        printf '%-34s %7s %9.0f %9.0f %10.0f %12s %12s\n' "$name" "$t" "$train" "$infer" "$(( rss / 1048576 ))" $ratios
    done | sort
    unset rows
done
# ONNX Runtime, the engine people deploy: inference of the exported DeepConvNet at batch 1, 100, 1,000.
OVENV=${ONNX_VENV:-.venv-onnx}
if [ -x "$OVENV/bin/python" ]; then
    $CNNC train specs/deepconv.yaml --data "$DATA" --epochs 1 --out "$WORK/weights" > /dev/null
    $CNNC export specs/deepconv.yaml --weights "$WORK/weights/last.safetensors" -o "$WORK/deepconv.onnx" > /dev/null
    printf '\n%-34s %7s %6s %9s %12s\n' "DeepConvNet inference" threads batch "images/s" "cnnc / ORT"
    for t in $THREADS; do
        "$OVENV/bin/python" Benchmarks/onnxruntime_bench.py "$WORK/deepconv.onnx" --threads "$t" --iters "$ITERS" > "$WORK/ort"
        for b in 1 100 1000; do
            ort=$(grep "batch=$b " "$WORK/ort" | grep -o 'infer_images_per_s=[0-9.]*' | cut -d= -f2)
            ours=$($CNNC bench specs/deepconv.yaml --batch "$b" --threads "$t" --iters "$([ "$b" -eq 1000 ] && echo 5 || echo "$ITERS")" --json \
                | python3 -c "import json, sys; print(json.load(sys.stdin)['infer_images_per_s'])")
            version=$(head -n 1 "$WORK/ort" | cut -d' ' -f2)
            printf '%-34s %7s %6s %9.0f\n' "ONNX Runtime $version" "$t" "$b" "$ort"
            printf '%-34s %7s %6s %9.0f %11sx\n' "cnnc" "$t" "$b" "$ours" "$(python3 -c "print(f'{$ours / $ort:.2f}')")"
        done
    done
else
    echo "  (no onnxruntime venv at $OVENV: python3 -m venv $OVENV && $OVENV/bin/pip install onnxruntime numpy)" >&2
fi

echo
echo "ratios are to the first PyTorch row of the same thread count (PyPI when present); peak MiB is the whole process (/usr/bin/time)"
