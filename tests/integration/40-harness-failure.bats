#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A cluster that cannot come up says why, shows every daemon log, and leaves
# no daemon or namespace behind.
load helpers

BAD=${OCTO_CLUSTER_INSTANCE:0:5}bad

teardown() {
    "$CLUSTER_TOOL" -i "$BAD" down >/dev/null 2>&1 || true
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
