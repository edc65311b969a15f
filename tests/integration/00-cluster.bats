#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The harness cluster behaves like a real Slurm site: three nodes, accounting
# through slurmdbd, accounts managed with sacctmgr.
load helpers

@test "srun -N3 hostname runs on three distinct nodes" {
    run as_user octouser srun -N3 hostname
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sort -u | wc -l)" -eq 3 ]
    for n in $OCTO_CLUSTER_NODES; do
        echo "$output" | grep -qx "$n"
    done
}

@test "each node is its own network host" {
    run as_user octouser srun -N3 sh -c 'echo "$SLURMD_NODENAME $(hostname) $(cat /proc/net/fib_trie | grep -c "10.77.0.1[1-3]")"'
    [ "$status" -eq 0 ]
    # every task sees exactly one node address: its own
    [ "$(echo "$output" | awk '$1==$2 && $3>=1' | wc -l)" -eq 3 ]
}

@test "every node resolves every node name and the controller's" {
    names="$OCTO_CLUSTER_NODES ${OCTO_CLUSTER_INSTANCE}-head"
    run as_user octouser srun -N3 sh -c "for n in $names; do getent hosts \$n | awk '{print \$1}'; done | paste -sd' ' -"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sort -u)" = "10.77.0.11 10.77.0.12 10.77.0.13 10.77.0.1" ]
}

@test "a batch job runs as the user and its output file holds what it printed" {
    d=$(job_dir octouser)
    id=$(cd "$d" && sbatch_as octouser -o "$d/out.%j" --wrap 'echo "marker-$(id -un)"')
    wait_until 30 job_done "$id"
    [ "$(cat "$d/out.$id")" = "marker-octouser" ]
    [ "$(stat -c %U "$d/out.$id")" = octouser ]
}

@test "a finished batch job's record reaches sacct through slurmdbd" {
    d=$(job_dir octouser)
    id=$(cd "$d" && sbatch_as octouser -o /dev/null -J acct-probe --wrap 'exit 3')
    wait_until 30 job_done "$id"
    # job records travel slurmctld -> slurmdbd asynchronously
    wait_until 30 sh -c "'$CLUSTER_TOOL' -i $OCTO_CLUSTER_INSTANCE exec -- sacct -n -X -P -j $id -o JobName,State,ExitCode,User | grep -qx 'acct-probe|FAILED|3:0|octouser'"
}

@test "sacctmgr adds an account and a user, and the user can charge it" {
    acct=acct$$
    cluster_exec -- sacctmgr -i add account "$acct" Description=test Organization=test
    cluster_exec -- sacctmgr -i add user octouser2 Account="$acct"
    run cluster_exec -- sacctmgr -n -P show assoc where user=octouser2 account="$acct" format=User,Account
    [ "$output" = "octouser2|$acct" ]
    # slurmctld learns the association from slurmdbd, then accepts jobs for it
    wait_until 15 sh -c "'$CLUSTER_TOOL' -i $OCTO_CLUSTER_INSTANCE exec -- scontrol show assoc_mgr users=octouser2 accounts=$acct flags=assoc | grep -q 'Account=$acct UserName=octouser2'"
    run as_user octouser2 srun -A "$acct" -N1 true
    [ "$status" -eq 0 ]
    # an account the user is not associated with is refused by the limits engine
    run as_user octouser srun -A "$acct" -N1 true
    [ "$status" -ne 0 ]
    [[ "$output" == *"Invalid account"* ]]
}

@test "cluster addresses exist only inside its namespaces, with no route out" {
    [ "$(ip -o addr show | grep -c '10\.77\.0\.')" -eq 0 ]
    n=0
    for ns in /run/netns/octo-$OCTO_CLUSTER_INSTANCE-*; do
        run nsenter --net="$ns" ip route show
        [ "$status" -eq 0 ]
        # the only route is the cluster subnet: no default route, nothing else
        [ "$output" = "$(echo "$output" | grep '^10\.77\.0\.0/24 ')" ]
        [ -n "$output" ]
        n=$((n + 1))
    done
    [ "$n" -eq 4 ]
}

@test "slurmctld and slurmdbd run as SlurmUser slurm, slurmd as root, as at a site" {
    user_of() { ps -o user= -p "$(awk '{print $1}' "$OCTO_CLUSTER_DIR/pids/$1")"; }
    [ "$(user_of slurmctld)" = slurm ]
    [ "$(user_of slurmdbd)" = slurm ]
    for i in 1 2 3; do [ "$(user_of slurmd$i)" = root ]; done
    [ "$(stat -c '%U %a' "$OCTO_CLUSTER_DIR/etc/jwt_hs256.key")" = "slurm 600" ]
}
