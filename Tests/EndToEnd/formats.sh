#!/usr/bin/env bash
# CIFAR binary and NumPy arrays through the release binary, with numpy as the peer writer
# (formats_data.py): the same 5,000 Fashion-MNIST training and 1,000 test images as IDX, Keras' .npz
# (deflated), train/test .npz (stored) and four .npy files train bit for bit alike; as colour 3x32x32
# images, a CIFAR-10 binary folder and an N x 32 x 32 x 3 .npz train alike and learn in one epoch;
# CIFAR-100's coarse labels are chosen by name; class names reach the checkpoint, run.json, eval and
# predict; damaged files are refused naming the file. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
FASHION=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
/usr/bin/python3 Tests/EndToEnd/formats_data.py "$FASHION" "$WORK" 5000 1000 || { echo "FAIL numpy could not write the data"; exit 1; }

cat > "$WORK/grey.yaml" <<'YAML'
name: grey
input: [1, 28, 28]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - relu
  - maxpool: {size: 2}
  - dense: {units: 10}
train: {epochs: 1, batch: 50, optimizer: {name: adam, lr: 0.003}, seed: 1}
YAML
sed -e 's/name: grey/name: colour/' -e 's/input: \[1, 28, 28\]/input: [3, 32, 32]/' "$WORK/grey.yaml" > "$WORK/colour.yaml"

# Every metric of the last epoch but its time (metrics.csv's first 7 columns), and its test accuracy (the 7th).
metrics() { tail -n 1 "$1/metrics.csv" | cut -d, -f1-7; }
accuracy() { tail -n 1 "$1/metrics.csv" | cut -d, -f7; }
for layout in idx keras split npy; do
    $CNNC train "$WORK/grey.yaml" --data "$WORK/$layout" --threads 2 --out "$WORK/run-$layout" > "$WORK/$layout.log" 2>&1 \
        || { echo "  train on $layout failed:"; tail -n 3 "$WORK/$layout.log"; }
done
head -n 1 "$WORK/run-idx/metrics.csv"
for layout in idx keras split npy; do echo "$layout: $(metrics "$WORK/run-$layout")"; done
check "grey: one epoch on IDX learns (test accuracy >= 70%)" at_least "$(accuracy "$WORK/run-idx")" 0.70
for layout in keras split npy; do
    check "grey: $layout trains exactly as IDX (same pixels, labels, order)" test "$(metrics "$WORK/run-$layout")" = "$(metrics "$WORK/run-idx")"
done

for layout in cifar10 rgb; do
    $CNNC train "$WORK/colour.yaml" --data "$WORK/$layout" --threads 2 --out "$WORK/run-$layout" > "$WORK/$layout.log" 2>&1 \
        || { echo "  train on $layout failed:"; tail -n 3 "$WORK/$layout.log"; }
    echo "$layout: $(metrics "$WORK/run-$layout")"
done
check "colour: one epoch on CIFAR-10 binary learns (test accuracy >= 70%)" at_least "$(accuracy "$WORK/run-cifar10")" 0.70
check "colour: an N x 32 x 32 x 3 .npz trains exactly as the CIFAR-10 files" \
    test "$(metrics "$WORK/run-rgb")" = "$(metrics "$WORK/run-cifar10")"

# CIFAR-100's coarse labels, by name: a spec with 20 outputs trains on the superclasses (here the Fashion labels).
sed -e 's/name: colour/name: coarse/' -e 's/units: 10/units: 20/' \
    -e "s|seed: 1}|seed: 1, data: {format: cifar100-coarse, path: $WORK/cifar100}}|" "$WORK/colour.yaml" > "$WORK/coarse.yaml"
$CNNC train "$WORK/coarse.yaml" --threads 2 --out "$WORK/run-coarse" > "$WORK/coarse.log" 2>&1 || tail -n 3 "$WORK/coarse.log"
echo "cifar100-coarse: $(metrics "$WORK/run-coarse")"
check "cifar100-coarse: the coarse label is trained on and learned (>= 70%)" at_least "$(accuracy "$WORK/run-coarse")" 0.70
$CNNC eval "$WORK/coarse.yaml" --weights "$WORK/run-coarse/best.safetensors" --data "$WORK/cifar100" --data-format cifar100-coarse --json > "$WORK/coarse.json"
check "eval --data DIR --data-format cifar100-coarse reads the coarse labels" \
    python3 -c "import json, sys; j = json.load(open('$WORK/coarse.json')); sys.exit(0 if len(j['confusion']) == 20 and j['accuracy'] >= 0.7 else 1)"
check "cifar100-coarse: run.json records the format" grep -q '"data_format" : "cifar100-coarse"' "$WORK/run-coarse/run.json"

# Class names: checkpoint metadata (a JSON array), run.json, eval (table and --json), predict.
names_in() { # names_in CHECKPOINT: the class_names of a safetensors file's metadata
    python3 -c "import json, struct, sys; f = open(sys.argv[1], 'rb'); n = struct.unpack('<Q', f.read(8))[0]; print(json.loads(json.loads(f.read(n))['__metadata__']['class_names'])[int(sys.argv[2])])" "$@"
}
check "CIFAR-10: best.safetensors holds batches.meta.txt's names" test "$(names_in "$WORK/run-cifar10/best.safetensors" 9)" = "Ankle boot"
check "NumPy: last.safetensors holds class_names.txt's names" test "$(names_in "$WORK/run-keras/last.safetensors" 0)" = "T-shirt/top"
check "CIFAR-100 coarse: the coarse names" test "$(names_in "$WORK/run-coarse/best.safetensors" 19)" = "superclass 19"
check "run.json lists the class names" python3 -c "import json, sys; sys.exit(0 if json.load(open('$WORK/run-cifar10/run.json'))['class_names'][7] == 'Sneaker' else 1)"
check "IDX folder without a known name: no names" python3 -c "import json, sys; sys.exit(0 if 'class_names' not in json.load(open('$WORK/run-idx/run.json')) else 1)"

$CNNC eval "$WORK/colour.yaml" --weights "$WORK/run-cifar10/best.safetensors" --data "$WORK/cifar10" > "$WORK/eval.txt"
cat "$WORK/eval.txt"
check "eval labels the confusion matrix's rows with the names" grep -q "^ *9 Ankle boot " "$WORK/eval.txt"
$CNNC eval "$WORK/colour.yaml" --weights "$WORK/run-cifar10/best.safetensors" --data "$WORK/cifar10" --json > "$WORK/eval.json"
check "eval --json lists the class names" python3 -c "import json, sys; j = json.load(open('$WORK/eval.json')); sys.exit(0 if j['class_names'][3] == 'Dress' and sum(map(sum, j['confusion'])) == 1000 else 1)"

# predict on Fashion-MNIST's own folder name: a test image as PGM, its name and probability, top 3, JSON.
mkdir -p "$WORK/fashion-mnist" && cp "$WORK"/idx/* "$WORK/fashion-mnist/"
$CNNC train "$WORK/grey.yaml" --data "$WORK/fashion-mnist" --threads 2 --out "$WORK/run-fashion" > /dev/null 2>&1
python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
images = open(f"{work}/idx/t10k-images-idx3-ubyte", "rb").read()[16:]
labels = open(f"{work}/idx/t10k-labels-idx1-ubyte", "rb").read()[8:]
for i in range(2):
    with open(f"{work}/item{i}-label{labels[i]}.pgm", "wb") as f:
        f.write(b"P5\n28 28\n255\n" + images[i * 784:(i + 1) * 784])
PY
$CNNC predict "$WORK/grey.yaml" --weights "$WORK/run-fashion/best.safetensors" --top 3 "$WORK"/item*.pgm | tee "$WORK/predict.txt"
check "predict names each image's class (Fashion-MNIST's names from the checkpoint) with its top 3" \
    python3 -c "import re, sys; lines = open('$WORK/predict.txt').read().splitlines(); names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']; sys.exit(0 if len(lines) == 2 and all(re.search(r'label(\d)\.pgm: class \1 ' + re.escape(names[int(re.search(r'label(\d)', l).group(1))]) + r' \(p = [01]\.\d{3}\)   top 3: ', l) for l in lines) else 1)"
$CNNC predict "$WORK/grey.yaml" --weights "$WORK/run-fashion/best.safetensors" --top 2 --json "$WORK"/item*.pgm > "$WORK/predict.json"
check "predict --json: class, name, probability and the top k for each image" \
    python3 -c "import json, sys; j = json.load(open('$WORK/predict.json')); i = j['images']; sys.exit(0 if len(i) == 2 and all(len(x['top']) == 2 and x['top'][0]['class'] == x['class'] and x['name'] == j['class_names'][x['class']] and 0 < x['probability'] <= 1 for x in i) else 1)"

# Damaged files: exit 1, the file named, nothing large allocated.
refused() { # refused TEXT COMMAND...
    local text=$1; shift
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > /dev/null 2> "$WORK/err.txt"
    local status=$?
    [ $status -eq 1 ] && grep -q -- "$text" "$WORK/err.txt" && [ "$(tail -n 1 "$WORK/rss")" -lt 307200 ] || { echo "  exit $status"; head -n 3 "$WORK/err.txt"; return 1; }
}
cp -r "$WORK/cifar10" "$WORK/bad-cifar" && printf 'x' >> "$WORK/bad-cifar/data_batch_3.bin"
check "a CIFAR file one byte too long is refused, named" \
    refused "bad-cifar/data_batch_3.bin: 3073001 bytes is not a whole number of 3073-byte records" $CNNC train "$WORK/colour.yaml" --data "$WORK/bad-cifar" --out "$WORK/run-bad"
mkdir -p "$WORK/bad-npy" && cp "$WORK"/npy/* "$WORK/bad-npy/"
/usr/bin/python3 -c "
import numpy as np
with open('$WORK/bad-npy/x_train.npy', 'wb') as f:   # a header promising 5,000,000 x 2800 x 28 bytes, 3 bytes of data
    np.lib.format.write_array_header_1_0(f, {'descr': '|u1', 'fortran_order': False, 'shape': (5000000, 2800, 28)})
    f.write(b'abc')
"
check "an .npy header promising 392 GB is refused before allocating" \
    refused "x_train.npy: header promises 392000000000 bytes of data" $CNNC train "$WORK/grey.yaml" --data "$WORK/bad-npy" --out "$WORK/run-bad2"
/usr/bin/python3 -c "import numpy as np; np.save('$WORK/bad-npy/x_train.npy', np.zeros((2, 28, 28), dtype=np.float32))"
check "float images are refused with the conversion" refused "dtype '<f4' is not an integer type: images must be uint8 (x.astype(numpy.uint8)" \
    $CNNC train "$WORK/grey.yaml" --data "$WORK/bad-npy" --out "$WORK/run-bad3"
finish formats
