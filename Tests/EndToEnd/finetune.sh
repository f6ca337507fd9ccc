#!/usr/bin/env bash
# Fine-tuning through the release binary (issue 16), the README's example shortened: DeepConvNet trained on
# digits 0-4 with a 5-class head, then its convolutions frozen and a new 10-class head trained on all ten
# digits (--init-weights --partial, train.freeze). Checks the report of what was loaded, that the frozen
# tensors are the source's bit for bit, and that the transferred features beat frozen random ones.
# Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"

python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/digits04" --below 5
$CNNC train specs/deepconv.yaml --data "$WORK/digits04" --set layers.logits.units=5 --epochs 10 --out "$WORK/04" --threads 2 \
    > "$WORK/04.txt" 2>&1
acc04=$(grep -o 'final test accuracy [0-9.]*' "$WORK/04.txt" | grep -o '[0-9.]*$')
echo "     digits 0-4, 10 epochs: ${acc04:-none}%"
check "digits 0-4 with a 5-class head: at least 97.5% on their test digits" at_least "${acc04:-0}" 97.5

$CNNC train specs/deepconv.yaml --data "$DATA" --init-weights "$WORK/04/best.safetensors" --epochs 1 --out "$WORK/exact" \
    > "$WORK/exact.txt" 2>&1; status=$?
check "without --partial a checkpoint with another head is refused, naming the tensors and --partial" \
    bash -c "[ $status -eq 1 ] && grep -q 'logits.weight is \[5, 50\] there, \[10, 50\] in the spec' '$WORK/exact.txt' && grep -q -- '--partial' '$WORK/exact.txt'"

$CNNC train specs/deepconv.yaml --data "$DATA" --init-weights "$WORK/04/best.safetensors" --partial --set 'train.freeze=["conv*"]' \
    --epochs 3 --out "$WORK/ft" --threads 2 > "$WORK/ft.txt" 2>&1
accft=$(grep -o 'final test accuracy [0-9.]*' "$WORK/ft.txt" | grep -o '[0-9.]*$')
echo "     all ten digits, convs frozen, new head, 3 epochs: ${accft:-none}%"
check "the report: 14 tensors loaded, the head refused (5x50 there, 10x50 here), 71,792 parameters frozen" \
    bash -c "grep -q 'loaded 14 tensors' '$WORK/ft.txt' && grep -q 'logits.weight (5x50 there, 10x50 here)' '$WORK/ft.txt' \
             && grep -q '(71,792 frozen)' '$WORK/ft.txt'"
for conv in conv1 conv2 conv3 conv4 conv5 conv6; do
    check "$conv after fine-tuning is the source's, bit for bit" \
        bash -c "[ \"\$(python3 Tests/EndToEnd/weights_distance.py '$WORK/04/best.safetensors' '$WORK/ft/last.safetensors' $conv.)\" = 0 ]"
done
check "dense1 was trained" bash -c "[ \"\$(python3 Tests/EndToEnd/weights_distance.py '$WORK/04/best.safetensors' '$WORK/ft/last.safetensors' dense1.)\" != 0 ]"

$CNNC train specs/deepconv.yaml --data "$DATA" --set 'train.freeze=["conv*"]' --epochs 3 --out "$WORK/random" --threads 2 > "$WORK/random.txt" 2>&1
accrandom=$(grep -o 'final test accuracy [0-9.]*' "$WORK/random.txt" | grep -o '[0-9.]*$')
echo "     all ten digits, random convs frozen, 3 epochs: ${accrandom:-none}%"
check "features learnt on digits 0-4 beat frozen random ones by 15 points (${accft:-0}% against ${accrandom:-0}%)" \
    at_least "$(python3 -c "print(${accft:-0} - ${accrandom:-100})")" 15

$CNNC train specs/deepconv.yaml --data "$DATA" --set 'train.freeze=["*"]' --epochs 1 --out "$WORK/all" > "$WORK/all.txt" 2>&1; status=$?
check "freezing every layer is refused before training, and leaves no run behind" \
    bash -c "[ $status -eq 1 ] && grep -q 'training would change nothing' '$WORK/all.txt' && [ ! -e '$WORK/all/run.json' ]"
$CNNC check specs/deepconv.yaml --set 'train.freeze=[relu1]' > /dev/null 2> "$WORK/relu.txt"; status=$?
check "freezing a relu (no tensors) is refused, as freeze: true on it" bash -c "[ $status -eq 1 ] && grep -q 'learned tensors' '$WORK/relu.txt'"
# A start whose checkpoint does not fit leaves the folder reusable; the corrected command then trains from those weights.
$CNNC train specs/deepconv.yaml --data "$DATA" --init-weights "$WORK/04/best.safetensors" --epochs 1 --out "$WORK/retry" > /dev/null 2>&1
$CNNC train specs/deepconv.yaml --data "$DATA" --init-weights "$WORK/04/best.safetensors" --partial --set 'train.freeze=["conv*"]' \
    --epochs 1 --out "$WORK/retry" --threads 2 > "$WORK/retry.txt" 2>&1
check "after a refused checkpoint the same folder takes the corrected command, which loads the weights" \
    bash -c "grep -q 'loaded 14 tensors' '$WORK/retry.txt' && [ \"\$(python3 Tests/EndToEnd/weights_distance.py '$WORK/04/best.safetensors' '$WORK/retry/last.safetensors' conv1.)\" = 0 ]"
# A fine-tuning run killed before its first resume point starts over on --resume: from the checkpoint it names, not the init.
rm -f "$WORK/retry/resume.safetensors" "$WORK/retry/metrics.csv" "$WORK/retry/last.safetensors" "$WORK/retry/best.safetensors"
$CNNC train --resume --out "$WORK/retry" > "$WORK/restart.txt" 2>&1
check "a resume that starts over loads the recorded checkpoint (--partial kept): frozen conv1 is the source's" \
    bash -c "grep -q 'final test accuracy' '$WORK/restart.txt' && [ \"\$(python3 Tests/EndToEnd/weights_distance.py '$WORK/04/best.safetensors' '$WORK/retry/last.safetensors' conv1.)\" = 0 ]"

finish finetune
