#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A device detection leaves out (a Gaudi whose status is "Needs reset") must
# be denied to every job by the device cgroup, whether the job holds other
# NPUs or none: Slurm denies only the devices a GRES plugin lists, so an
# unlisted one used to open from any job. Own cluster instance on a fake
# node (tests/fixtures/gres/make-fake-tree): an open the cgroup allows
# fails with ENXIO, one it denies with EPERM.
load helpers

LO=${OCTO_CLUSTER_INSTANCE:0:5}lo
LODIR=$("$CLUSTER_TOOL" -i "$LO" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')
TREE=/tmp/octo-$LO-tree

setup_file() {
    rm -rf "$TREE"
    "$BATS_TEST_DIRNAME/../fixtures/gres/make-fake-tree" "$TREE" habana:3:sick=1
    chmod -R a+rX "$TREE"
    cat > "$TREE/probe" <<'PROBE'
#!/bin/sh
# npus=... then OPEN|EPERM for each node
T=$(dirname "$0")
line="npus=${SLURM_STEP_NPUS:-${SLURM_JOB_NPUS:--}}"
for d in accel0 accel_controlD0 accel1 accel_controlD1 accel2 accel_controlD2; do
    err=$(head -c1 "$T/dev/accel/$d" 2>&1 >/dev/null)
    case "$err" in *"not permitted"*) r=EPERM ;; *"No such device"*) r=OPEN ;; *) r="ERR($err)" ;; esac
    line="$line $d=$r"
done
echo "$line"
PROBE
    chmod 755 "$TREE/probe"
    export OCTOPUS_NPU_SYSFS_ROOT=$TREE/sys OCTOPUS_NPU_DEV_ROOT=$TREE/dev OCTOPUS_NPU_PROC_ROOT=$TREE/proc
    export OCTOPUS_NPU_CONF=/nonexistent/gres_npu.conf
    "$CLUSTER_TOOL" -i "$LO" up --node-gres npu:2 --plugin-dir "$OCTO_STAGE_PLUGINDIR" >&3 2>&1
}

teardown_file() {
    [ ! -d "$LODIR" ] || "$CLUSTER_TOOL" -i "$LO" down >&3 2>&1
    rm -rf "$TREE"
}

lrun() { cluster_exec -i "$LO" -u octouser -- "$@"; }

@test "left out: slurmd registers the two healthy Gaudis and says the third is denied" {
    run cluster_exec -i "$LO" -- scontrol show node "$LO-n1"
    [[ "$output" == *"Gres=npu:gaudi2:2"* ]]
    log=$LODIR/log/slurmd-$LO-n1.log
    grep -q "accel1 left out: accel1 status is 'Needs reset'" "$log"
    grep -q "$TREE/dev/accel/accel1 (.*) is denied to every job: detection left its device out" "$log"
    grep -q "$TREE/dev/accel/accel_controlD1 (.*) is denied to every job" "$log"
}

@test "left out: a job holding no NPU gets EPERM on every node, the left-out one included" {
    run lrun srun -N3 "$TREE/probe"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c '^npus=- accel0=EPERM accel_controlD0=EPERM accel1=EPERM accel_controlD1=EPERM accel2=EPERM accel_controlD2=EPERM$')" -eq 3 ] ||
        { echo "$output" >&3; return 1; }
}

@test "left out: a job holding every NPU opens its own and still not the left-out one" {
    run lrun srun -N1 --gres=npu:2 "$TREE/probe"
    [ "$status" -eq 0 ]
    [ "$output" = "npus=0,1 accel0=OPEN accel_controlD0=OPEN accel1=EPERM accel_controlD1=EPERM accel2=OPEN accel_controlD2=OPEN" ] ||
        { echo "$output" >&3; return 1; }
    run lrun srun -N1 --gres=npu:1 "$TREE/probe"
    [[ "$output" == "npus=0 "* ]]
    [[ "$output" == *" accel1=EPERM accel_controlD1=EPERM "* ]]
    # a batch job's own cgroup (no step constraints) too
    out=$(job_dir octouser)
    lrun sbatch --parsable -N1 --gres=npu:2 -o "$out/batch.out" --wrap "$TREE/probe"
    wait_until 60 sh -c "grep -q npus= '$out/batch.out'"
    grep -q ' accel1=EPERM accel_controlD1=EPERM ' "$out/batch.out" || { cat "$out/batch.out" >&3; return 1; }
}
