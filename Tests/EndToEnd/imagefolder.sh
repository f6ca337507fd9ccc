#!/usr/bin/env bash
# Image folders end to end with the release binary:
# 1. Fashion-MNIST (Debian's dataset-fashion-mnist) written out by Pillow as 70,000 PNG files in
#    train/<class>/ and test/<class>/ folders: loading and decoding them is timed (images/s, printed);
#    the IDX-trained checkpoint evaluates to exactly the same accuracy on the folder as on the IDX files
#    (same pixels); and one epoch of specs/deepconv.yaml from the folder and from the IDX files with the
#    same seed reach test accuracies within 0.3 points (the images come in another order, so the
#    shuffles differ).
# 2. Colour: a small RGB network trained on a folder of PNG and JPEG files of three colour classes, with
#    train.resize, classifies PNG, JPEG and PPM files of each class through `cnnc predict`; --strict turns
#    a damaged file into an error. (JPEG decoding against Pillow's, ±1 per sample, is the unit test
#    ImageReaderTests.jpegDecodesAsPillowDoes on fixtures written by Tests/Peers/jpeg_fixtures.py.)
# Needs /usr/bin/python3 with Pillow (python3-pil). Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
FASHION=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
PY=/usr/bin/python3

# --- 1. Fashion-MNIST as PNG folders -------------------------------------------------------------
start=$(date +%s.%N)
$PY - "$FASHION" "$WORK/fashion" <<'PY'
import gzip, os, sys
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
names = ['0-t-shirt', '1-trouser', '2-pullover', '3-dress', '4-coat', '5-sandal', '6-shirt', '7-sneaker', '8-bag', '9-ankle-boot']
for split, prefix in (('train', 'train'), ('test', 't10k')):
    images = gzip.open(f'{src}/{prefix}-images-idx3-ubyte.gz').read()[16:]
    labels = gzip.open(f'{src}/{prefix}-labels-idx1-ubyte.gz').read()[8:]
    for name in names:
        os.makedirs(f'{out}/{split}/{name}', exist_ok=True)
    for i, label in enumerate(labels):
        Image.frombytes('L', (28, 28), images[i * 784:(i + 1) * 784]).save(f'{out}/{split}/{names[label]}/{i:05d}.png')
PY
echo "wrote $(find "$WORK/fashion" -name '*.png' | wc -l) PNG files in $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"

$CNNC train specs/deepconv.yaml --data "$WORK/fashion" --epochs 1 --seed 1 --out "$WORK/from-folder" 2> "$WORK/folder.err" | tail -n 2
cat "$WORK/folder.err"
seconds=$(sed -n 's/^decoded 60,000 training and 10,000 test images from .* in \([0-9.]*\) s on \([0-9]*\) threads*$/\1/p' "$WORK/folder.err")
threads=$(sed -n 's/.* s on \([0-9]*\) threads$/\1/p' "$WORK/folder.err")
check "all 70,000 PNG files decoded" test -n "$seconds"
echo "decode rate: $(python3 -c "print(round(70000 / max(float('${seconds:-0}'), 1e-9)))") images/s (${seconds:-?} s on ${threads:-?} threads)"
check "loading 70,000 PNG files takes seconds, not minutes (< 60 s)" at_most "${seconds:-999}" 60

$CNNC train specs/deepconv.yaml --data "$FASHION" --epochs 1 --seed 1 --out "$WORK/from-idx" | tail -n 2
folder_acc=$(tail -n 1 "$WORK/from-folder/metrics.csv" | cut -d, -f7)
idx_acc=$(tail -n 1 "$WORK/from-idx/metrics.csv" | cut -d, -f7)
echo "one epoch of deepconv, seed 1: test accuracy $folder_acc from the PNG folder, $idx_acc from the IDX files"
check "folder and IDX training agree within 0.3 points" \
    python3 -c "import sys; sys.exit(0 if abs($folder_acc - $idx_acc) <= 0.003 else 1)"

# The same checkpoint on the same pixels: the accuracies are equal, whatever the order.
$CNNC eval specs/deepconv.yaml --weights "$WORK/from-idx/last.safetensors" --data "$WORK/fashion" --json > "$WORK/eval-folder.json" 2> /dev/null
$CNNC eval specs/deepconv.yaml --weights "$WORK/from-idx/last.safetensors" --data "$FASHION" --json > "$WORK/eval-idx.json"
check "one checkpoint evaluates to the same accuracy on the folder and on the IDX files" \
    python3 -c "import json, sys; a, b = (json.load(open(f))['accuracy'] for f in ('$WORK/eval-folder.json', '$WORK/eval-idx.json')); print(a, b); sys.exit(0 if a == b else 1)"

# --- 2. Colour images --------------------------------------------------------------------------
$PY - "$WORK/colour" <<'PY'
import os, sys
import numpy as np
from PIL import Image
out = sys.argv[1]
rng = np.random.default_rng(15)
def picture(c, h, w):
    a = rng.integers(0, 90, (h, w, 3))
    a[..., c] += 140
    return Image.fromarray(a.astype(np.uint8), 'RGB')
for split, n in (('train', 60), ('test', 15)):
    for c, name in enumerate(('blue-ish', 'green-ish', 'red-ish')):  # sorted: blue 0, green 1, red 2
        os.makedirs(f'{out}/{split}/{name}', exist_ok=True)
        for i in range(n):
            # sizes vary: train.resize brings them to 12 x 12
            picture(2 - c, 14 + i % 5, 12 + i % 7).save(f'{out}/{split}/{name}/{i}.' + ('png' if i % 2 else 'jpg'), quality=90)
for c, name in enumerate(('blue', 'green', 'red')):
    picture(2 - c, 20, 30).save(f'{out}/probe-{c}-{name}.jpg', quality=90)
    picture(2 - c, 12, 12).save(f'{out}/probe-{c}-{name}.png')
    picture(2 - c, 16, 12).save(f'{out}/probe-{c}-{name}.ppm')
PY
cat > "$WORK/colour.yaml" <<YAML
name: colour
input: [3, 12, 12]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - dense: {units: 3}
loss: softmax_cross_entropy
train:
  epochs: 5
  batch: 10
  data: {format: imagefolder, path: $WORK/colour}
  resize: {mode: shorter-side-then-center-crop, filter: area}
YAML
$CNNC train "$WORK/colour.yaml" --seed 1 --out "$WORK/colour-run" | tail -n 1
colour_acc=$(tail -n 1 "$WORK/colour-run/metrics.csv" | cut -d, -f7)
check "the RGB network learns the three colour classes (test accuracy $colour_acc >= 0.9)" at_least "$colour_acc" 0.9
$CNNC predict "$WORK/colour.yaml" --weights "$WORK/colour-run/last.safetensors" "$WORK"/colour/probe-* > "$WORK/predict.txt"
cat "$WORK/predict.txt"
check "predict classifies PNG, JPEG and PPM colour files as their class" \
    python3 -c "
import re, sys
lines = open('$WORK/predict.txt').read().splitlines()
ok = [re.search(r'probe-(\d)-[a-z]+\.\w+: class (\d)', l) for l in lines]
sys.exit(0 if len(lines) == 9 and all(m and m.group(1) == m.group(2) for m in ok) else 1)"

printf 'not a PNG' > "$WORK/colour/train/red-ish/broken.png"
check "a damaged file is skipped with a warning" \
    bash -c "$CNNC train '$WORK/colour.yaml' --epochs 1 --out '$WORK/colour-skip' 2>&1 | grep -q 'warning: skipped 1 unreadable image file'"
check "--strict makes a damaged file an error" \
    bash -c "! $CNNC train '$WORK/colour.yaml' --epochs 1 --strict --out '$WORK/colour-strict' 2> '$WORK/strict.err' && grep -q 'broken.png' '$WORK/strict.err'"

finish imagefolder
