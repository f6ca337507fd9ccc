#!/usr/bin/env bash
# Real colour photographs as image folders: scikit-image's sample photographs (astronaut, cat, coffee, motorcycle,
# read from its PyPI wheel) cut into 32×32 patches, one class per photograph, written as PNG and as JPEG folders
# (Tests/Peers/photo_patches.py). Against torchvision's ImageFolder + ToTensor (Tests/Peers/photo_peer.py):
# decoding equals Pillow's (PNG exactly, JPEG to ±1), one SGD step of an RGB network equals PyTorch's, and a short
# training reaches PyTorch's test accuracy. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

if ! /usr/bin/python3 -c "import torch, torchvision, PIL" 2> /dev/null; then
    echo "FAIL the photo checks need python3-torch, python3-torchvision and python3-pil (bash .ci/install-deps)"; exit 1
fi
/usr/bin/python3 -m venv --system-site-packages "$WORK/torch" && "$WORK/torch/bin/pip" install -q safetensors || {
    echo "FAIL cannot install safetensors from PyPI"; exit 1; }
python3 -m pip download -q scikit-image --no-deps --only-binary :all: -d "$WORK/wheel" || {
    echo "FAIL cannot download scikit-image's wheel from PyPI (its sample photographs)"; exit 1; }
PYTHON=$WORK/torch/bin/python

check "scikit-image's photographs cut into PNG and JPEG folders of 4 classes" \
    "$PYTHON" Tests/Peers/photo_patches.py "$WORK"/wheel/scikit_image-*.whl "$WORK/photos" 300 100
mkdir -p "$WORK/peer"
check "decoding, one SGD step and a short training agree with torchvision ImageFolder + PyTorch" \
    "$PYTHON" Tests/Peers/photo_peer.py "$CNNC" "$WORK/photos" "$WORK/peer"

# One folder of class folders, no test/: train.validation holds images out as the test set, chosen by the run's seed.
# A run started with --seed 7 (the spec says 1) must be evaluated on its own held-out images: eval takes the seed
# from the checkpoint, so it scores exactly the run's last test accuracy.
mkdir -p "$WORK/single" && cp -r "$WORK/photos/png/train/." "$WORK/single/"
cat > "$WORK/single.yaml" <<'YAML'
name: single
input: [3, 32, 32]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 4}
  - dense: {units: 4}
train: {epochs: 2, batch: 32, optimizer: adam, validation: 0.25, seed: 1}
YAML
$CNNC train "$WORK/single.yaml" --data "$WORK/single" --seed 7 --out "$WORK/single-run" > /dev/null 2>&1
run_acc=$(tail -n 1 "$WORK/single-run/metrics.csv" | cut -d, -f7)
eval_acc=$($CNNC eval "$WORK/single.yaml" --weights "$WORK/single-run/last.safetensors" --data "$WORK/single" --json 2> /dev/null |
    python3 -c "import json, sys; print(round(json.load(sys.stdin)['accuracy'], 4))")
check "a folder without test/: eval of a --seed 7 run scores that run's held-out images ($eval_acc, the run's last epoch $run_acc)" \
    python3 -c "import sys; sys.exit(abs(float('${eval_acc:-0}') - float('${run_acc:-1}')) > 1e-9)"

# The data a run started with is the data it resumes with: after one image is removed, --resume is refused.
rm "$WORK/single/cat/0000.png"
$CNNC train --resume --out "$WORK/single-run" --epochs 3 > /dev/null 2> "$WORK/resume.err"
resumed=$?
check "--resume refuses a folder whose images changed since the run started (exit $resumed)" \
    bash -c "[ $resumed -eq 1 ] && grep -q 'changed since the run started' '$WORK/resume.err'"

finish photos
