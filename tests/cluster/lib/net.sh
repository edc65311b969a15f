# SPDX-License-Identifier: GPL-2.0-or-later
# Network namespaces: a head namespace holding the bridge, one per node.
# The bridge lives inside the head namespace, so interface names and
# addresses are private to the instance and identical across instances.

net_up() {
    local i ns
    ip netns add "$NS_HEAD"
    ip -n "$NS_HEAD" link set lo up
    ip -n "$NS_HEAD" link add br0 type bridge
    ip -n "$NS_HEAD" addr add "$HEAD_ADDR/24" dev br0
    ip -n "$NS_HEAD" link set br0 up
    for i in $(seq 1 $NODE_COUNT); do
        ns=${NS_NODES[$((i - 1))]}
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip -n "$NS_HEAD" link add "v$i" type veth peer name eth0 netns "$ns"
        ip -n "$NS_HEAD" link set "v$i" master br0 up
        ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0
        ip -n "$ns" link set eth0 up
    done
}

node_addr() { echo "10.77.0.$((10 + $1))"; }

net_exists() { [ -e "/run/netns/$NS_HEAD" ]; }

# net_pids NS... : every process in those namespaces. All of them are ours:
# `down` uses this to catch job processes and slurmstepds that outlive slurmd.
net_pids() {
    local ns
    for ns in "$@"; do
        [ -e "/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null
    done
    return 0
}

net_down() {
    local ns
    for ns in "${NS_NODES[@]}" "$NS_HEAD"; do
        [ -e "/run/netns/$ns" ] && ip netns del "$ns"
    done
    return 0
}
