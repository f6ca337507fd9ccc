#!/usr/bin/env bash
# Data-parallel training across hosts over TCP: two network namespaces of this machine, each a host with its own
# address and name, on a 1 Gb/s tbf-shaped link (Tests/EndToEnd/netns-hosts.bash). Two hosts train as one process
# does (accuracy within the documented 0.2 points, replicas identical after every step); the bucketed allreduce
# that overlaps backward gives the one-allreduce run's weights bit for bit; a host cut off mid-run ends the job
# within a bounded time and the run resumes on the host that remains; a stopped rank is reported by the other
# within --peer-timeout. Needs root (CI is). Prints 'N passed, N failed'.
source "$(dirname "$0")/common.bash"
source "$(dirname "$0")/netns-hosts.bash"
PLAIN=$CNNC
CNNC=.build-mpi/release/cnnc
if [ "$(id -u)" -ne 0 ]; then echo "FAIL the multi-host test makes network namespaces: run it as root"; exit 1; fi
for tool in mpirun ip tc unshare "$CNNC"; do
    command -v "$tool" > /dev/null || { echo "FAIL $tool is missing: bash .ci/install-deps installs it, Tests/run-all.sh builds $CNNC"; exit 1; }
done
# Kills PID if it is still running after S seconds; ends by itself as soon as PID does (holding no output open).
kill_after() { ( for _ in $(seq $(($2 * 10))); do kill -0 "$1" 2> /dev/null || exit 0; sleep 0.1; done; kill -9 "$1" ) > /dev/null 2>&1 & }
# Waits (up to 60 s) until run folder DIR's metrics.csv holds N epochs.
wait_for_epochs() { for _ in $(seq 600); do [ -f "$1/metrics.csv" ] && [ "$(wc -l < "$1/metrics.csv")" -gt "$2" ] && return; sleep 0.1; done; }
# Waits for mpirun PID (killing it after 60 s); sets status and took (seconds since SINCE).
wait_job() { kill_after "$1" 60; wait "$1"; status=$?; took=$((SECONDS - $2)); }
accuracy() { tail -n 1 "$1/metrics.csv" | cut -d, -f7; }
hosts_up 2 || { echo "FAIL could not make the namespaces"; exit 1; }
hosts_shape 1gbit || { echo "FAIL could not shape the links"; exit 1; }
# Open MPI's daemons notice a host that stopped answering within ~5 s (TCP keepalive), instead of 8 minutes.
MPIRUN="$MPIRUN_HOSTS --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3"
names=$($MPIRUN -np 2 hostname | sort | tr '\n' ' ')
check "two ranks run on two hosts ($names)" test "$names" = "$HOSTS_TAG-h1 $HOSTS_TAG-h2 "

grep -v dropout specs/deepconv.yaml > "$WORK/nodrop.yaml"
python3 Tests/EndToEnd/idx_subset.py "$DATA" "$WORK/spread1000" 1000

# One epoch of the 5,000 digits: 2 hosts reach one process's accuracy within 0.2 points (docs/scaling.md), with the
# weights identical on both after every step and every image used once.
$PLAIN train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --out "$WORK/one" > "$WORK/one.log" 2>&1
# --peer-timeout 0 (no limit) once too: the bucket wait then has no deadline.
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --threads 1 --check-replicas --peer-timeout 0 --out "$WORK/two" > "$WORK/two.log" 2>&1
grep "^epoch 1:" "$WORK/one.log" "$WORK/two.log"
one=$(accuracy "$WORK/one"); two=$(accuracy "$WORK/two")
check "2 hosts over a 1 Gb/s link: one epoch reaches 1 process's accuracy within 0.2 points ($one, $two)" \
    python3 -c "import sys; sys.exit(0 if abs($one - $two) <= 0.002 else 1)"
check "2 hosts: weights identical after every step, all 5000 images used exactly once" \
    grep -q "weights identical on all 2 ranks after every step; 5,000 training images, each used exactly once" "$WORK/two.log"
check "the allreduce ran in buckets during backward" grep -q "allreduce left after backward" "$WORK/two.log"

# The buckets change when each part of the gradient is summed, not what: with 2 ranks every element is a + b.
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$DATA" --epochs 1 --threads 1 --bucket-kib 0 --out "$WORK/flat" > "$WORK/flat.log" 2>&1
grep "^epoch 1:" "$WORK/flat.log"
check "bucketed allreduce = one allreduce after backward, bit for bit" cmp -s "$WORK/two/last.safetensors" "$WORK/flat/last.safetensors"

# A host cut off (its cable pulled) after epoch 2 of 6: the job ends with a message naming the lost host, within a
# bounded time; the checkpoint of epoch 2 is whole and the run finishes on the host that remains.
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 6 --threads 1 --peer-timeout 10 --out "$WORK/cut" \
    > "$WORK/cut.log" 2>&1 &
launcher=$!
wait_for_epochs "$WORK/cut" 2
hosts_cut 2
wait_job $launcher $SECONDS
echo "cut host 2 after epoch $(($(wc -l < "$WORK/cut/metrics.csv") - 1)); mpirun exited with $status after $took s"
grep -A 3 -m 1 -E "lost communication|waited" "$WORK/cut.log"
check "a host cut off ends the job within 30 s, non-zero, naming the lost host" \
    bash -c "[ $status -ne 0 ] && [ $took -le 30 ] && grep -q -E 'lost communication with a remote daemon|waited 10 s for the other ranks' '$WORK/cut.log'"
done_epochs=$(($(wc -l < "$WORK/cut/metrics.csv") - 1))
ip netns pids "$HOSTS_TAG-h1" | xargs -r kill -9 2> /dev/null # anything the ended job left on the host that remains
$MPIRUN -np 1 --host "$HOSTS_NET.11" $CNNC train --resume --out "$WORK/cut" --threads 1 > "$WORK/resumed.log" 2>&1
status=$?
grep -E "^note|^resuming|^epoch 6" "$WORK/resumed.log"
epochs=$(cut -d, -f1 "$WORK/cut/metrics.csv" | tail -n +2 | tr '\n' ' ')
check "--resume on the remaining host finishes the run, each epoch once (epochs 1-$done_epochs from 2 hosts: $epochs)" \
    bash -c "[ $status -eq 0 ] && grep -q '^resuming' '$WORK/resumed.log' && [ '$epochs' = '1 2 3 4 5 6 ' ]"

# A rank that stops answering while its host stays up (here SIGSTOP): the other rank gives up after --peer-timeout
# with a message that says what to do, and mpirun ends the job.
hosts_restore 2
$MPIRUN -np 2 $CNNC train "$WORK/nodrop.yaml" --data "$WORK/spread1000" --epochs 6 --threads 1 --peer-timeout 5 --out "$WORK/stopped" \
    > "$WORK/stopped.log" 2>&1 &
launcher=$!
wait_for_epochs "$WORK/stopped" 1
victim=$(ip netns pids "$HOSTS_TAG-h2" | while read -r pid; do [ "$(cat /proc/$pid/comm 2> /dev/null)" = cnnc ] && echo "$pid"; done | head -n 1)
[ -n "$victim" ] && kill -STOP "$victim"
wait_job $launcher $SECONDS
echo "stopped rank 1 (pid ${victim:-none}); mpirun exited with $status after $took s"
grep -A 1 -m 1 "waited" "$WORK/stopped.log"
check "a stopped rank is reported by the other within --peer-timeout (5 s) and the job ends non-zero" \
    bash -c "[ -n '$victim' ] && [ $status -ne 0 ] && [ $took -le 30 ] && grep -q 'rank 0 on $HOSTS_TAG-h1 waited 5 s for the other ranks' '$WORK/stopped.log' && grep -q -- '--resume --out' '$WORK/stopped.log'"

finish multihost
