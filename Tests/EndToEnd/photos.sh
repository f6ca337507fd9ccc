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

finish photos
