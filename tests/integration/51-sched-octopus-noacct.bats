#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# job_submit/octopus on a cluster without accounting (AccountingStorageType=
# accounting_storage/none: no slurmdbd, no association manager), as at a first
# boot or a small site. slurmctld must stay up, jobs are still shaped to their
# machine type, and the user is told that quota is not enforced.
load helpers

# setup_file points OCTO_CLUSTER_INSTANCE at this instance; keep its name
NA=${OCTO_NA_INSTANCE:-${OCTO_CLUSTER_INSTANCE:0:5}na}
FIX=$BATS_TEST_DIRNAME/octopus

setup_file() {
    local plugstack extra
    plugstack=$(mktemp) extra=$(mktemp)
    echo "required $OCTO_STAGE_PLUGINDIR/spank_machine_type.so" > "$plugstack"
    # slurmctld refuses AccountingStorageTRES without slurmdbd
    grep -v '^AccountingStorageTRES=' "$FIX/slurm.conf.extra" > "$extra"
    "$CLUSTER_TOOL" -i "$NA" up --no-accounting --plugin-dir "$OCTO_STAGE_PLUGINDIR" \
        --slurm-conf-extra "$extra" --gres-conf "$FIX/gres.conf" \
        --node-gres gpu:a100:4,gpu:v100:2 --fake-devices 6 \
        --etc-file "$FIX/octopus.conf" --plugstack "$plugstack" >&3 2>&1
    rm -f "$plugstack" "$extra"
    export OCTO_NA_INSTANCE=$NA
    eval "$("$CLUSTER_TOOL" -i "$NA" env)"
    export OCTO_CLUSTER_INSTANCE OCTO_CLUSTER_DIR OCTO_REST_SOCKET
    export WORK
    WORK=$(job_dir octouser)
}

teardown_file() {
    [ -z "${OCTO_CLUSTER_DIR:-}" ] || [ ! -d "$OCTO_CLUSTER_DIR" ] || "$CLUSTER_TOOL" -i "$NA" down >&3 2>&1
}

field() { job_field "$@"; }
ctld_alive() { "$CLUSTER_TOOL" -i "$NA" status >/dev/null && cluster_exec -- scontrol ping | grep -q UP; }

@test "no accounting: slurmctld says once that quota is off and why" {
    grep -q "octopus: quota is off: AccountingStorageType=accounting_storage/none" "$OCTO_CLUSTER_DIR/log/slurmctld.log"
    [ "$(grep -c 'octopus: quota is off' "$OCTO_CLUSTER_DIR/log/slurmctld.log")" -eq 1 ]
}

@test "no accounting: --machine-type from a normal user is shaped and accepted, slurmctld stays up" {
    run as_user octouser sbatch --parsable --hold -D "$WORK" -o /dev/null --machine-type=a100x2 --wrap 'sleep 60'
    [ "$status" -eq 0 ]
    ctld_alive
    id=$(echo "$output" | tail -n1)
    [[ "$output" == *"octopus: type=a100x2 units=1 action=accepted: quota is not enforced on this cluster (AccountingStorageType=accounting_storage/none"* ]]
    [ "$(field "$id" TresPerJob)" = gres:gpu:a100:2 ]
    [ "$(field "$id" Licenses)" = mt_a100x2:1 ]
    [ "$(field "$id" Partition)" = gpu,gpu2 ]
    cluster_exec -- scancel "$id"
}

@test "no accounting: --test-only, no account, untyped GPUs: the same line, controller up" {
    run as_user octouser sbatch --test-only -D "$WORK" -p gpu --gpus=1 --wrap true
    ctld_alive
    [ "$status" -eq 0 ]
    [[ "$output" == *"octopus: type=a100x1 units=1 action=accepted: quota is not enforced"* ]]
    run as_user octouser sbatch --test-only -D "$WORK" -A nosuchaccount -p gpu --gpus=1 --wrap true
    ctld_alive
}

@test "no accounting: a shaped job runs, and an update of a pending one goes through job_modify" {
    run as_user octouser sbatch --parsable -D "$WORK" -o /dev/null -p gpu --gpus=1 --wrap 'true'
    [ "$status" -eq 0 ]
    id=$(echo "$output" | tail -n1)
    wait_until 60 job_done_ok "$id"
    held=$(as_user octouser sbatch --parsable --hold -D "$WORK" -o /dev/null -p gpu --gpus=1 --wrap true | tail -n1)
    as_user octouser scontrol update jobid="$held" TimeLimit=10
    ctld_alive
    [ "$(field "$held" TimeLimit)" = 00:10:00 ]
    [ "$(field "$held" Licenses)" = mt_a100x1:1 ]
    cluster_exec -- scancel "$held"
    ctld_alive
}

job_done_ok() { [ "$(cluster_exec -- scontrol show job "$1" -o | grep -o 'JobState=[A-Z_]*')" = JobState=COMPLETED ]; }
