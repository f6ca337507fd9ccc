#!/usr/bin/env bash
# The allreduce alone between "hosts" of this machine (network namespaces, Tests/EndToEnd/netns-hosts.bash),
# against the ring model 2 (N-1)/N * bytes / rate + 2 (N-1) * 30 us: DeepConvNet's 0.5 MB and a 4 MB
# message, at each link rate, with the Open MPI settings docs/scaling.md discusses switched one at a time.
# Needs root and mpicc (libopenmpi-dev). Usage: Benchmarks/multihost-allreduce.sh [HOSTS]
source "$(dirname "$0")/../Tests/EndToEnd/common.bash"
source Tests/EndToEnd/netns-hosts.bash
[ "$(id -u)" -eq 0 ] || { echo "run as root: the hosts are network namespaces"; exit 1; }
N=${1:-2}
mpicc -O2 Benchmarks/allreduce_bench.c -o "$WORK/allreduce_bench" || exit 1
hosts_up "$N" || exit 1
# MPIRUN_HOSTS has every setting on; each variant takes one back to Open MPI's default.
declare -A variants=(
    ["as recommended (bind-to none, btl_tcp_links 2)"]="$MPIRUN_HOSTS"
    ["btl_tcp_links 1 (the default)"]="${MPIRUN_HOSTS/btl_tcp_links 2/btl_tcp_links 1}"
    ["ranks bound to a core (the default)"]="${MPIRUN_HOSTS/--bind-to none/}"
)
echo "| link | Open MPI settings | 0.5 MB: ms | 4 MB: ms | model 0.5 MB / 4 MB: ms |"
echo "| --- | --- | --- | --- | --- |"
for rate in none 10gbit 1gbit; do
    hosts_shape "$rate"
    model=$(python3 -c "
import re
m = re.fullmatch(r'(\d+)gbit', '$rate'); n = $N
f = lambda b: 2 * (n - 1) / n * b / (int(m[1]) * 1e9 / 8) * 1e3 + 2 * (n - 1) * 0.03
print(f'{f(494208):.2f} / {f(4e6):.1f}' if m else '-')")
    for name in "as recommended (bind-to none, btl_tcp_links 2)" "btl_tcp_links 1 (the default)" "ranks bound to a core (the default)"; do
        small=$(${variants[$name]} -np "$N" "$WORK/allreduce_bench" 123552 30 2>&1 | tail -n 1 | cut -d' ' -f1)
        large=$(${variants[$name]} -np "$N" "$WORK/allreduce_bench" 1000000 10 2>&1 | tail -n 1 | cut -d' ' -f1)
        echo "| ${rate/none/unshaped} | $name | $small | $large | $model |"
    done
done
