#!/usr/bin/env bash
# `cnnc sweep` through the release binary (issue 16): a 2 × 2 grid of DeepConvNet on mnist-5k, two runs at a time,
# interrupted after its first result and resumed; its tables hold every run once, best first. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
SWEEP=$WORK/sweep
args=(sweep specs/deepconv.yaml --data "$DATA" --set train.optimizer.lr=0.001,0.003 --set layers.dense1.units=50,100
      --set train.validation=0.1 --epochs 2 --jobs 2 --threads 2 --out "$SWEEP")

$CNNC "${args[@]}" > "$WORK/first.txt" 2>&1 &
pid=$!
for _ in $(seq 600); do
    [ -f "$SWEEP/sweep.json" ] && grep -q '"result"' "$SWEEP/sweep.json" && break
    sleep 0.1
done
kill -INT $pid
wait $pid; status=$?
done_first=$(python3 -c "import json; print(sum(1 for r in json.load(open('$SWEEP/sweep.json'))['runs'] if r.get('result')))")
check "an interrupted sweep exits 130 with how to continue, keeping its $done_first finished runs" \
    bash -c "[ $status -eq 130 ] && grep -q 'continue with the same command and --out' '$WORK/first.txt' && [ $done_first -ge 1 ] && [ $done_first -lt 4 ]"

$CNNC "${args[@]}" > "$WORK/second.txt" 2>&1
check "the same command resumes it: only the unfinished runs train" \
    bash -c "grep -q '$done_first done already' '$WORK/second.txt' && [ \$(grep -c '^run [0-9]/4' '$WORK/second.txt') -eq $((4 - done_first)) ]"
check "sweep.csv has the four runs once each, best validation accuracy first" \
    python3 -c "
import csv, sys
rows = list(csv.DictReader(open('$SWEEP/sweep.csv')))
acc = [float(r['best_validation_accuracy']) for r in rows]
sys.exit(0 if sorted(r['run'] for r in rows) == ['001', '002', '003', '004'] and acc == sorted(acc, reverse=True) else 1)"
check "the tables give the parameters of each setting (dense1 100 units: 175,302)" \
    bash -c "grep -q '| 100 | 175,302 |' '$SWEEP/sweep.md' && grep -q '| 50 | 123,552 |' '$SWEEP/sweep.md'"
check "every run has its folder with metrics and checkpoints, and its log" \
    bash -c "for i in 001 002 003 004; do [ -f '$SWEEP/runs/'\$i/best.safetensors ] && [ -f '$SWEEP/logs/'\$i.log ] || exit 1; done"
$CNNC sweep specs/deepconv.yaml --set train.optimizer.lr=0.001,abc --epochs 1 --out "$WORK/bad" > /dev/null 2> "$WORK/bad.txt"; status=$?
check "a bad value fails before any run trains, on the command line" \
    bash -c "[ $status -eq 1 ] && grep -q \"^command line: error: 'lr' must be a number\" '$WORK/bad.txt' && [ ! -d '$WORK/bad' ]"
$CNNC sweep specs/deepconv.yaml --set train.optimizer.lr=0.001 --out "$WORK/none" > /dev/null 2> "$WORK/none.txt"; status=$?
check "a sweep with nothing to vary is refused" bash -c "[ $status -eq 1 ] && grep -q 'nothing to sweep' '$WORK/none.txt'"

finish sweep
