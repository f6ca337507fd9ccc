#!/usr/bin/env bash
# Data-parallel training under Open MPI with the release binary built with the MPI trait
# (.build-mpi/release/cnnc, built by Tests/run-all.sh): the split of every step over ranks is
# exact, every rank holds the same weights, no image is lost or repeated with uneven shards, a
# killed rank ends the job with the last checkpoint whole, --resume continues under MPI, and two
# ranks train DeepConvNet to the same accuracy as one process. Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
PLAIN=$CNNC
CNNC=.build-mpi/release/cnnc
for tool in mpirun "$CNNC"; do
    command -v "$tool" > /dev/null || { echo "FAIL $tool is missing: bash .ci/install-deps installs Open MPI, Tests/run-all.sh builds $CNNC"; exit 1; }
done
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
accuracy() { tail -n 1 "$1/metrics.csv" | cut -d, -f7; }

# The test networks: DeepConvNet without its dropout (as the equivalence test asks), and the same with SGD + momentum,
# whose step, unlike Adam's, scales with the gradient (so a mis-weighted share would show).
grep -v dropout specs/deepconv.yaml > "$WORK/nodrop.yaml"
sed 's/optimizer: {name: adam, lr: 0.001}/optimizer: {name: momentum, lr: 0.01, momentum: 0.9}/' "$WORK/nodrop.yaml" > "$WORK/sgd.yaml"
grep -q momentum "$WORK/sgd.yaml" || echo "FAIL could not make the SGD variant of specs/deepconv.yaml"
python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/spread1000" 1000
python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/spread225" 225
python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/spread300" 300

# A plain launch never touches MPI; one rank under mpirun is the same computation, bit for bit.
$CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 1 --threads 2 --out "$WORK/plain" > "$WORK/plain.log" 2>&1
$MPIRUN -np 1 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 1 --threads 2 --out "$WORK/np1" > "$WORK/np1.log" 2>&1
check "mpirun -np 1 gives the plain run's weights bit for bit" cmp -s "$WORK/plain/last.safetensors" "$WORK/np1/last.safetensors"

# Two ranks against one process: only the order of the float sums differs (and, with uneven shares, the rounding of
# the share weights). SGD + momentum turns gradients into weights linearly, so its weights after 10 steps show
# whether the ranks' averaged gradients equal one process's: after 3 steps they must agree to 1e-4 (measured:
# ~3e-7, as between 1 and 2 threads in one process). Training from scratch is chaotic, so later steps amplify
# rounding (docs/scaling.md), and Adam more so: its step is ±lr for any gradient near rounding level. Adam's
# figure is printed, not checked; for Adam the check is the accuracy below.
distance_after_3_steps() { # SPEC DATA BATCH
    rm -rf "$WORK/one" "$WORK/two"
    $CNNC train "$1" --data "$2" --epochs 1 --batch "$3" --threads 2 --out "$WORK/one" > /dev/null 2>&1
    $MPIRUN -np 2 $CNNC train "$1" --data "$2" --epochs 1 --batch "$3" --out "$WORK/two" > /dev/null 2>&1
    python3 Tests/EndToEnd/weights_distance.py "$WORK/one/last.safetensors" "$WORK/two/last.safetensors"
}
d=$(distance_after_3_steps "$WORK/sgd.yaml" "$WORK/spread300" 100)
echo "sgd+momentum, shares 50+50, 3 steps: largest relative weight difference $d"
check "2 ranks = 1 process to 1e-4 relative (SGD + momentum, even shares)" at_most "$d" 1e-4
d=$(distance_after_3_steps "$WORK/sgd.yaml" "$WORK/spread225" 75)
echo "sgd+momentum, shares 38+37, 3 steps: largest relative weight difference $d"
check "2 ranks = 1 process to 1e-4 relative (SGD + momentum, uneven shares)" at_most "$d" 1e-4
echo "adam, shares 50+50, 3 steps: largest relative weight difference $(distance_after_3_steps "$WORK/nodrop.yaml" "$WORK/spread300" 100) (not checked)"

# One epoch of the 5,000 digits: the same accuracy within 0.2 points.
$PLAIN train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --out "$WORK/epoch-one" > "$WORK/epoch-one.log" 2>&1
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --out "$WORK/epoch-two" > "$WORK/epoch-two.log" 2>&1
one=$(accuracy "$WORK/epoch-one"); two=$(accuracy "$WORK/epoch-two")
echo "one epoch, dropout off: 1 process $one, 2 ranks $two; weights differ by $(python3 Tests/EndToEnd/weights_distance.py "$WORK/epoch-one/last.safetensors" "$WORK/epoch-two/last.safetensors")"
grep "^epoch 1:" "$WORK/epoch-one.log" "$WORK/epoch-two.log"
check "one epoch: 2 ranks reach 1 process's accuracy within 0.2 points" \
    python3 -c "import sys; sys.exit(0 if abs($one - $two) <= 0.002 else 1)"

# Replica checks: identical weights after every step, every image used once with uneven shards (5,000 images in
# steps of 75 split 38+37, the last step 50; 1,000 images in steps of 64 over 3 ranks, the last 40 split 14+13+13;
# 300 in steps of 2 over 3 ranks, one rank idle every step).
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --batch 75 --check-replicas --out "$WORK/check2" > "$WORK/check2.log" 2>&1
check "2 ranks, batch 75: weights equal after every step, all 5000 images used exactly once" \
    grep -q "weights identical on all 2 ranks after every step; 5,000 training images, each used exactly once" "$WORK/check2.log"
$MPIRUN -np 3 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 2 --batch 64 --check-replicas --out "$WORK/check3" > "$WORK/check3.log" 2>&1
check "3 ranks, batch 64: all 1000 images used exactly once in each of 2 epochs" \
    test "$(grep -c 'weights identical on all 3 ranks after every step; 1,000 training images, each used exactly once' "$WORK/check3.log")" -eq 2
$MPIRUN -np 3 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread300" --epochs 1 --batch 2 --check-replicas --out "$WORK/idle" > "$WORK/idle.log" 2>&1
check "3 ranks, batch 2 (one rank idle each step): all 300 images used exactly once" \
    grep -q "300 training images, each used exactly once" "$WORK/idle.log"
# The check itself catches a difference: rank 1 nudges one weight at step 4.
$MPIRUN -np 2 -x CNNC_TEST_PERTURB=1:3 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 1 --check-replicas \
    --out "$WORK/perturbed" > "$WORK/perturbed.log" 2>&1
status=$?
check "a rank whose weights drift is caught at that step, and the job fails" \
    bash -c "[ $status -ne 0 ] && grep -q \"the ranks' weights differ after epoch 1, step 4\" '$WORK/perturbed.log'"

# A rank killed mid-run ends the job (non-zero, naming the rank); the last checkpoint stays whole and --resume continues.
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 4 --out "$WORK/killed" > "$WORK/killed.log" 2>&1 &
launcher=$!
for _ in $(seq 600); do
    [ -f "$WORK/killed/metrics.csv" ] && [ "$(wc -l < "$WORK/killed/metrics.csv")" -ge 2 ] && break
    sleep 0.1
done
victim=""
for pid in $(pgrep -f "$CNNC train"); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$pid; fi
done
[ -n "$victim" ] && kill -9 "$victim"
wait "$launcher"
status=$?
echo "killed rank 1 (pid ${victim:-none}) after epoch $(($(wc -l < "$WORK/killed/metrics.csv") - 1)); mpirun exited with $status"
grep -i -m 2 'rank 1' "$WORK/killed.log"
check "killing rank 1 ends the job with a non-zero exit that names the rank" \
    bash -c "[ -n '$victim' ] && [ $status -ne 0 ] && grep -qi 'rank 1' '$WORK/killed.log'"
check "the last checkpoint is whole after the kill" \
    bash -c "$CNNC eval '$WORK/nodrop.yaml' --weights '$WORK/killed/last.safetensors' --data '$WORK/spread1000' --json > /dev/null"
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 4 --out "$WORK/killed" --resume > "$WORK/resumed.log" 2>&1
status=$?
check "--resume under mpirun continues the killed run to its last epoch" \
    bash -c "[ $status -eq 0 ] && grep -q '^resuming' '$WORK/resumed.log' && [ \$(wc -l < '$WORK/killed/metrics.csv') -eq 5 ]"

# A cnnc built without MPI says so instead of training N independent copies.
$MPIRUN -np 2 $PLAIN train "$WORK/nodrop.yaml" --data "$WORK/spread300" --epochs 1 --out "$WORK/nompi" > "$WORK/nompi.log" 2>&1
status=$?
check "a build without MPI under mpirun -np 2 fails and says how to build with MPI" \
    bash -c "[ $status -ne 0 ] && grep -q 'built without MPI' '$WORK/nompi.log' && grep -q 'traits MPI' '$WORK/nompi.log'"

$PLAIN train "$WORK/nodrop.yaml" --data "$WORK/spread300" --epochs 1 --distributed --out "$WORK/forced" > "$WORK/forced.log" 2>&1
status=$?
check "--distributed on a build without MPI fails with the build command" \
    bash -c "[ $status -ne 0 ] && grep -q 'built without MPI' '$WORK/forced.log' && [ ! -e '$WORK/forced/last.safetensors' ]"

# The README's command: DeepConvNet (dropout on) on 2 ranks reaches the single-process bar of 97.5%.
$MPIRUN -np 2 $CNNC train specs/deepconv.yaml --data "$DATA" --seed 1 --out "$WORK/deepconv" > "$WORK/deepconv.log" 2>&1
final=$(accuracy "$WORK/deepconv")
tail -n 3 "$WORK/deepconv.log" | head -n 1
echo "deepconv, 2 ranks x 1 thread, 20 epochs: test accuracy $final"
check "mpirun -np 2 trains DeepConvNet to 97.5% on the MNIST test set" at_least "$final" 0.975

finish mpi
