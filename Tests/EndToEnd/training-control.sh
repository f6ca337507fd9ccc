#!/usr/bin/env bash
# Training control through the release binary (issue 16): validation loss in metrics.csv and the epoch lines,
# early stopping with the best checkpoint by the same metric, and the one-cycle and plateau schedules against
# PyTorch's OneCycleLR and ReduceLROnPlateau (Debian's python3-torch) on metrics.csv's learning_rate column.
# Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
metric() { # metric RUN NAME: the named column of metrics.csv, one value per line
    python3 -c "import csv,sys; rows=list(csv.DictReader(open('$1/metrics.csv'))); print('\n'.join(r['$2'] for r in rows))"
}

# --- early stopping on the validation loss ---
$CNNC train specs/deepconv.yaml --data "$DATA" --epochs 30 --threads 2 --out "$WORK/stop" \
    --set train.validation=0.1 --set 'train.early_stop={metric: val_loss, patience: 1, min_delta: 0.05}' > "$WORK/stop.txt" 2>&1
epochs=$(tail -n +2 "$WORK/stop/metrics.csv" | wc -l)
echo "     stopped after $epochs of 30 epochs"
check "early stopping ends the run before its 30 epochs and says why" \
    bash -c "[ $epochs -lt 30 ] && grep -q 'stopped early after $epochs of 30 epochs: val_loss did not improve by more than 0.05 for 1 epoch' '$WORK/stop.txt'"
losses=$(metric "$WORK/stop" validation_loss | grep -c '^[0-9]')
check "metrics.csv has a validation loss for every epoch ($losses of $epochs), and the epoch lines show it" \
    bash -c "[ $losses = $epochs ] && grep -q 'val loss 0\\.' '$WORK/stop.txt'"
# Best as Keras counts it: the last epoch whose loss beat the best before it by more than min_delta.
best=$(metric "$WORK/stop" validation_loss | python3 -c "
import sys
best, epoch = None, 0
for i, v in enumerate(float(x) for x in sys.stdin):
    if best is None or v < best - 0.05: best, epoch = v, i + 1
print(epoch)")
check "best.safetensors is the epoch whose validation loss last improved by more than min_delta (epoch $best), and the summary says so" \
    bash -c "grep -q 'best: epoch $best by validation loss' '$WORK/stop.txt' \
             && [ \"\$(python3 -c \"import json,struct; b=open('$WORK/stop/best.safetensors','rb').read(); n=struct.unpack('<Q',b[:8])[0]; print(json.loads(b[8:8+n])['__metadata__']['epoch'])\")\" = $best ]"
check "curves.svg draws the validation loss" grep -q '>validation<' "$WORK/stop/curves.svg"
$CNNC train --resume --out "$WORK/stop" --epochs 35 > "$WORK/stop-resume.txt" 2>&1
check "a stopped run resumed with more epochs stays stopped" \
    bash -c "grep -q 'stopped early' '$WORK/stop-resume.txt' && [ \$(tail -n +2 '$WORK/stop/metrics.csv' | wc -l) = $epochs ]"

# --- schedules against PyTorch ---
if /usr/bin/python3 -c "import torch" 2> /dev/null; then
    $CNNC train specs/deepconv.yaml --data "$DATA" --epochs 3 --batch 500 --threads 2 --out "$WORK/onecycle" \
        --set train.schedule=onecycle --set train.optimizer.lr=0.01 > "$WORK/onecycle.txt" 2>&1
    ours=$(metric "$WORK/onecycle" learning_rate | tr '\n' ' ')
    theirs=$(/usr/bin/python3 Tests/Peers/torch_schedules.py onecycle 0.01 3 10)
    echo "     onecycle: cnnc $ours; PyTorch $theirs"
    check "onecycle: each epoch's last rate is PyTorch's OneCycleLR's (to 1e-12)" \
        python3 -c "import sys; a=[float(x) for x in '$ours'.split()]; b=[float(x) for x in '$theirs'.split()]; sys.exit(0 if len(a)==len(b)==3 and all(abs(x-y)<=1e-12*max(abs(y),1e-30) for x,y in zip(a,b)) else 1)"
    $CNNC train specs/deepconv.yaml --data "$DATA" --epochs 5 --threads 2 --out "$WORK/plateau" --set train.validation=0.1 \
        --set 'train.schedule={name: plateau, factor: 0.5, patience: 0, threshold: 0.3}' > "$WORK/plateau.txt" 2>&1
    ours=$(metric "$WORK/plateau" learning_rate | tr '\n' ' ')
    theirs=$(/usr/bin/python3 Tests/Peers/torch_schedules.py plateau 0.001 0.5 0 0.3 $(metric "$WORK/plateau" validation_loss))
    echo "     plateau: cnnc $ours; PyTorch $theirs"
    check "plateau: the rates are PyTorch's ReduceLROnPlateau's on the same validation losses, and it reduced at least once" \
        python3 -c "import sys; a=[float(x) for x in '$ours'.split()]; b=[float(x) for x in '$theirs'.split()]; sys.exit(0 if len(a)==len(b)==5 and all(abs(x-y)<=1e-12*y for x,y in zip(a,b)) and min(a)<a[0] else 1)"
else
    echo "skip schedules against PyTorch: /usr/bin/python3 has no torch (apt-get install python3-torch)"
fi

finish training-control
