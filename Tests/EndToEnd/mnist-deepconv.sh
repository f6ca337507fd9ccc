#!/usr/bin/env bash
# End to end with the release binary on real digits (data/mnist, the vendored mnist-5k):
# DeepConvNet must reach 97.5% on the 10,000 official test images; eval, predict and the
# error paths must behave as documented. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

# DeepConvNet, 20 epochs, Adam, batch 100, seed 1 (the spec's recipe): the README's main job, with no
# --data, so the spec's `data: mnist` must find the vendored data/mnist from the repository's root.
$CNNC train specs/deepconv.yaml --seed 1 --out "$WORK/deepconv" | tee "$WORK/train.log"
check "the main job found the vendored data/mnist" grep -q 'data/mnist' "$WORK/train.log"
final=$(tail -n 1 "$WORK/deepconv/metrics.csv" | cut -d, -f7)
echo "deepconv final test accuracy: $final"
check "deepconv reaches 97.5% on the MNIST test set" at_least "$final" 0.975
check "run folder has metrics, curves and checkpoints" test -s "$WORK/deepconv/metrics.csv" -a -s "$WORK/deepconv/curves.svg" \
    -a -s "$WORK/deepconv/last.safetensors" -a -s "$WORK/deepconv/best.safetensors"
check "metrics.csv has one row per epoch" test "$(wc -l < "$WORK/deepconv/metrics.csv")" -eq 21
check "curves.svg names the training loss as measured with dropout on (DeepConvNet has dropout)" \
    grep -q 'train (dropout on)' "$WORK/deepconv/curves.svg"

# The README's "first spec in five minutes" works as written: its YAML checks, trains and reports.
python3 -c "import re, sys; t = open('README.md').read(); m = re.search(r'Save this as \`my.yaml\`:\n\n\`\`\`yaml\n(.*?)\`\`\`', t, re.S); sys.stdout.write(m.group(1))" > "$WORK/my.yaml"
check "the README's first spec checks" $CNNC check "$WORK/my.yaml"
$CNNC train "$WORK/my.yaml" --out "$WORK/my-run" > "$WORK/my-train.log"
check "the README's first spec trains 5 epochs to at least 90% (README: about 93%)" \
    at_least "$(tail -n 1 "$WORK/my-run/metrics.csv" | cut -d, -f7)" 0.90
check "and its run becomes a report" $CNNC report "$WORK/my-run" --mistakes 4

# eval agrees with the training log on the last checkpoint.
$CNNC eval specs/deepconv.yaml --weights "$WORK/deepconv/last.safetensors" --data "$DATA" --json > "$WORK/eval.json"
eval_acc=$(python3 -c "import json; print(json.load(open('$WORK/eval.json'))['accuracy'])")
check "eval of last.safetensors equals the final epoch's test accuracy" \
    python3 -c "import sys; sys.exit(0 if abs($eval_acc - $final) < 1e-9 else 1)"
check "confusion matrix counts 10,000 images" \
    python3 -c "import json, sys; c = json.load(open('$WORK/eval.json'))['confusion']; sys.exit(0 if sum(map(sum, c)) == 10000 and len(c) == 10 else 1)"
check "an ensemble of last and best evaluates" $CNNC eval specs/deepconv.yaml --weights "$WORK/deepconv/last.safetensors" "$WORK/deepconv/best.safetensors" --data "$DATA"

# predict: a PGM cut from the test set, classified as its label.
python3 - "$DATA" "$WORK" <<'PY'
import gzip, sys
data, work = sys.argv[1], sys.argv[2]
images = gzip.open(f"{data}/t10k-images-idx3-ubyte.gz").read()[16:]
labels = gzip.open(f"{data}/t10k-labels-idx1-ubyte.gz").read()[8:]
for i in range(3):
    with open(f"{work}/digit{i}-label{labels[i]}.pgm", "wb") as f:
        f.write(b"P5\n28 28\n255\n" + images[i * 784:(i + 1) * 784])
# and one as an 8-bit greyscale PNG, written with zlib alone
import struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
rows = b"".join(b"\x00" + images[3 * 784 + r * 28:3 * 784 + (r + 1) * 28] for r in range(28))
with open(f"{work}/digit3-label{labels[3]}.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
$CNNC predict specs/deepconv.yaml --weights "$WORK/deepconv/best.safetensors" "$WORK"/digit*.pgm "$WORK"/digit*.png | tee "$WORK/predict.txt"
check "predict classifies four test digits (PGM and PNG) as their labels" \
    python3 -c "import re, sys; lines = open('$WORK/predict.txt').read().splitlines(); sys.exit(0 if len(lines) == 4 and all(re.search(r'label(\d)\.p[gn][mg]: class \1 ', l) for l in lines) else 1)"

# Dark ink on light paper: predict warns that the border is bright and suggests --invert, which then classifies it.
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); open(sys.argv[2], 'wb').write(d[:13] + bytes(255 - b for b in d[13:]))" \
    "$(ls "$WORK"/digit0-label*.pgm)" "$WORK/inverted.pgm"
label0=$(ls "$WORK"/digit0-label*.pgm | sed 's/.*label\([0-9]\).pgm/\1/')
$CNNC predict specs/deepconv.yaml --weights "$WORK/deepconv/best.safetensors" "$WORK/inverted.pgm" > /dev/null 2> "$WORK/inverted.err"
check "an inverted digit gets a warning suggesting --invert" grep -q 'border is bright.*add --invert' "$WORK/inverted.err"
check "with --invert it is classified as its label, with no warning" \
    bash -c "$CNNC predict specs/deepconv.yaml --weights '$WORK/deepconv/best.safetensors' --invert '$WORK/inverted.pgm' 2> '$WORK/invert2.err' \
             | grep -q 'class $label0 ' && ! test -s '$WORK/invert2.err'"
check "a missing image gets an image hint, not an IDX one" \
    bash -c "! $CNNC predict specs/deepconv.yaml --weights '$WORK/deepconv/best.safetensors' nothere.png 2> '$WORK/missing.err' \
             && grep -q 'images are read from PNG, JPEG, PGM and PPM' '$WORK/missing.err' && ! grep -q IDX '$WORK/missing.err'"
check "predict --data is refused with a pointer to eval (exit 64)" \
    bash -c "$CNNC predict specs/deepconv.yaml --weights '$WORK/deepconv/best.safetensors' --data '$DATA' x.png 2> '$WORK/data.err'; [ \$? -eq 64 ] \
             && grep -q 'cnnc eval SPEC --weights W --data DIR' '$WORK/data.err'"

# PyTorch loads best.safetensors as a state dict (strict names and shapes) and agrees on accuracy.
# Different summation order may flip a near-tie, so agreement is to 5 images in 10,000.
if /usr/bin/python3 -c "import torch" 2> /dev/null; then
    /usr/bin/python3 -m venv --system-site-packages "$WORK/venv" && "$WORK/venv/bin/pip" install -q safetensors
    torch_acc=$("$WORK/venv/bin/python" Tests/Peers/torch_load_checkpoint.py "$WORK/deepconv/best.safetensors" "$DATA" | awk '{print $3}')
    best_acc=$($CNNC eval specs/deepconv.yaml --weights "$WORK/deepconv/best.safetensors" --data "$DATA" --json \
        | python3 -c "import json, sys; print(json.load(sys.stdin)['accuracy'])")
    echo "PyTorch accuracy of best.safetensors: $torch_acc, cnnc: $best_acc"
    check "PyTorch loads the checkpoint and agrees on test accuracy" \
        python3 -c "import sys; sys.exit(0 if abs(float('$torch_acc') - $best_acc) <= 0.0005 else 1)"
    check "one SGD step of DeepConvNet equals PyTorch's (float64), default kernels, to 1% of the update" \
        "$WORK/venv/bin/python" Tests/Peers/torch_one_step.py "$CNNC" specs/deepconv.yaml "$DATA" fastest 0.01
    check "one SGD step with the direct kernels equals PyTorch's, to 1% of the update" \
        "$WORK/venv/bin/python" Tests/Peers/torch_one_step.py "$CNNC" specs/deepconv.yaml "$DATA" direct 0.01
    check "one SGD step with im2col + GEMM equals PyTorch's, to 1% of the update" \
        "$WORK/venv/bin/python" Tests/Peers/torch_one_step.py "$CNNC" specs/deepconv.yaml "$DATA" im2col 0.01
    check "ten Adam steps equal PyTorch's (float64): every loss to 1e-5, the weights to 1e-3 of their movement" \
        "$WORK/venv/bin/python" Tests/Peers/torch_adam_steps.py "$CNNC" specs/deepconv.yaml "$DATA" 10 direct
else
    echo "skip the PyTorch checks: python3-torch is not installed (bash .ci/install-deps installs it)"
fi

# Errors: clear message, non-zero exit.
expect_failure() { # expect_failure TEXT COMMAND...: the command fails and says TEXT on stderr
    local text=$1; shift
    "$@" > /dev/null 2> "$WORK/err.txt" && return 1
    grep -q -- "$text" "$WORK/err.txt" || { cat "$WORK/err.txt"; return 1; }
}
check "missing data directory is a clear error" expect_failure "looked in" $CNNC train specs/deepconv.yaml --data /nonexistent/mnist --epochs 1
mkdir -p "$WORK/broken"; printf 'not idx' | gzip > "$WORK/broken/train-images-idx3-ubyte.gz"
cp "$DATA"/train-labels-idx1-ubyte.gz "$DATA"/t10k-* "$WORK/broken/"
check "corrupt IDX file is a clear error" expect_failure "not an IDX image" $CNNC train specs/deepconv.yaml --data "$WORK/broken" --epochs 1
head -c 1000 "$WORK/deepconv/best.safetensors" > "$WORK/truncated.safetensors"
check "truncated checkpoint is a clear error" expect_failure "not a valid safetensors file" $CNNC eval specs/deepconv.yaml --weights "$WORK/truncated.safetensors" --data "$DATA"
check "weights of another network are refused" expect_failure "does not fit the spec" $CNNC eval specs/lenet5.yaml --weights "$WORK/deepconv/best.safetensors" --data "$DATA"

# --init-weights: fine-tuning starts from a checkpoint (a fresh init scores ~50% after one epoch here).
$CNNC train specs/deepconv.yaml --data "$DATA" --seed 2 --epochs 1 --init-weights "$WORK/deepconv/best.safetensors" \
    --out "$WORK/finetune" > "$WORK/finetune.log"
finetuned=$(tail -n 1 "$WORK/finetune/metrics.csv" | cut -d, -f7)
echo "one epoch from best.safetensors: $finetuned"
check "--init-weights starts from the checkpoint (one epoch from best.safetensors scores at least 96%)" at_least "$finetuned" 0.96
check "--init-weights of another network is refused" expect_failure "does not fit the spec" \
    $CNNC train specs/lenet5.yaml --data "$DATA" --epochs 1 --init-weights "$WORK/deepconv/best.safetensors" --out "$WORK/finetune-bad"
check "--init-weights with --resume is refused" expect_failure "exclude each other" \
    $CNNC train specs/deepconv.yaml --data "$DATA" --init-weights "$WORK/deepconv/best.safetensors" --out "$WORK/deepconv" --resume

# Resume: one more epoch on top of a finished run continues from its last checkpoint.
check "resume continues a run" $CNNC train specs/deepconv.yaml --data "$DATA" --seed 1 --out "$WORK/deepconv" --resume --epochs 21
check "resumed run appended epoch 21" test "$(tail -n 1 "$WORK/deepconv/metrics.csv" | cut -d, -f1)" = 21

finish
