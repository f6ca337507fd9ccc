#!/usr/bin/env bash
# A hostile user's inputs through the release binary (issue 14): each must end in exit 1 with a message
# naming the place and the fix: never a signal, a multi-gigabyte allocation or a lost file. The unit tests
# hold the large tables (every size-like key near 2^63, crafted safetensors, IDX, PNG, PGM headers);
# this is what a person typing commands meets. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

# refused TEXT COMMAND...: exit 1 (not a signal, not 0), TEXT on stderr, at most 300 MiB resident.
refused() {
    local text=$1; shift
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"
    local status=$?
    local kib; kib=$(tail -n 1 "$WORK/rss")
    [ $status -eq 1 ] || { echo "  exit $status"; head -n 3 "$WORK/err.txt"; return 1; }
    grep -q -- "$text" "$WORK/err.txt" || { echo "  stderr:"; head -n 3 "$WORK/err.txt"; return 1; }
    [ "${kib:-0}" -lt 307200 ] || { echo "  used ${kib} KiB"; return 1; }
}
mkdir -p "$WORK/specs"
spec() { printf '%s\n' "$2" > "$WORK/specs/$1.yaml"; echo "$WORK/specs/$1.yaml"; }

# Sizes near Int.max in `cnnc check`.
check "dilation 2^62 is a located error" refused "too large" \
    $CNNC check "$(spec dilation 'input: [1, 28, 28]
layers:
  - conv: {filters: 4, size: 3, dilation: 4611686018427387904}')"
check "pad Int.max is a located error" refused "too large" \
    $CNNC check "$(spec pad 'input: [1, 28, 28]
layers:
  - conv: {filters: 4, size: 3, pad: 9223372036854775807}')"
check "an input of Int.max rows is a located error" refused "too large" \
    $CNNC check "$(spec input 'input: [1, 1000, 9223372036854775807]
layers:
  - relu')"
check "repeat a billion times is refused before copying" refused "more than 10000 layers" \
    $CNNC check "$(spec repeat 'input: [1, 28, 28]
layers:
  - repeat: {times: 1000000000, layers: [relu]}')"

# Networks too large for the machine: refused with the figures, before allocating.
check "bench of specs/locality.yaml (10^12 weights) is refused, not aborted" refused "needs about" $CNNC bench specs/locality.yaml
check "train of a dense layer of 10^9 units is refused with the figures" refused "is available" \
    $CNNC train "$(spec giga 'input: [1, 28, 28]
layers:
  - dense: {units: 1000000000}
  - dense: {units: 10}')" --data "$DATA"
check "--batch Int.max is refused with the largest batch that fits" refused "fits (--batch" \
    $CNNC train specs/deepconv.yaml --data "$DATA" --batch 9223372036854775807 --out "$WORK/hugebatch"
check "CNNC_MEMORY_LIMIT lowers the budget" refused "20.0 MiB is available" \
    env CNNC_MEMORY_LIMIT=20M $CNNC train specs/deepconv.yaml --data "$DATA" --out "$WORK/limited"
$CNNC train specs/deepconv.yaml --data "$DATA" --threads 100000 > /dev/null 2> "$WORK/err.txt"
check "--threads 100000 is refused (exit 64, usage)" bash -c "[ $? -eq 64 ] && grep -q 'threads must be from 1 to' '$WORK/err.txt'"

# Run folders.
python3 - "$DATA" "$WORK/small" <<'PY'
import sys
sys.path.insert(0, "Tests/EndToEnd")
from idx_subset import spread, write_subset
write_subset(sys.argv[1], sys.argv[2], {"train": spread(5000, 200), "t10k": spread(10000, 100)})
PY
sed 's/^name: lenet5/name: ..\/..\/..\/..\/..\/tmp\/cnnc-escape/' specs/lenet5.yaml > "$WORK/escape.yaml"
(cd "$WORK" && "$OLDPWD/$CNNC" train escape.yaml --data small --epochs 1 > train.log 2>&1)
check "a spec name with ../ stays inside runs/ as one folder" \
    bash -c "ls '$WORK/runs' | grep -q '^_._.._.._.._.._tmp_cnnc-escape-' && [ ! -e /tmp/cnnc-escape ] && ! ls /tmp | grep -q '^cnnc-escape-'"
$CNNC train specs/lenet5.yaml --data "$WORK/small" --epochs 1 --out "$WORK/run" > /dev/null
cp "$WORK/run/last.safetensors" "$WORK/last-before"
check "--out on an existing run without --resume is refused, and its files are kept" refused "holds a run already" \
    $CNNC train specs/lenet5.yaml --data "$WORK/small" --epochs 1 --out "$WORK/run"
check "... and the run's checkpoint is unchanged" cmp -s "$WORK/last-before" "$WORK/run/last.safetensors"
mkdir -p "$WORK/thesis"; echo draft > "$WORK/thesis/chapter1.tex"
check "--out on a folder of other files is refused" refused "is not empty" \
    $CNNC train specs/lenet5.yaml --data "$WORK/small" --epochs 1 --out "$WORK/thesis"
check "--resume with another batch is refused, naming the difference" refused "--batch 1000, but the run was started with --batch 64" \
    $CNNC train --resume --out "$WORK/run" --batch 1000
check "--resume with another spec is refused" refused "differs from the spec this run was started with" \
    $CNNC train specs/deepconv.yaml --resume --out "$WORK/run"
check "--resume of a folder without a run says so" refused "nothing to resume" $CNNC train --resume --out "$WORK/thesis"
check "--resume --epochs 2 grows the run" bash -c "$CNNC train --resume --out '$WORK/run' --epochs 2 > /dev/null && \
    [ \$(tail -n 1 '$WORK/run/metrics.csv' | cut -d, -f1) = 2 ] && grep -q '\"epochs\" : 2' '$WORK/run/run.json'"
check "--resume with fewer epochs is refused" refused "may only grow" $CNNC train --resume --out "$WORK/run" --epochs 1

# NaN: a learning rate that blows up in the first epoch has no checkpoint to keep, and says so.
sed 's/lr: 0.001/lr: 1.0e30/' specs/deepconv.yaml > "$WORK/nan.yaml"
check "a NaN before any checkpoint says none was written" refused "no checkpoint had been written yet" \
    $CNNC train "$WORK/nan.yaml" --data "$WORK/small" --epochs 1 --out "$WORK/nan"

# Writes: never over a device, through symbolic links, stale temporaries removed.
check "export -o /dev/full is refused and the device is left alone" refused "is a device" \
    $CNNC export specs/lenet5.yaml --weights "$WORK/run/best.safetensors" -o /dev/full
check "... /dev/full is still a character device" test -c /dev/full
touch "$WORK/model.onnx"; ln -s model.onnx "$WORK/link.onnx"; echo stale > "$WORK/model.onnx.tmp-4194305"
$CNNC export specs/lenet5.yaml --weights "$WORK/run/best.safetensors" -o "$WORK/link.onnx" > /dev/null
check "export through a symbolic link writes the file it names, keeps the link, removes a killed writer's temporary" \
    bash -c "[ -L '$WORK/link.onnx' ] && [ -s '$WORK/model.onnx' ] && [ ! -e '$WORK/model.onnx.tmp-4194305' ]"

# Crafted files.
python3 - "$WORK" <<'PY'
import struct, sys, zlib
work = sys.argv[1]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
# A 69-byte PNG that declares 1,000,000 x 1,000,000 pixels.
with open(f"{work}/huge.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1000000, 1000000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(8))) + chunk(b"IEND", b""))
with open(f"{work}/huge.pgm", "wb") as f:
    f.write(b"P5\n100000 100000\n255\n" + bytes(100))
with open(f"{work}/overflow.pgm", "wb") as f:
    f.write(b"P5\n99999999999999999999999 2\n255\n" + bytes(100))
# An IDX set whose image header claims 2^31 - 1 images over a 100-byte body.
import gzip, shutil, os
os.makedirs(f"{work}/lying", exist_ok=True)
with open(f"{work}/lying/train-images-idx3-ubyte", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, 2**31 - 1, 28, 28) + bytes(100))
with open(f"{work}/lying/train-labels-idx1-ubyte", "wb") as f:
    f.write(struct.pack(">II", 0x801, 2**31 - 1) + bytes(100))
for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
    shutil.copy(f"{work}/small/{name}", f"{work}/lying/{name}")
# Safetensors with a negative dimension and offsets past the file.
import json
header = json.dumps({"c1.weight": {"dtype": "F32", "shape": [-6, 1, 5, 5], "data_offsets": [0, 9223372036854775807]}}).encode()
with open(f"{work}/crafted.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + bytes(8))
PY
check "a PNG declaring 10^12 pixels is refused from its header" refused "pixels" \
    $CNNC predict specs/lenet5.yaml --weights "$WORK/run/best.safetensors" "$WORK/huge.png"
check "--max-pixels lowers the limit" refused "pixels" \
    $CNNC predict specs/lenet5.yaml --weights "$WORK/run/best.safetensors" --max-pixels 100 "$WORK/huge.pgm"
check "a PGM declaring 10^10 pixels is refused before allocating" refused "pixels" \
    $CNNC predict specs/lenet5.yaml --weights "$WORK/run/best.safetensors" "$WORK/huge.pgm"
check "a PGM size that overflows is an error" refused "overflow.pgm" \
    $CNNC predict specs/lenet5.yaml --weights "$WORK/run/best.safetensors" "$WORK/overflow.pgm"
check "an IDX header claiming 2^31 images over 100 bytes is refused without allocating" refused "train-images-idx3-ubyte" \
    $CNNC train specs/lenet5.yaml --data "$WORK/lying" --epochs 1 --out "$WORK/lying-run"
check "a crafted safetensors (negative shape, offsets past the file) is an error in eval" refused "crafted.safetensors" \
    $CNNC eval specs/lenet5.yaml --weights "$WORK/crafted.safetensors" --data "$WORK/small"
check "... in export" refused "crafted.safetensors" $CNNC export specs/lenet5.yaml --weights "$WORK/crafted.safetensors" -o "$WORK/x.onnx"
check "... in train --init-weights" refused "crafted.safetensors" \
    $CNNC train specs/lenet5.yaml --data "$WORK/small" --init-weights "$WORK/crafted.safetensors" --out "$WORK/init"


# Composition (issue 16): a base that is a device, a block that uses itself, nested aliases inside a block.
check "extends: /dev/stdin is refused, not read forever" refused "regular spec file" \
    timeout 10 $CNNC check "$(spec extends-device 'extends: /dev/stdin')"
check "a block that uses itself is a located error" refused "uses itself" \
    $CNNC check "$(spec block-cycle 'input: [1, 8, 8]
blocks: {a: {layers: [b]}, b: {layers: [relu, a]}}
layers: [a]')"
check "nested aliases inside a block are bounded" refused "expand to more than" \
    $CNNC check "$(spec block-bomb 'input: [1, 8, 8]
blocks:
  b:
    params:
      p0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
      p1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
      p2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
      p3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
      p4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
      p5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
      p6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
      p7: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
    layers: [conv: {filters: 2, size: 1, init: *l7}]
layers: [b]')"
check "--set with an unterminated YAML value is a located error" refused "command line: error: malformed YAML" \
    $CNNC check specs/deepconv.yaml --set 'train.optimizer={name: adam'

finish hostile
