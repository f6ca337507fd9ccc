#!/usr/bin/env bash
# Composition through the release binary (issue 16): --set on the commands that read a spec, `extends`,
# `blocks`, `cnnc check --resolved`, and a short training whose run folder keeps the resolved spec, resumes
# from it, and refuses a resume whose overrides differ. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

# --- check --resolved: a plain spec that reads to the same network ---
$CNNC check --resolved specs/resnet20.yaml > "$WORK/resnet20-resolved.yaml"
check "the resolved ResNet-20 has no blocks left" bash -c "! grep -qE 'blocks:|\\\$' '$WORK/resnet20-resolved.yaml'"
check "the resolved ResNet-20 counts as the spec (params table equal)" \
    cmp -s <($CNNC params specs/resnet20.yaml) <($CNNC params "$WORK/resnet20-resolved.yaml")
check "ResNet-20 written with blocks has the paper's 0.27 M parameters (272,474) and 40.8 M multiply-adds" \
    bash -c "$CNNC params --json specs/resnet20.yaml | python3 -c 'import json,sys; n=json.load(sys.stdin)[\"networks\"][0]; sys.exit(0 if (n[\"params\"], n[\"total_macs\"]) == (272474, 40813184) else 1)'"
check "a stage's names nest block and layer (stage2_basic1_conv1, its shortcut stage2_basic1_conv3)" \
    bash -c "$CNNC check specs/resnet20.yaml | grep -q ' stage2_basic1_conv1 ' && $CNNC check specs/resnet20.yaml | grep -q ' stage2_basic1_conv3 '"

# --- --set on every command that reads a spec ---
check "check --set layers.conv3.filters=64 changes conv3" \
    bash -c "$CNNC check specs/deepconv.yaml --set layers.conv3.filters=64 | grep -E '^ +6  conv3 ' | grep -q '64x14x14'"
check "params --set input=[1,40,40] counts the larger dense layer (152,352 parameters, not 123,552)" \
    bash -c "$CNNC params specs/deepconv.yaml --set 'input=[1, 40, 40]' 2> /dev/null | head -n 1 | grep -q '152,352 parameters'"
check "graph --set removes a layer (one dropout node left of two)" \
    bash -c "[ \$($CNNC graph specs/deepconv.yaml --set layers.dropout1= | grep -c 'label=\"dropout') -eq 1 ]"
check "bench --set runs the changed network" \
    bash -c "$CNNC bench specs/deepconv.yaml --set layers.dense1.units=20 --iters 1 --batch 4 --threads 1 --json | grep -q train_images_per_s"
$CNNC check specs/deepconv.yaml --set train.optimizer.lr=abc > /dev/null 2> "$WORK/err.txt"; status=$?
check "a bad --set value: exit 1, the error on the command line with a caret under the value" \
    bash -c "[ $status -eq 1 ] && grep -q '^command line: error: .lr. must be a number' '$WORK/err.txt' \
             && grep -q '^  --set train.optimizer.lr=abc' '$WORK/err.txt' && grep -qE '^ {27}\\^' '$WORK/err.txt'"
$CNNC check specs/deepconv.yaml --set layers.conv9.filters=2 > /dev/null 2> "$WORK/err.txt"; status=$?
check "--set naming no layer: exit 1 with the names' hint" bash -c "[ $status -eq 1 ] && grep -q \"no layer is named 'conv9'\" '$WORK/err.txt'"

# --- extends ---
mkdir -p "$WORK/specs"
cp specs/deepconv.yaml "$WORK/specs/base.yaml"
cat > "$WORK/specs/wide.yaml" <<'YAML'
extends: base.yaml
name: deepconv-wide
train: {optimizer: {lr: 0.002}, epochs: 1}
layers:
  dense1: {units: 100}
  dropout1: null
YAML
$CNNC check --resolved "$WORK/specs/wide.yaml" > "$WORK/wide-resolved.yaml"
check "extends: the derived spec merges onto its base (name, lr, epochs, dense1 100 units, dropout1 gone)" \
    bash -c "grep -q 'name: deepconv-wide' '$WORK/wide-resolved.yaml' && grep -q 'optimizer: {name: adam, lr: 0.002}' '$WORK/wide-resolved.yaml' \
             && grep -q 'units: 100' '$WORK/wide-resolved.yaml' && [ \$(grep -c 'dropout' '$WORK/wide-resolved.yaml') -eq 1 ]"
printf 'extends: loop-b.yaml\n' > "$WORK/specs/loop-a.yaml"; printf 'extends: loop-a.yaml\n' > "$WORK/specs/loop-b.yaml"
$CNNC check "$WORK/specs/loop-a.yaml" > /dev/null 2> "$WORK/err.txt"; status=$?
check "an extends cycle: exit 1, located, naming the chain" \
    bash -c "[ $status -eq 1 ] && grep -q \"loop-b.yaml:1:10: error: 'extends' makes a cycle\" '$WORK/err.txt'"

# --- training: the run folder keeps the resolved spec; resume checks it ---
RUN=$WORK/run
$CNNC train "$WORK/specs/wide.yaml" --data "$DATA" --out "$RUN" --threads 2 --set train.batch=50 --set layers.conv1.filters=8 > "$WORK/train.txt" 2>&1
check "train with extends and --set finishes one epoch" grep -q "final test accuracy" "$WORK/train.txt"
check "the run folder's spec.yaml is the resolved spec (no extends; batch 50, conv1 8 filters)" \
    bash -c "! grep -q extends '$RUN/spec.yaml' && grep -q 'batch: 50' '$RUN/spec.yaml' && grep -q 'filters: 8, size: 3' '$RUN/spec.yaml'"
check "metrics.csv has one epoch" bash -c "[ \$(tail -n +2 '$RUN/metrics.csv' | wc -l) -eq 1 ]"
$CNNC train "$WORK/specs/wide.yaml" --resume --out "$RUN" --epochs 2 --set train.batch=60 --set layers.conv1.filters=8 > "$WORK/resume.txt" 2>&1; status=$?
check "a resume with other overrides is refused" bash -c "[ $status -eq 1 ] && grep -q 'differs from the spec this run was started with' '$WORK/resume.txt'"
$CNNC train "$WORK/specs/wide.yaml" --resume --out "$RUN" --epochs 2 --set train.batch=50 --set layers.conv1.filters=8 > "$WORK/resume.txt" 2>&1
check "a resume with the same spec and overrides continues" bash -c "grep -q 'final test accuracy' '$WORK/resume.txt' && [ \$(tail -n +2 '$RUN/metrics.csv' | wc -l) -eq 2 ]"
$CNNC train --resume --out "$RUN" --epochs 3 > "$WORK/resume.txt" 2>&1
check "a resume from the run's own copy needs neither the base nor the flags" \
    bash -c "grep -q 'final test accuracy' '$WORK/resume.txt' && [ \$(tail -n +2 '$RUN/metrics.csv' | wc -l) -eq 3 ]"
check "eval reads the run's own spec copy" \
    bash -c "$CNNC eval '$RUN/spec.yaml' --weights '$RUN/last.safetensors' --data '$DATA' --threads 2 | grep -q accuracy"

finish compose
