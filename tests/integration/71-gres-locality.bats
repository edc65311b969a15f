#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# gres/npu locality in real slurmd/slurmctld: a fake node with 4 Gaudi cards
# whose hwloc topology (HwlocXml= in gres_npu.conf) puts cards 0-1 next to
# one package and cards 2-3 next to the other, one core each; slurm.conf
# declares the nodes' 2 cores as 2 sockets (--node-sockets 2), since
# slurmctld binds GRES to cores socket by socket. The plugin turns that into Cores= per index, slurmctld
# schedules --gres-flags=enforce-binding by it, and task/cgroup
# (ConstrainCores=yes) confines the job to those cores. Own cluster instance.
load helpers

LOC=${OCTO_CLUSTER_INSTANCE:0:5}loc
LOCDIR=$("$CLUSTER_TOOL" -i "$LOC" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')
TREE=/tmp/octo-$LOC-tree

setup_file() {
    rm -rf "$TREE"
    "$BATS_TEST_DIRNAME/../fixtures/gres/make-fake-tree" "$TREE" habana:4
    "$BATS_TEST_DIRNAME/../fixtures/gres/make-topology" "$TREE/topo.xml" 2 1 \
        0000:10:00.0@0 0000:11:00.0@0 0000:12:00.0@1 0000:13:00.0@1
    chmod -R a+rX "$TREE"
    cat > "$TREE/probe" <<'PROBE'
#!/bin/sh
# npus=GRES-INDICES cpus=ALLOWED-CPUS
echo "npus=${SLURM_STEP_NPUS:-${SLURM_JOB_NPUS:--}} cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
PROBE
    chmod 755 "$TREE/probe"
    printf 'HwlocXml=%s/topo.xml\n' "$TREE" > "$TREE/gres_npu.conf"
    export OCTOPUS_NPU_SYSFS_ROOT=$TREE/sys OCTOPUS_NPU_DEV_ROOT=$TREE/dev OCTOPUS_NPU_PROC_ROOT=$TREE/proc
    export OCTOPUS_NPU_CONF=$TREE/gres_npu.conf
    "$CLUSTER_TOOL" -i "$LOC" up --node-gres npu:4 --node-sockets 2 --plugin-dir "$OCTO_STAGE_PLUGINDIR" >&3 2>&1
    export OUT
    OUT=$(job_dir octouser)
}

teardown_file() {
    [ ! -d "$LOCDIR" ] || "$CLUSTER_TOOL" -i "$LOC" down >&3 2>&1
    rm -rf "$TREE"
}

teardown() {
    cluster_exec -i "$LOC" -- scancel -u octouser 2>/dev/null || true
    wait_until 30 sh -c "[ -z \"\$('$CLUSTER_TOOL' -i '$LOC' exec -- squeue -h -u octouser)\" ]" || true
}

lrun() { cluster_exec -i "$LOC" -u octouser -- "$@"; }
node1=$LOC-n1

# bind "SRUN-OPTIONS" : what the probe prints for one task on node 1
bind() {
    # shellcheck disable=SC2086
    lrun srun -w "$node1" -n1 -c1 $1 "$TREE/probe"
}

# the cores each card is next to, by index
expect_cpus() {
    case "$1" in
    0|1|0,1) echo 0 ;;
    2|3|2,3) echo 1 ;;
    *) echo "0-1" ;;
    esac
}

@test "slurmd registers each card with the cores of its package" {
    log=$LOCDIR/log/slurmd-$node1.log
    wait_until 30 grep -q 'gres/npu: npu_node_load: index 3 ' "$log"
    grep -q "npu_node_load: index 0 $TREE/dev/accel/accel0 type=gaudi2 vendor=habana cores=0\$" "$log"
    grep -q "npu_node_load: index 1 $TREE/dev/accel/accel1 type=gaudi2 vendor=habana cores=0\$" "$log"
    grep -q "npu_node_load: index 2 $TREE/dev/accel/accel2 type=gaudi2 vendor=habana cores=1\$" "$log"
    grep -q "npu_node_load: index 3 $TREE/dev/accel/accel3 type=gaudi2 vendor=habana cores=1\$" "$log"
    # slurmctld got them: the node's GRES show the per-index cores
    run cluster_exec -i "$LOC" -- scontrol show node "$node1"
    [[ "$output" == *"Gres=npu:gaudi2:4"* ]] || { echo "$output" >&3; return 1; }
}

@test "enforce-binding: a step runs only on the cores next to its cards" {
    for k in 1 2; do
        run bind "--gres=npu:$k --gres-flags=enforce-binding"
        [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
        npus=$(sed -n 's/^npus=\([^ ]*\) .*/\1/p' <<< "$output")
        cpus=${output##*cpus=}
        echo "npu:$k -> $output" >&3
        [ "$cpus" = "$(expect_cpus "$npus")" ] || { echo "npus=$npus but cpus=$cpus" >&3; return 1; }
    done
}

@test "enforce-binding: with core 0 taken, the cards next to core 1 are the ones given" {
    # a CPU-only job takes the first core; which one it got decides the test
    id=$(lrun sbatch -w "$node1" -n1 -c1 --gres=none -o /dev/null --wrap 'sleep 120' | awk '{print $4}')
    wait_until 30 sh -c "'$CLUSTER_TOOL' -i '$LOC' exec -- squeue -h -j $id -o %T | grep -q RUNNING"
    busy=$(cluster_exec -i "$LOC" -- scontrol show job -d "$id" | sed -n 's/.*CPU_IDs=\([0-9-]*\).*/\1/p')
    [ "$busy" = 0 ] || [ "$busy" = 1 ]
    free=$((1 - busy))
    for k in 1 2; do
        run bind "--gres=npu:$k --gres-flags=enforce-binding"
        [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
        echo "core $busy busy, npu:$k -> $output" >&3
        [ "${output##*cpus=}" = "$free" ]
        npus=$(sed -n 's/^npus=\([^ ]*\) .*/\1/p' <<< "$output")
        [ "$(expect_cpus "$npus")" = "$free" ] || { echo "npus=$npus are not next to core $free" >&3; return 1; }
    done
    # all cards next to the free core held: enforce-binding cannot start
    # npu:3 (it would need the busy core) -- Slurm says so at once
    run lrun srun -w "$node1" -n1 -c1 --gres=npu:3 --gres-flags=enforce-binding --immediate=5 true
    [ "$status" -ne 0 ]
}

@test "two enforce-binding jobs of two cards each get the two packages" {
    a=$(lrun sbatch -w "$node1" -n1 -c1 --gres=npu:2 --gres-flags=enforce-binding -o "$OUT/a.%j" \
        --wrap "$TREE/probe; sleep 120" | awk '{print $4}')
    wait_until 30 sh -c "[ -s '$OUT/a.$a' ]" ||
        { cluster_exec -i "$LOC" -- scontrol show job "$a" >&3; ls -la "$OUT" >&3; return 1; }
    run bind "--gres=npu:2 --gres-flags=enforce-binding"
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    first=$(cat "$OUT/a.$a")
    echo "job $a: $first; step: $output" >&3
    # each got a package's pair and its core, and not the same one
    for line in "$first" "$output"; do
        npus=$(sed -n 's/^npus=\([^ ]*\) .*/\1/p' <<< "$line")
        [ "${line##*cpus=}" = "$(expect_cpus "$npus")" ]
    done
    [ "${first##*cpus=}" != "${output##*cpus=}" ]
}

@test "the locality instance goes down cleanly" {
    "$CLUSTER_TOOL" -i "$LOC" down >&3 2>&1
    [ ! -d "$LOCDIR" ]
}
