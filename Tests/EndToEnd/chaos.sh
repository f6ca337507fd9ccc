#!/usr/bin/env bash
# Kill -9 at every file operation of a short training run, and fill its disk; then resume. Every run
# must end with metrics rows 1..N exactly once and the same weights, bit for bit, as an uninterrupted
# run, and a full disk must leave the previous checkpoint whole (docs/guarantees.md).
#   strace -e inject=rename:signal=SIGKILL:when=K kills the process as it makes its K-th rename (before
#   the rename happens), likewise for fsync; timed kills land mid-epoch. Needs strace; the disk-full
#   part mounts a small tmpfs (root).
source "$(dirname "$0")/common.bash"
command -v strace > /dev/null || { echo "skip: strace is not installed (bash .ci/install-deps installs it)"; finish chaos; exit; }

python3 - "$DATA" "$WORK/small" <<'PY'
import sys
sys.path.insert(0, "Tests/EndToEnd")
from idx_subset import spread, write_subset
write_subset(sys.argv[1], sys.argv[2], {"train": spread(5000, 600), "t10k": spread(10000, 500)})
PY
EPOCHS=3
TRAIN=($CNNC train specs/lenet5.yaml --data "$WORK/small" --epochs $EPOCHS --seed 7 --threads 1)

# The uninterrupted run everything is compared with.
"${TRAIN[@]}" --out "$WORK/reference" > /dev/null || { echo "the reference run failed"; exit 1; }
columns() { cut -d, -f1-7 "$1/metrics.csv"; }  # seconds and images/s differ between runs

same_as_reference() { # same_as_reference DIR: metrics rows 1..N once, equal to the reference, and equal weights
    local dir=$1
    [ "$(cut -d, -f1 "$dir/metrics.csv" | tail -n +2 | tr '\n' ' ')" = "$(seq -s ' ' 1 $EPOCHS) " ] || { echo "epochs: $(cut -d, -f1 "$dir/metrics.csv" | tr '\n' ' ')"; return 1; }
    diff <(columns "$WORK/reference") <(columns "$dir") > /dev/null || { echo "metrics differ"; return 1; }
    cmp -s "$WORK/reference/last.safetensors" "$dir/last.safetensors" || { echo "last.safetensors differs"; return 1; }
    cmp -s "$WORK/reference/best.safetensors" "$dir/best.safetensors" || { echo "best.safetensors differs"; return 1; }
    ! ls "$dir" | grep -q '\.tmp-' || { echo "temporary files left: $(ls "$dir" | grep '\.tmp-')"; return 1; }
}

killed_then_resumed() { # killed_then_resumed DIR STRACE-ARGS...: one killed run, then resumes until it finishes
    local dir=$1; shift
    rm -rf "$dir"
    local status tries=0
    status=$(strace -f -o /dev/null "$@" "${TRAIN[@]}" --out "$dir" > "$dir.log" 2>&1; echo $?)
    [ $status -eq 137 ] || { echo "not killed (exit $status)"; [ $status -eq 0 ]; return; }
    until [ $tries -ge 3 ]; do
        tries=$((tries + 1))
        if [ -f "$dir/run.json" ]; then
            $CNNC train --resume --out "$dir" >> "$dir.log" 2>&1 && break
        else
            "${TRAIN[@]}" --out "$dir" >> "$dir.log" 2>&1 && break  # killed before the run existed: start again
        fi
    done
    same_as_reference "$dir" || { tail -n 5 "$dir.log"; return 1; }
}

# Renames: the spec copy and run.json, then per epoch best, last, resume (the commit), metrics.csv, curves.svg.
renames=$((2 + 5 * EPOCHS))
for k in $(seq 1 $renames); do
    check "kill -9 at rename $k of $renames, then --resume: metrics 1..$EPOCHS once, weights equal" \
        killed_then_resumed "$WORK/rename$k" -e inject=rename:signal=SIGKILL:when=$k
done
# fsyncs: every file and then its folder (a kill after the data is written, before the rename).
for k in $(seq 1 2 $((2 * renames))); do
    check "kill -9 at fsync $k, then --resume" killed_then_resumed "$WORK/fsync$k" -e inject=fsync:signal=SIGKILL:when=$k
done

# Timed kills, mid-epoch.
for delay in 0.6 1.3 2.1; do
    rm -rf "$WORK/timed"
    "${TRAIN[@]}" --out "$WORK/timed" > /dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    if [ -f "$WORK/timed/run.json" ]; then
        $CNNC train --resume --out "$WORK/timed" > /dev/null 2>&1
    else
        "${TRAIN[@]}" --out "$WORK/timed" > /dev/null 2>&1
    fi
    check "kill -9 after ${delay}s, then --resume" same_as_reference "$WORK/timed"
done

# Ctrl-C mid-epoch saves a resume point inside the epoch; resuming it is exact too.
rm -rf "$WORK/interrupted"
"${TRAIN[@]}" --out "$WORK/interrupted" > "$WORK/interrupted.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^epoch 1' "$WORK/interrupted.log" && break; sleep 0.05; done
sleep 0.3
kill -INT $pid
wait $pid
status=$?
check "Ctrl-C exits 130 and prints the resume command" \
    bash -c "[ $status -eq 130 ] && grep -q 'continue with: cnnc train --resume --out $WORK/interrupted' '$WORK/interrupted.log'"
$CNNC train --resume --out "$WORK/interrupted" > /dev/null 2>&1
check "the printed resume command finishes the run exactly" same_as_reference "$WORK/interrupted"

# A full disk: a tmpfs that holds the first epoch's files but not the second's.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$WORK/disk" && mount -t tmpfs -o size=${DISK_SIZE:-1200k} tmpfs "$WORK/disk" 2> /dev/null; then
    "${TRAIN[@]}" --out "$WORK/disk/run" > "$WORK/full.log" 2>&1
    status=$?
    cat "$WORK/full.log" | grep -E 'error|hint' || true
    check "a full disk is a clear error (exit 1, 'the disk is full')" bash -c "[ $status -eq 1 ] && grep -q 'the disk is full' '$WORK/full.log'"
    cp -r "$WORK/disk/run" "$WORK/moved"
    umount "$WORK/disk"
    resume_moved() { $CNNC train --resume --out "$WORK/moved" > /dev/null 2>&1 && same_as_reference "$WORK/moved"; }
    check "the checkpoint before the full disk is whole and resumes (on a larger disk) to the same weights" resume_moved
else
    echo "skip the disk-full run: mounting a tmpfs needs root"
fi

finish chaos
