#!/usr/bin/env bash
# cnnc in the wider ecosystem, with the release binary and the real tools from PyPI (onnx,
# onnxruntime, jsonschema in a virtual environment): exported models pass onnx.checker and give
# ONNX Runtime the same logits as cnnc eval; every spec validates against the JSON Schema and bad
# specs are rejected by both the schema and cnnc check. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

VENV=${CNNC_PY_VENV:-$WORK/venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q onnx onnxruntime numpy jsonschema pyyaml || {
        echo "FAIL cannot install onnx, onnxruntime, jsonschema from PyPI"; exit 1; }
fi
PY=$VENV/bin/python

# A spec with spatial pyramid pooling and a dense layer after it, trained alongside the shipped ones.
cat > "$WORK/spp-mnist.yaml" <<'YAML'
name: spp-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 16, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - conv: {filters: 16, size: 3, pad: 1}
  - relu
  - spp: {levels: [1, 2, 3], mode: max}
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam}
YAML
# relu6 (MobileNetV2) exports as Clip(0, 6); weights in [-1, 1] over 5x5 pixels make many values pass 6.
cat > "$WORK/relu6-mnist.yaml" <<'YAML'
name: relu6-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 5, stride: 2, init: uniform(1.0)}
  - relu6
  - conv: {filters: 16, size: 3, stride: 2}
  - relu6
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam}
YAML
# The other activations of issue 19: hardswish as HardSwish (opset 14 on; at 13 HardSigmoid then Mul),
# leaky_relu as LeakyRelu, gelu spelled out with Erf, identity, silu as Mul(x, Sigmoid(x)), elu as Elu,
# hardsigmoid as HardSigmoid; weights in [-1, 1] over 4x4 pixels spread the first conv's outputs toward
# hardswish's kinks at ±3. Strides divide evenly (28 → 13 → 13 → 6): no warnings.
cat > "$WORK/acts-mnist.yaml" <<'YAML'
name: acts-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 4, stride: 2, init: uniform(1.0)}
  - hardswish
  - conv: {filters: 8, size: 3, pad: 1}
  - leaky_relu: {slope: 0.1}
  - conv: {filters: 16, size: 3, stride: 2}
  - gelu
  - identity
  - dense: {units: 32}
  - silu
  - dense: {units: 32}
  - elu: {alpha: 0.5}
  - dense: {units: 16}
  - hardsigmoid
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam}
YAML
# ceil pooling, adaptive pooling and flatten (the model-zoo issue): maxpool1 and avgpool1 export with ceil_mode 1;
# avgpool2 (5 → 3: ceil's 4th window would start past the input) as ceil_mode 0 with the trailing padding that
# reaches its last window; adaptivemaxpool1 (3 → 4, overlapping bins) as Slice + ReduceMax per bin; adaptiveavgpool1
# (4x4 → 3x5) as a MatMul with a constant pooling matrix; adaptivemaxpool2 (3x5 → 3x1) as MaxPool 1x5; the 1x1
# ones as GlobalAveragePool/GlobalMaxPool; flatten as Flatten.
cat > "$WORK/pool-mnist.yaml" <<'YAML'
name: pool-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 3, stride: 2, ceil: true}
  - conv: {filters: 8, size: 3}
  - relu
  - avgpool: {size: 3, stride: 2, ceil: true}
  - concat:
    - [conv: {filters: 8, size: 2}, avgpool: {size: 2, stride: 2, pad: 1, ceil: true}, adaptivemaxpool: {size: 4},
       adaptiveavgpool: {size: [3, 5]}, adaptivemaxpool: {size: [3, 1]}, flatten]
    - [adaptiveavgpool: {size: 1}]
    - [adaptivemaxpool: {size: 1}]
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam}
YAML
# The model-zoo blocks: ShuffleNetV2's unit (a channel split by two slices, a concat, channel_shuffle), a
# squeeze_excite of each activation and gate, a residual with a user-written downsample shortcut (conv + batchnorm,
# ResNet's) and one with 'shortcut: identity'. Strides divide evenly (28 → 14 → 7): no warnings.
cat > "$WORK/blocks-mnist.yaml" <<'YAML'
name: blocks-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 16, size: 3, stride: 2, pad: [0, 1, 0, 1]}
  - relu
  - concat:
      - [slice: {channels: [0, 8]}]
      - - slice: {channels: [8, 16]}
        - conv: {filters: 8, size: 1, bias: false}
        - batchnorm
        - relu
        - depthwise: {size: 3, pad: 1, bias: false}
        - batchnorm
        - conv: {filters: 8, size: 1, bias: false}
        - batchnorm
        - relu
  - channel_shuffle: {groups: 2}
  - squeeze_excite: {squeeze: 4}
  - residual:
      layers: [conv: {filters: 32, size: 3, stride: 2, pad: [0, 1, 0, 1], bias: false}, batchnorm, relu,
               conv: {filters: 32, size: 3, pad: 1, bias: false}, batchnorm]
      shortcut: [conv: {filters: 32, size: 2, stride: 2, bias: false}, batchnorm]
  - relu
  - residual: {layers: [conv: {filters: 32, size: 3, pad: 1}, relu, squeeze_excite: {squeeze: 8, activation: silu, gate: hardsigmoid}],
               shortcut: identity}
  - globalavgpool
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam}
YAML

# Per-channel normalisation (train.normalize: auto, stored in the checkpoint) with crop and jitter: the export starts with
# Sub(mean) and Div(std), so ONNX Runtime on raw [0, 1] pixels must give cnnc eval's logits (which normalise from the checkpoint).
cat > "$WORK/norm-mnist.yaml" <<'YAML'
name: norm-mnist
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - dense: {units: 10}
train: {epochs: 1, batch: 100, optimizer: adam, normalize: auto,
        augment: {crop: {pad: 2, fill: reflect}, jitter: {brightness: 0.2, contrast: 0.2}}}
YAML

# The same in colour, with written values: 3-channel digits (R = x, G = 255 − x, B = x / 2) as 4-D IDX, a mean and
# std per channel, so a channel mixed up between cnnc's channels-last batches and ONNX's [1, C, 1, 1] constants shows.
python3 - "$DATA" "$WORK/rgb-digits" <<'PY'
import os, struct, sys
sys.path.insert(0, 'Tests/EndToEnd')
import numpy as np
from idx_subset import read_bytes
source, target = sys.argv[1], sys.argv[2]
os.makedirs(target, exist_ok=True)
for kind, n in (('train', 1000), ('t10k', 1000)):
    raw = read_bytes(os.path.join(source, f'{kind}-images-idx3-ubyte'))
    count, rows, cols = struct.unpack('>III', raw[4:16])
    step = count // n
    grey = np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)[::step][:n]
    rgb = np.stack([grey, 255 - grey, grey // 2], axis=1)
    with open(os.path.join(target, f'{kind}-images-idx4-ubyte'), 'wb') as f:
        f.write(bytes([0, 0, 8, 4]) + struct.pack('>IIII', n, 3, rows, cols) + rgb.tobytes())
    labels = read_bytes(os.path.join(source, f'{kind}-labels-idx1-ubyte'))[8:]
    with open(os.path.join(target, f'{kind}-labels-idx1-ubyte'), 'wb') as f:
        f.write(bytes([0, 0, 8, 1]) + struct.pack('>I', n) + bytes(labels[::step][:n]))
PY
cat > "$WORK/norm-rgb.yaml" <<'YAML'
name: norm-rgb
input: [3, 28, 28]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - dense: {units: 10}
train: {epochs: 1, batch: 50, optimizer: adam, normalize: {mean: [0.13, 0.87, 0.06], std: [0.31, 0.2, 0.15]},
        augment: {crop: {pad: 2}, hflip: 0.5, jitter: {brightness: 0.2, contrast: 0.2}}}
YAML
$CNNC train "$WORK/norm-rgb.yaml" --data "$WORK/rgb-digits" --epochs 1 --seed 1 --out "$WORK/norm-rgb" > /dev/null 2>&1
$CNNC export "$WORK/norm-rgb.yaml" --weights "$WORK/norm-rgb/last.safetensors" -o "$WORK/norm-rgb.onnx" > /dev/null
$CNNC eval "$WORK/norm-rgb.yaml" --weights "$WORK/norm-rgb/last.safetensors" --data "$WORK/rgb-digits" --logits "$WORK/norm-rgb.csv" > /dev/null
check "norm-rgb: 3 channels, a mean and std each: ONNX Runtime's logits on raw [0, 1] pixels equal cnnc's (1e-4)" \
    "$PY" Tests/Peers/onnx_check.py "$WORK/norm-rgb.onnx" "$WORK/norm-rgb.csv" "$WORK/rgb-digits" 1000

# One epoch on the 5,000 digits each: DeepConvNet, a residual network with batchnorm, an Inception one, spp.
for spec in specs/deepconv.yaml specs/resnet-mini.yaml specs/inception-fashion.yaml "$WORK/spp-mnist.yaml" "$WORK/relu6-mnist.yaml" \
            "$WORK/acts-mnist.yaml" "$WORK/pool-mnist.yaml" "$WORK/blocks-mnist.yaml" "$WORK/norm-mnist.yaml"; do
    name=$(basename "$spec" .yaml)
    $CNNC train "$spec" --data "$DATA" --epochs 1 --seed 1 --out "$WORK/$name" > /dev/null 2>&1
    $CNNC export "$spec" --weights "$WORK/$name/last.safetensors" -o "$WORK/$name.onnx" > /dev/null
    $CNNC eval "$spec" --weights "$WORK/$name/last.safetensors" --data "$DATA" --limit 1000 --logits "$WORK/$name.csv" > /dev/null
    check "$name: onnx.checker passes and ONNX Runtime's logits equal cnnc's (1e-4) on 1,000 digits" \
        "$PY" Tests/Peers/onnx_check.py "$WORK/$name.onnx" "$WORK/$name.csv" "$DATA" 1000
done
has_normalize_nodes() {
    "$PY" -c "import onnx, sys; g = onnx.load(sys.argv[1]).graph; sys.exit(0 if [n.op_type for n in g.node[:2]] == ['Sub', 'Div'] else 1)" "$1"
}
check "norm-mnist: the exported graph starts with Sub and Div (the checkpoint's normalisation)" has_normalize_nodes "$WORK/norm-mnist.onnx"
lacks_normalize_nodes() { ! has_normalize_nodes "$1"; }
check "spp-mnist (no normalisation): the exported graph does not" lacks_normalize_nodes "$WORK/spp-mnist.onnx"

# Class names travel into the export: a run on a folder named mnist has the digits' names in its checkpoint, and the
# ONNX model gets them as metadata_props 'class_names'; a run on the same files under another name gets none.
ln -s "$(cd "$DATA" && pwd)" "$WORK/mnist"
ln -s "$(cd "$DATA" && pwd)" "$WORK/digits"
for folder in mnist digits; do
    $CNNC train specs/deepconv.yaml --data "$WORK/$folder" --epochs 1 --seed 1 --out "$WORK/$folder-run" > /dev/null 2>&1
    $CNNC export specs/deepconv.yaml --weights "$WORK/$folder-run/last.safetensors" -o "$WORK/$folder.onnx" > /dev/null
done
class_names() { # class_names MODEL: prints the model's metadata 'class_names' (or None)
    "$PY" -c "import onnx, sys; m = onnx.load(sys.argv[1]); print({p.key: p.value for p in m.metadata_props}.get('class_names'))" "$1"
}
check "a run on data with class names exports them as metadata_props class_names" \
    test "$(class_names "$WORK/mnist.onnx")" = '["0","1","2","3","4","5","6","7","8","9"]'
check "a run on data without class names exports none" test "$(class_names "$WORK/digits.onnx")" = None

# An untrained design (--random-init) exports for Netron with its output named logits and every layer's tensor shape
# as value_info, each equal to ONNX's strict shape inference: DeepConvNet (whose last layer is a dropout, skipped in
# inference), ResNet-18 (residual blocks) and GoogLeNet (concat branches).
for spec in specs/deepconv.yaml specs/zoo/resnet18.yaml specs/zoo/googlenet.yaml; do
    name=$(basename "$spec" .yaml)
    $CNNC export "$spec" --random-init -o "$WORK/random-$name.onnx" > /dev/null
done
check "export --random-init: outputs named logits, value_info for every layer tensor, equal to strict shape inference" \
    bash -c "'$PY' Tests/Peers/onnx_value_info.py '$WORK/random-deepconv.onnx' 17 && '$PY' Tests/Peers/onnx_value_info.py '$WORK/random-resnet18.onnx' 68 \
             && '$PY' Tests/Peers/onnx_value_info.py '$WORK/random-googlenet.onnx' 195"
check "export needs --weights or --random-init (exit 64)" bash -c "$CNNC export specs/deepconv.yaml 2> /dev/null; [ \$? -eq 64 ]"

# Opset 13 has no HardSwish: the same weights exported as HardSigmoid(1/6, 1/2) then Mul give the same logits.
$CNNC export "$WORK/acts-mnist.yaml" --weights "$WORK/acts-mnist/last.safetensors" --opset 13 -o "$WORK/acts-mnist-13.onnx" > /dev/null
check "acts-mnist at opset 13 (hardswish as HardSigmoid then Mul): ONNX Runtime's logits equal cnnc's (1e-4)" \
    "$PY" Tests/Peers/onnx_check.py "$WORK/acts-mnist-13.onnx" "$WORK/acts-mnist.csv" "$DATA" 1000

# A locally connected layer has no ONNX operator: a clear error, no file.
printf 'input: [1, 28, 28]\nlayers:\n  - maxpool: {size: 4}\n  - local: {filters: 2, size: 3}\n  - dense: {units: 10}\ntrain: {epochs: 1}\n' > "$WORK/local.yaml"
$CNNC train "$WORK/local.yaml" --data "$DATA" --epochs 1 --out "$WORK/local" > /dev/null 2>&1 || true
local_refused() {
    ! $CNNC export "$WORK/local.yaml" --weights "$WORK/local/last.safetensors" -o "$WORK/local.onnx" 2> "$WORK/local.err" \
        && grep -q "has no ONNX operator" "$WORK/local.err" && ! test -e "$WORK/local.onnx"
}
check "export of a locally connected layer is a clear error" local_refused

# The JSON Schema: the shipped copy is what cnnc prints, every spec validates, bad specs are rejected.
$CNNC schema > "$WORK/schema.json"
check "docs/cnnc.schema.json equals cnnc schema" cmp -s "$WORK/schema.json" docs/cnnc.schema.json
check "every spec in specs/ names the schema for editors" \
    bash -c 'for f in specs/*.yaml; do head -n 1 "$f" | grep -q "^# yaml-language-server: \$schema=../docs/cnnc.schema.json" || { echo "  $f"; exit 1; }; done
             for f in specs/zoo/*.yaml; do head -n 1 "$f" | grep -q "^# yaml-language-server: \$schema=../../docs/cnnc.schema.json" || { echo "  $f"; exit 1; }; done'
check "every spec in specs/ and specs/zoo/ validates against the schema" "$PY" Tests/Peers/schema_check.py docs/cnnc.schema.json specs/*.yaml specs/zoo/*.yaml
printf 'input: 3x32x32\nlayers:\n  - conv: {filters: 2, size: 3}\n' > "$WORK/cxhxw.yaml"
check "input written as CxHxW (3x32x32) is valid for the schema and for cnnc check" \
    bash -c "'$PY' Tests/Peers/schema_check.py docs/cnnc.schema.json '$WORK/cxhxw.yaml' > /dev/null && $CNNC check '$WORK/cxhxw.yaml' > /dev/null"
for bad in "unknown key|input: [1, 8, 8]\nlayers:\n  - conv: {filters: 2, size: 3, fliters: 3}\n" \
           "wrong type|input: [1, 8, 8]\nlayers:\n  - conv: {filters: two, size: 3}\n" \
           "negative size|input: [1, 8, 8]\nlayers:\n  - conv: {filters: 2, size: -3}\n" \
           "unknown layer kind|input: [1, 8, 8]\nlayers:\n  - convolution: {filters: 2, size: 3}\n" \
           "bad padding word|input: [1, 8, 8]\nlayers:\n  - conv: {filters: 2, size: 3, pad: half}\n"; do
    label=${bad%%|*}
    printf "${bad#*|}" > "$WORK/bad.yaml"
    check "$label: rejected by the schema and by cnnc check" \
        bash -c "! '$PY' Tests/Peers/schema_check.py docs/cnnc.schema.json '$WORK/bad.yaml' > /dev/null 2>&1 && ! $CNNC check '$WORK/bad.yaml' > /dev/null 2>&1"
done

finish
