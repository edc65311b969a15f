#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# task/cgroup with ConstrainDevices=yes isolates GRES devices on every node:
# a job opens the devices it was allocated and gets EPERM on the others.
# Runs on a second cluster instance (fake GPUs deny /dev/full-class devices to
# jobs without a GPU, which the main instance must not suffer); that the two
# run side by side is itself part of the test.
load helpers

# a second instance named after the main one: "ci" -> "cidev"
DEV=${OCTO_CLUSTER_INSTANCE:0:5}dev
DEVDIR=$("$CLUSTER_TOOL" -i "$DEV" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')

setup_file() {
    "$CLUSTER_TOOL" -i "$DEV" up --fake-gpus >&3 2>&1
    cat > "$DEVDIR/devprobe" <<'PROBE'
#!/bin/sh
# prints: NODE GLOBAL_GPU_IDS fake0=OK|EPERM|ERR ... for the 4 fake GPUs
line="$SLURMD_NODENAME ${SLURM_STEP_GPUS:--}"
for i in 0 1 2 3; do
    if err=$(head -c1 "$(dirname "$0")/dev/fake$i" 2>&1 >/dev/null); then r=OK
    else case "$err" in *"Operation not permitted"*) r=EPERM ;; *) r=ERR ;; esac; fi
    line="$line fake$i=$r"
done
echo "$line"
PROBE
    chmod 755 "$DEVDIR/devprobe"
}

teardown_file() {
    # normally already down (last test); this covers an aborted run
    [ ! -d "$DEVDIR" ] || "$CLUSTER_TOOL" -i "$DEV" down >&3 2>&1
}

# expected line for a task holding GPU global indices $2 (comma list) on node $1
expect_line() {
    local node=$1 ids=$2 line="$1 $2" i
    for i in 0 1 2 3; do
        if [[ ",$ids," == *",$i,"* ]]; then line="$line fake$i=OK"; else line="$line fake$i=EPERM"; fi
    done
    echo "$line"
}

@test "the device instance runs beside the main one" {
    "$CLUSTER_TOOL" -i "$DEV" status
    "$CLUSTER_TOOL" -i "$OCTO_CLUSTER_INSTANCE" status
    run as_user octouser srun -N3 hostname
    [ "$status" -eq 0 ]
}

@test "a 3-node job opens its GPU on every node and gets EPERM on the others" {
    run cluster_exec -i "$DEV" -u octouser -- srun -N3 --gres=gpu:1 "$DEVDIR/devprobe"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | wc -l)" -eq 3 ]
    while read -r node ids rest; do
        [ "$node $ids $rest" = "$(expect_line "$node" "$ids")" ]
        [[ "$ids" =~ ^[0-3]$ ]]
    done <<< "$output"
}

@test "concurrent jobs on one node get disjoint devices" {
    d=$(mktemp -d -p "$DEVDIR"); chown octouser: "$d"; chmod 755 "$d"
    node=$DEV-n2
    # A probes, holds its GPU until B has probed (bounded: 30 s), probes again
    a=$(cd "$d" && cluster_exec -i "$DEV" -u octouser -- sbatch --parsable -w "$node" --gres=gpu:1 -o "$d/a.out" \
        --wrap "srun $DEVDIR/devprobe; for i in \$(seq 150); do [ -s $d/b.out ] && break; sleep 0.2; done; srun $DEVDIR/devprobe")
    b=$(cd "$d" && cluster_exec -i "$DEV" -u octouser -- sbatch --parsable -w "$node" --gres=gpu:3 -o "$d/b.out" \
        --wrap "srun $DEVDIR/devprobe")
    wait_until 60 sh -c "[ \$(grep -c fake0 '$d/a.out' 2>/dev/null) -eq 2 ] && grep -q fake0 '$d/b.out'"
    ia=$(awk 'NR==1{print $2}' "$d/a.out")
    ib=$(awk '{print $2}' "$d/b.out")
    # together they hold all four GPUs, each exactly once
    [ "$(echo "$ia,$ib" | tr ',' '\n' | sort -n | paste -sd,)" = "0,1,2,3" ]
    while read -r n ids rest; do
        [ "$n $ids $rest" = "$(expect_line "$n" "$ids")" ]
    done < <(cat "$d/a.out" "$d/b.out")
    # job A saw the same isolation before and after B ran next to it
    [ "$(sed -n 1p "$d/a.out")" = "$(sed -n 2p "$d/a.out")" ]
}

@test "a job without a GPU gets EPERM on every GPU device" {
    run cluster_exec -i "$DEV" -u octouser -- srun -N3 "$DEVDIR/devprobe"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c 'fake0=EPERM fake1=EPERM fake2=EPERM fake3=EPERM')" -eq 3 ]
}

@test "in a container a task opens its own GPU and gets EPERM on the others" {
    # spank_container for this test only (srun and slurmstepd read plugstack.conf afresh);
    # the fake GPUs are clones of /dev/full, zero, random and urandom, which the
    # container's /dev (the node's) holds under those names
    cp "$DEVDIR/etc/plugstack.conf" "$DEVDIR/etc/plugstack.conf.orig"
    echo "required $OCTO_STAGE_PLUGINDIR/spank_container.so cache_dir=$DEVDIR/containers runtime_dir=$DEVDIR/ctrun" \
        > "$DEVDIR/etc/plugstack.conf"
    mkdir -p "$DEVDIR/images"
    chmod 755 "$DEVDIR/images"
    "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$DEVDIR/images/busybox" >/dev/null
    probe='line="$SLURMD_NODENAME $SLURM_STEP_GPUS"; i=0
for d in full zero random urandom; do
  if err=$(head -c1 /dev/$d 2>&1 >/dev/null); then r=OK; else case "$err" in *"not permitted"*) r=EPERM ;; *) r=ERR ;; esac; fi
  line="$line fake$i=$r"; i=$((i + 1))
done
. /etc/os-release; echo "$line $ID"'
    run cluster_exec -i "$DEV" -u octouser -- sh -c "cd /tmp && srun -N2 --gres=gpu:2 --container-image=oci:$DEVDIR/images/busybox sh -c '$probe'"
    mv "$DEVDIR/etc/plugstack.conf.orig" "$DEVDIR/etc/plugstack.conf"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | wc -l)" -eq 2 ]
    while read -r node ids rest; do
        [ "$node $ids $rest" = "$(expect_line "$node" "$ids") octobusy" ]
        [[ "$ids" =~ ^[0-3],[0-3]$ ]]
    done <<< "$output"
}

@test "up again with the same options leaves the running instance alone; other options are refused" {
    before=$(cat "$DEVDIR"/pids/*)
    run "$CLUSTER_TOOL" -i "$DEV" up --fake-gpus
    [ "$status" -eq 0 ]
    [[ "$output" == *"already up"* ]]
    [ "$(cat "$DEVDIR"/pids/*)" = "$before" ]
    run "$CLUSTER_TOOL" -i "$DEV" up
    [ "$status" -ne 0 ]
    [[ "$output" == *"runs with other options"* ]]
    "$CLUSTER_TOOL" -i "$DEV" status
}

@test "down stops every process it started and removes namespaces, cgroups and files" {
    pids=$(awk '{print $1}' "$DEVDIR"/pids/*)
    "$CLUSTER_TOOL" -i "$DEV" down
    [ "$(echo $pids | wc -w)" -eq 8 ]
    for p in $pids; do
        [ ! -e "/proc/$p" ]
    done
    [ "$(ls /run/netns/ | grep -c "^octo-$DEV-")" -eq 0 ]
    [ "$(ls -d /sys/fs/cgroup/*/slurm_"$DEV"-n* 2>/dev/null | wc -l)" -eq 0 ]
    [ ! -e "$DEVDIR" ]
    # the main instance is untouched
    "$CLUSTER_TOOL" -i "$OCTO_CLUSTER_INSTANCE" status
}
