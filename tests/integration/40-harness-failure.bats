#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A cluster that cannot come up says why, shows every daemon log, and leaves
# no daemon or namespace behind. Two runs on one machine never touch each
# other's cluster (tests/cluster/lib/claim.sh).
load helpers

BAD=${OCTO_CLUSTER_INSTANCE:0:5}bad

CLAIM=${OCTO_CLUSTER_INSTANCE:0:4}k
CLAIM_LIB=$(dirname "$CLUSTER_TOOL")/lib/claim.sh

teardown() {
    "$CLUSTER_TOOL" -i "$BAD" down >/dev/null 2>&1 || true
    [ -z "${holder:-}" ] || kill "$holder" 2>/dev/null || true
}

@test "a bad slurm.conf line fails up fast with the reason and every daemon log" {
    conf=$(mktemp)
    echo 'NoSuchSlurmOption=1' > "$conf"
    dir=$("$CLUSTER_TOOL" -i "$BAD" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')
    run "$CLUSTER_TOOL" -i "$BAD" up --slurm-conf-extra "$conf"
    rm -f "$conf"
    [ "$status" -ne 0 ]
    # it stops on Slurm's own fatal(), not by running into the probe's time limit
    [[ "$output" == *"the probe hit a fatal error"* ]]
    [[ "$output" == *"unrecognized key: NoSuchSlurmOption"* ]]
    [[ "$output" == *"===== $dir/log/slurmdbd.log"* ]]
    [[ "$output" == *"===== $dir/log/munged.out"* ]]
    for f in "$dir"/pids/*; do
        [ ! -e "/proc/$(awk '{print $1}' "$f")" ]
    done
    [ "$(ls /run/netns/ | grep -c "^octo-$BAD-")" -eq 0 ]
    # the logs stay for inspection
    [ -s "$dir/log/slurmdbd.log" ]
}

@test "another run cannot stop or restart this run's cluster: the claim refuses, the cluster keeps running" {
    # what a second CI run on this machine used to do first: clean up "its" instance
    run env -u OCTO_CLUSTER_CLAIM "$CLUSTER_TOOL" -i "$OCTO_CLUSTER_INSTANCE" down
    [ "$status" -ne 0 ]
    [[ "$output" == *"instance $OCTO_CLUSTER_INSTANCE belongs to another run (pid, start, program: "*"run-integration)"* ]]
    run env -u OCTO_CLUSTER_CLAIM "$CLUSTER_TOOL" -i "$OCTO_CLUSTER_INSTANCE" up
    [ "$status" -ne 0 ]
    [[ "$output" == *"use another -i NAME"* ]]
    "$CLUSTER_TOOL" -i "$OCTO_CLUSTER_INSTANCE" status
    run cluster_exec -u octouser -- srun -N1 true
    [ "$status" -eq 0 ]
}

@test "a second run takes the next free instance name, and the first name is free again once its run ends" {
    # a run holding $CLAIM, as tests/run-integration holds its own
    bash -c ". '$CLAIM_LIB'; claim_instance '$CLAIM' && echo \$INST > '$BATS_TEST_TMPDIR/first'; exec sleep 120" >/dev/null 2>&1 3>&- &
    holder=$!
    wait_until 10 test -s "$BATS_TEST_TMPDIR/first"
    [ "$(cat "$BATS_TEST_TMPDIR/first")" = "$CLAIM" ]
    sleep 0.2
    run bash -c ". '$CLAIM_LIB'; claim_instance '$CLAIM' && echo \$INST"
    [ "$status" -eq 0 ]
    [ "$output" = "${CLAIM}1" ]
    run env -u OCTO_CLUSTER_CLAIM "$CLUSTER_TOOL" -i "$CLAIM" down
    [ "$status" -ne 0 ]
    [[ "$output" == *"belongs to another run"* ]]
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    holder=""
    run bash -c ". '$CLAIM_LIB'; claim_instance '$CLAIM' && echo \$INST"
    [ "$output" = "$CLAIM" ]
}
