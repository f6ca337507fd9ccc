# Sourced (after common.bash) by the scripts that run cnnc on several "hosts" of one machine: each host is a
# network namespace with its own address and host name on a bridge in the root namespace, so Open MPI's ranks
# talk over TCP through the kernel's network stack as they would between machines. Links can be shaped
# with tbf (this kernel has tbf and htb, not netem: no added delay). Needs root, iproute2 and util-linux.
#   hosts_up N           N hosts; sets MPIRUN_HOSTS (append -np K and the command)
#   hosts_shape RATE     every link at RATE (tbf, e.g. 1gbit, 10gbit; burst 1 ms of data), or "none"
#   hosts_cut I          unplug host I's cable (its veth goes down)
#   hosts_restore I      plug it back in, ending what the cut job left running on host I
#   hosts_down           remove everything (also on exit, failure included)
# Open MPI settings, each measured (docs/scaling.md): --bind-to none, because every "host" sees the same two
# cores and would bind its rank to core 0 (both ranks on one core made the allreduce 28% of a step);
# rtc_hwloc_vmhole none, because the daemons' shared-memory topology segfaulted 2 starts in 20; btl_tcp_links 2,
# because one TCP connection per pair of ranks carried 4 MB allreduces at half the link's rate.
HOSTS_NET=10.213.77
HOSTS_TAG=cn$$
HOSTS_N=0
hosts_down() {
    local i
    for i in $(seq 1 "$HOSTS_N"); do
        # Daemons and ranks on a host cut off from mpirun outlive the job: end them with their host.
        ip netns pids "$HOSTS_TAG-h$i" 2> /dev/null | xargs -r kill -9 2> /dev/null
        ip netns del "$HOSTS_TAG-h$i" 2> /dev/null
    done
    ip link del "$HOSTS_TAG-br" 2> /dev/null
    HOSTS_N=0
    return 0
}
trap 'hosts_down; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
hosts_up() { # hosts_up N
    local n=$1 i ns
    if ip -4 route | grep -q "^$HOSTS_NET\."; then echo "FAIL $HOSTS_NET.0/24 is already routed here: change HOSTS_NET in $BASH_SOURCE"; return 1; fi
    ip link add "$HOSTS_TAG-br" type bridge && ip addr add "$HOSTS_NET.1/24" dev "$HOSTS_TAG-br" && ip link set "$HOSTS_TAG-br" up || return 1
    : > "$WORK/hostfile"; : > "$WORK/hostmap"
    for i in $(seq 1 "$n"); do
        ns=$HOSTS_TAG-h$i
        ip netns add "$ns" || return 1
        HOSTS_N=$i
        ip link add "$HOSTS_TAG-v$i" type veth peer name eth0 netns "$ns" || return 1
        ip link set "$HOSTS_TAG-v$i" master "$HOSTS_TAG-br" && ip link set "$HOSTS_TAG-v$i" up || return 1
        ip netns exec "$ns" ip addr add "$HOSTS_NET.$((10 + i))/24" dev eth0 || return 1
        ip netns exec "$ns" ip link set eth0 up && ip netns exec "$ns" ip link set lo up || return 1
        echo "$HOSTS_NET.$((10 + i)) slots=1" >> "$WORK/hostfile"
        echo "$HOSTS_NET.$((10 + i)) $ns" >> "$WORK/hostmap"
    done
    # mpirun starts its daemon on each host through this "remote shell": into the host's namespace, under its name.
    cat > "$WORK/netns-agent" << AGENT
#!/bin/sh
host=\$1; shift
ns=\$(awk -v h="\$host" '\$1 == h { print \$2 }' "$WORK/hostmap")
[ -n "\$ns" ] || { echo "netns agent: no host \$host in $WORK/hostmap" >&2; exit 1; }
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$ns && \$*"
AGENT
    chmod +x "$WORK/netns-agent"
    MPIRUN_HOSTS="mpirun --allow-run-as-root --hostfile $WORK/hostfile --mca plm_rsh_agent $WORK/netns-agent \
--mca btl tcp,self --mca btl_tcp_if_include $HOSTS_NET.0/24 --mca oob_tcp_if_include $HOSTS_NET.0/24 \
--bind-to none --mca rtc_hwloc_vmhole none --mca btl_tcp_links 2"
}
hosts_shape() { # hosts_shape RATE|none
    local i rate=$1 burst
    for i in $(seq 1 "$HOSTS_N"); do
        if [ "$rate" = none ]; then
            ip netns exec "$HOSTS_TAG-h$i" tc qdisc del dev eth0 root 2> /dev/null
            tc qdisc del dev "$HOSTS_TAG-v$i" root 2> /dev/null
            continue
        fi
        # 1 ms of data per burst (125 kB at 1 Gb/s): a larger bucket refills between steps and lets a whole gradient through unshaped.
        burst=$(python3 -c "import re; m = re.fullmatch(r'(\d+)([kmg])bit', '$rate'); print(max(16, int(m[1]) * {'k': 1e3, 'm': 1e6, 'g': 1e9}[m[2]] // 8000 // 1000))")kb
        ip netns exec "$HOSTS_TAG-h$i" tc qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" latency 100ms || return 1
        tc qdisc replace dev "$HOSTS_TAG-v$i" root tbf rate "$rate" burst "$burst" latency 100ms || return 1
    done
}
hosts_cut() { ip link set "$HOSTS_TAG-v$1" down; }
hosts_restore() { # hosts_restore I: the cable back in, and whatever the job left running there ended
    ip netns pids "$HOSTS_TAG-h$1" | xargs -r kill -9 2> /dev/null
    ip link set "$HOSTS_TAG-v$1" up
}
