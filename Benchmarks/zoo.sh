#!/usr/bin/env bash
# cnnc against PyTorch (torchvision's models, PyPI) and ONNX Runtime on real networks, measured one after the other
# in one run: training step (forward, cross-entropy, backward, Adam) and inference images/s, their ratios (cnnc's
# figure divided by the peer's: above 1 is cnnc faster), and peak
# resident memory (/usr/bin/time, whole process). ONNX Runtime runs the PyTorch model exported with torch.onnx.export
# at batch 1 and 32; at batch 1 both sides time 20 × --iters batches (a ResNet-20 batch is under a millisecond, and a
# median of five such is mostly the machine's noise). The inference rows take --rounds rounds (default 2), each ONNX
# Runtime then cnnc on the whole number of batches, and give each side's median and the median and range of the rounds'
# ratios: on a machine whose speed moves from minute to minute, a pair seconds apart compares like with like (a round
# of a third of the batches was not enough for cnnc's batch-1 figure to settle). Not part of CI (shared machines are
# noisy: compare ratios from one run, not figures across runs).
#
# usage: bash Benchmarks/zoo.sh [--iters N] [--threads N] [--rounds N] [NETWORK...]
#   networks: resnet18 resnet50 mobilenetv2 (batch 8, 3×224×224) and resnet20 (specs/resnet20.yaml, batch 128,
#   3×32×32); default all four.
#   ZOO_VENV  a virtual environment with torch, torchvision, onnx, onnxruntime and numpy from PyPI (default .venv-zoo,
#             made here on first use: ~5 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=10
THREADS=2
ROUNDS=2
NETWORKS=()
while [ $# -gt 0 ]; do
    case $1 in
        --iters) ITERS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        resnet18|resnet50|mobilenetv2|resnet20) NETWORKS+=("$1"); shift ;;
        *) echo "usage: $0 [--iters N] [--threads N] [--rounds N] [resnet18|resnet50|mobilenetv2|resnet20 ...]" >&2; exit 2 ;;
    esac
done
[ "$ROUNDS" -ge 1 ] 2> /dev/null || { echo "--rounds must be a whole number of at least 1" >&2; exit 2; }
[ ${#NETWORKS[@]} -gt 0 ] || NETWORKS=(resnet18 resnet50 mobilenetv2 resnet20)
VENV=${ZOO_VENV:-.venv-zoo}
if [ ! -x "$VENV/bin/python" ]; then
    echo "making $VENV (torch, torchvision, onnx, onnxruntime from PyPI) ..." >&2
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q torch torchvision onnx onnxruntime numpy >&2
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product cnnc > /dev/null
CNNC=.build/release/cnnc
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
     "$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo 'AVX2 + FMA, no AVX-512'); $THREADS threads, median of $ITERS"
echo "peers: PyTorch $("$VENV/bin/python" -c 'import torch; print(torch.__version__)'), ONNX Runtime $("$VENV/bin/python" -c 'import onnxruntime; print(onnxruntime.__version__)')"

spec_of() { case $1 in resnet20) echo specs/resnet20.yaml ;; *) echo "specs/zoo/$1.yaml" ;; esac; }
batch_of() { case $1 in resnet20) echo 128 ;; *) echo 8 ;; esac; }
input_of() { case $1 in resnet20) echo "3 32 32" ;; *) echo "3 224 224" ;; esac; }
json_field() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$1" "$2"; }
mib() { echo $(( $(cat "$1") / 1024 )); }

printf '\n%-12s %6s %11s %11s %7s %11s %11s %7s %10s %10s\n' network batch "cnnc train" "torch train" ratio \
    "cnnc infer" "torch infer" ratio "cnnc MiB" "torch MiB"
for net in "${NETWORKS[@]}"; do
    spec=$(spec_of "$net"); batch=$(batch_of "$net"); read -r c h w <<< "$(input_of "$net")"
    # Adam on both sides, whatever the spec trains with (its state is part of the peak memory).
    /usr/bin/time -f %M -o "$WORK/rss.cnnc" $CNNC bench "$spec" --batch "$batch" --input "${c}x${h}x${w}" --threads "$THREADS" \
        --iters "$ITERS" --set train.optimizer=adam --json > "$WORK/cnnc.json"
    /usr/bin/time -f %M -o "$WORK/rss.torch" "$VENV/bin/python" Benchmarks/torch_zoo_bench.py "$spec" --batch "$batch" \
        --input "$c" "$h" "$w" --threads "$THREADS" --iters "$ITERS" > "$WORK/torch.json"
    ct=$(json_field "$WORK/cnnc.json" train_images_per_s); ci=$(json_field "$WORK/cnnc.json" infer_images_per_s)
    tt=$(json_field "$WORK/torch.json" train_images_per_s); ti=$(json_field "$WORK/torch.json" infer_images_per_s)
    printf '%-12s %6s %11.2f %11.2f %7s %11.2f %11.2f %7s %10s %10s\n' "$net" "$batch" "$ct" "$tt" "$(ratio "$ct" "$tt")" \
        "$ci" "$ti" "$(ratio "$ci" "$ti")" "$(mib "$WORK/rss.cnnc")" "$(mib "$WORK/rss.torch")"
done

printf '\n%-12s %6s %11s %11s %7s %13s\n' "inference" batch "cnnc" "ORT" "ratio" "rounds"
for net in "${NETWORKS[@]}"; do
    spec=$(spec_of "$net"); read -r c h w <<< "$(input_of "$net")"
    "$VENV/bin/python" Benchmarks/torch_zoo_bench.py "$spec" --batch 1 --input "$c" "$h" "$w" --export "$WORK/$net.onnx" 2> /dev/null
    for b in 1 32; do
        iters=$ITERS; [ "$b" != 1 ] || iters=$((ITERS * 20))
        figures=()
        for _ in $(seq "$ROUNDS"); do
            "$VENV/bin/python" Benchmarks/onnxruntime_bench.py "$WORK/$net.onnx" --threads "$THREADS" --iters "$iters" --batches "$b" \
                > "$WORK/ort"
            ort=$(grep "batch=$b " "$WORK/ort" | grep -o 'infer_images_per_s=[0-9.]*' | cut -d= -f2)
            $CNNC bench "$spec" --batch "$b" --input "${c}x${h}x${w}" --threads "$THREADS" --iters "$iters" --inference-only --json \
                > "$WORK/cnnc.json"
            figures+=("$(json_field "$WORK/cnnc.json" infer_images_per_s)" "$ort")
        done
        # Each side's median, the median of the rounds' ratios (cnnc / ORT), and their range.
        python3 - "$net" "$b" "${figures[@]}" <<'PY'
import statistics, sys
net, batch, values = sys.argv[1], sys.argv[2], [float(v) for v in sys.argv[3:]]
ours, ort = values[0::2], values[1::2]
ratios = sorted(o / t for o, t in zip(ours, ort))
print(f"{net:<12} {batch:>6} {statistics.median(ours):11.2f} {statistics.median(ort):11.2f} "
      f"{statistics.median(ratios):6.2f}x {ratios[0]:.2f}-{ratios[-1]:.2f}x")
PY
    done
done
