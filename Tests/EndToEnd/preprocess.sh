#!/usr/bin/env bash
# Normalisation and augmentation end to end with the release binary, a few seconds: `normalize: auto`
# equals NumPy's per-channel mean and std of the training images and is stored in the checkpoint;
# eval reads it back (the same test accuracy as training reported); crop, flip, jitter and erase runs are
# reproducible bit for bit under --seed; a mean per channel is checked at its line and column; a
# damaged 'normalize' entry in a checkpoint is refused with a message. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/digits" 1000

cat > "$WORK/pre.yaml" <<'YAML'
name: pre
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - dense: {units: 10}
train:
  epochs: 2
  batch: 50
  optimizer: {name: adam, lr: 0.002}
  normalize: auto
  augment: {crop: {pad: 3, fill: reflect}, hflip: 0.2, jitter: {brightness: 0.3, contrast: 0.3}, erase: {p: 0.5, fill: random}, shift: 1, rotate: 5}
YAML
$CNNC train "$WORK/pre.yaml" --data "$WORK/digits" --seed 3 --out "$WORK/a" > "$WORK/a.log" 2>&1
$CNNC train "$WORK/pre.yaml" --data "$WORK/digits" --seed 3 --out "$WORK/b" > /dev/null 2>&1
tail -n 2 "$WORK/a.log"
check "crop, flip, jitter, erase, shift and rotate under one --seed: the same weights bit for bit" cmp -s "$WORK/a/last.safetensors" "$WORK/b/last.safetensors"

# The checkpoint's 'normalize' entry against NumPy on the 1,000 training images (float64, population std).
statistics_agree() {
    python3 - "$WORK/a/last.safetensors" "$WORK/digits" <<'PY'
import json, struct, sys, numpy as np
blob = open(sys.argv[1], 'rb').read()
meta = json.loads(blob[8:8 + struct.unpack('<Q', blob[:8])[0]])['__metadata__']
stored = json.loads(meta['normalize'])
raw = open(sys.argv[2] + '/train-images-idx3-ubyte', 'rb').read()
x = np.frombuffer(raw, np.uint8, offset=16).astype(np.float64) / 255
mean, std = x.mean(), x.std()
print(f"normalize: auto stored mean {stored['mean'][0]:.6f} std {stored['std'][0]:.6f}; NumPy {mean:.6f} {std:.6f}")
# The pixels reach cnnc as float32(value) · float32(1/255): agreement to float32's resolution.
sys.exit(0 if abs(stored['mean'][0] - mean) < 1e-7 and abs(stored['std'][0] - std) < 1e-7 else 1)
PY
}
check "normalize: auto is the training images' per-channel mean and std (NumPy, 1e-7)" statistics_agree

# eval normalises from the checkpoint: the test accuracy training reported for its last epoch.
final=$(tail -n 1 "$WORK/a/metrics.csv" | cut -d, -f7)
evaluated=$($CNNC eval "$WORK/pre.yaml" --weights "$WORK/a/last.safetensors" --data "$WORK/digits" --json \
    | python3 -c "import json, sys; print(json.load(sys.stdin)['accuracy'])")
echo "test accuracy: training's last epoch $final, cnnc eval $evaluated"
check "cnnc eval applies the checkpoint's normalisation (the same test accuracy as training)" \
    python3 -c "import sys; sys.exit(0 if abs($final - $evaluated) < 1e-9 else 1)"

# A mean per input channel, checked where it is written.
sed 's/normalize: auto/normalize: {mean: [0.1, 0.2], std: [0.3, 0.3]}/' "$WORK/pre.yaml" > "$WORK/two-means.yaml"
two_means_refused() {
    ! $CNNC check "$WORK/two-means.yaml" > /dev/null 2> "$WORK/two-means.err" && grep -q "two-means.yaml:12:" "$WORK/two-means.err" \
        && grep -q "1 number" "$WORK/two-means.err"
}
check "two means for a 1-channel input: an error at the list's line" two_means_refused
grep -m 1 "error" "$WORK/two-means.err"

# A checkpoint whose 'normalize' entry has two channels for a 1-channel network: refused by eval, predict and export.
python3 - "$WORK/a/last.safetensors" "$WORK/damaged.safetensors" <<'PY'
import json, struct, sys
blob = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', blob[:8])[0]
header = json.loads(blob[8:8 + n])
header['__metadata__']['normalize'] = '{"mean":[0.1,0.2],"std":[0.3,0.3]}'
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + blob[8 + n:])
PY
damaged_refused() {
    ! $CNNC "$@" 2> "$WORK/damaged.err" > /dev/null && grep -q "metadata 'normalize' has 2 means and 2 stds, the network's input has 1 channel" "$WORK/damaged.err"
}
check "eval refuses a checkpoint whose normalisation has the wrong channel count" \
    damaged_refused eval "$WORK/pre.yaml" --weights "$WORK/damaged.safetensors" --data "$WORK/digits"
check "export refuses it too" damaged_refused export "$WORK/pre.yaml" --weights "$WORK/damaged.safetensors" -o "$WORK/damaged.onnx"
grep -m 1 "error" "$WORK/damaged.err"
finish
