#!/usr/bin/env bash
# End to end for branching networks with the release binary: the comparisons print their ratios,
# the reports count as torchvision's tables (Tests/Peers/torchvision_counts.py), spp keeps the dense
# input whatever the image size, `cnnc graph` renders SVG, and resnet-mini and
# the Inception-style network train on Fashion-MNIST (one epoch here; the 10-epoch figures are in
# the README). Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

$CNNC params specs/inception.yaml > "$WORK/inception.txt" 2>&1
check "inception: reduced module is 0.42x the naive one's parameters" grep -q "inception-reduced .* inception-naive *0.42x" "$WORK/inception.txt"
$CNNC params specs/separable.yaml > "$WORK/separable.txt" 2>&1
check "separable: 0.13x, factorized 1x3+3x1: 0.67x" \
    bash -c "grep -q 'separable-3x3 .* 0.13x' '$WORK/separable.txt' && grep -q 'factorized-1x3-3x1 .* 0.67x' '$WORK/separable.txt'"
$CNNC params specs/kernel-choice.yaml > "$WORK/kernel.txt" 2>&1
check "kernel choice: 640 against 1,600 parameters" bash -c "grep -q 'conv64-3x3 .* 640 ' '$WORK/kernel.txt' && grep -q 'conv32-7x7 .* 1,600 ' '$WORK/kernel.txt'"
dense_at() { $CNNC check specs/pooling.yaml --input "$1" --json 2> /dev/null \
    | python3 -c "import json, sys; n = json.load(sys.stdin)['networks'][0]; print(n['layers'][-1]['params'])"; }
check "spp: the dense layer has the same parameters at 180x180 and 224x224" test "$(dense_at 3x180x180)" = "$(dense_at 3x224x224)"
$CNNC params --markdown specs/kernel-choice.yaml > "$WORK/kernel.md" 2>&1
check "params --markdown: a GitHub table of learned params, buffers, MACs, other ops and the last conv's RF" \
    bash -c "head -2 '$WORK/kernel.md' | grep -q '^| network | input | params | buffers | MACs | other ops | RF (last conv) |\$' \
             && grep -q '^| conv32-7x7 | 1x28x28 | 1,600 | 0 | 758,912 | 0 | 7 |\$' '$WORK/kernel.md'"
bn_json() { $CNNC params --json specs/resnet-mini.yaml 2> /dev/null | python3 -c "import json, sys; n = json.load(sys.stdin)['networks'][0]; print(n['$1'])"; }
check "resnet-mini: 174,874 learned params, its 928 batchnorm running statistics apart" \
    test "$(bn_json params) $(bn_json buffers)" = "174874 928"
if /usr/bin/python3 -c "import torchvision" 2> /dev/null; then
    check "ResNet-50 and a mixed network: params, buffers, MACs and other ops equal PyTorch's count (torchvision, hooks)" \
        /usr/bin/python3 Tests/Peers/torchvision_counts.py "$CNNC" "$WORK"
else
    echo "skip the torchvision count check: python3-torchvision is not installed (bash .ci/install-deps installs it)"
fi

if command -v dot > /dev/null; then
    $CNNC graph specs/inception.yaml -o "$WORK/inception.svg" > /dev/null
    check "cnnc graph writes an SVG with every layer of the Inception modules" \
        python3 -c "import sys, xml.etree.ElementTree as ET; t = open('$WORK/inception.svg').read(); ET.fromstring(t); sys.exit(0 if all(n in t for n in ['concat1', 'conv6', 'maxpool1', '163,696 parameters']) else 1)"
    $CNNC graph specs/inception.yaml -o "$WORK/inception.png" > /dev/null
    $CNNC graph specs/inception.yaml -o "$WORK/inception.pdf" > /dev/null
    check "cnnc graph writes PNG and PDF as their extensions say (Graphviz's dot)" \
        python3 -c "import sys; sys.exit(0 if open('$WORK/inception.png', 'rb').read(8) == b'\\x89PNG\\r\\n\\x1a\\n' and open('$WORK/inception.pdf', 'rb').read(5) == b'%PDF-' else 1)"
else
    echo "skip the SVG check: Graphviz is not installed (bash .ci/install-deps installs it)"
fi

for spec in resnet-mini inception-fashion; do
    $CNNC train specs/$spec.yaml --epochs 1 --seed 1 --out "$WORK/$spec" > "$WORK/$spec.log" 2>&1
    acc=$(tail -n 1 "$WORK/$spec/metrics.csv" | cut -d, -f7)
    echo "$spec, 1 epoch of Fashion-MNIST: test accuracy $acc ($(grep -o '[0-9.]* s  [0-9]* img/s' "$WORK/$spec.log" | tail -1))"
    check "$spec learns Fashion-MNIST in one epoch (at least 75%)" at_least "${acc:-0}" 0.75
done
check "curves.svg says 'dropout on' only for a network with dropout (resnet-mini has none)" \
    bash -c "grep -q '>train<' '$WORK/resnet-mini/curves.svg' && ! grep -q 'dropout on' '$WORK/resnet-mini/curves.svg'"

# cnnc bench: the layers inside a residual block are listed under it, a fused relu says so, and --inference-only
# times inference alone (decimal images/s in the JSON), its per-layer breakdown of inference batches with the
# batchnorms folded into their convs; --input replaces the spec's input.
$CNNC bench specs/resnet-mini.yaml --batch 2 --threads 1 --iters 1 > "$WORK/bench.txt"
check "bench lists a residual block's layers indented under it, and fused relus as fused" \
    bash -c "grep -Eq '^  residual[0-9]+ +residual' '$WORK/bench.txt' && grep -Eq '^    conv[0-9]+ +conv +[0-9.]+ +[0-9.]+ +[0-9.]+ ' '$WORK/bench.txt' \
             && grep -Eq '^ +relu[0-9]+ +relu +fused +fused' '$WORK/bench.txt'"
$CNNC bench specs/resnet-mini.yaml --batch 2 --threads 1 --iters 1 --inference-only --input 3x40x40 --json > "$WORK/bench.json"
check "bench --inference-only --input: no training timed, inference in images/s with decimals, layers timed in inference" \
    python3 -c "
import json
r = json.load(open('$WORK/bench.json'))
assert r['train_images_per_s'] == 0 and r['infer_images_per_s'] > 0 and r['layers_timed'] == 'inference', r
layers = r['layers']
assert all(l['backward_ms'] == 0 for l in layers), layers
convs = [l for l in layers if l['kind'] == 'conv']
assert convs and all(l['forward_ms'] > 0 and not l['fused'] for l in convs), convs
norms = [l for l in layers if l['kind'] == 'batchnorm']
assert norms and all(l['fused'] and l['forward_ms'] == 0 for l in norms), norms
"
$CNNC bench specs/resnet-mini.yaml --batch 2 --threads 1 --iters 1 --inference-only > "$WORK/bench-inference.txt"
check "bench --inference-only prints the inference breakdown without a backward column, folded batchnorms as fused" \
    bash -c "grep -q '^per layer, inference' '$WORK/bench-inference.txt' && ! grep -q 'backward ms' '$WORK/bench-inference.txt' \
             && grep -Eq '^    batchnorm[0-9]+ +batchnorm +fused *$' '$WORK/bench-inference.txt'"

finish
