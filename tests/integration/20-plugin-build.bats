#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Plugins built by this tree load in the real daemons: the job_submit/octotest
# fixture (Slurm internal headers) in slurmctld, the spank_octotest fixture
# (from a test-extended plugstack.conf) in srun, sbatch and slurmstepd.
load helpers

@test "slurmctld loaded job_submit/octotest built for this Slurm release" {
    grep -q "job_submit/octotest: init: loaded, built for Slurm $(slurmctld -V | awk '{print $2}')" \
        "$OCTO_CLUSTER_DIR/log/slurmctld.log"
}

@test "its rejection message reaches sbatch" {
    run as_user octouser sbatch --comment=octotest:reject -o /dev/null --wrap true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octotest: rejected because the job comment is octotest:reject"* ]]
}

@test "it reads slurmctld's internal job_list" {
    d=$(job_dir octouser2)
    before=$(cluster_exec -- squeue -h -u octouser2 -t all | wc -l)
    id=$(cd "$d" && sbatch_as octouser2 -o /dev/null --hold --wrap true)
    run as_user octouser2 sbatch --comment=octotest:count -o /dev/null --hold --wrap true
    [ "$status" -eq 0 ]
    # octouser2's jobs in job_list: the ones before plus the held one
    [[ "$output" == *"octotest: uid $(id -u octouser2) has $((before + 1)) jobs in job_list"* ]]
    cluster_exec -- scancel -u octouser2
}

@test "a SPANK plugin from the test-extended plugstack.conf adds its option to srun and sbatch" {
    run as_user octouser srun --help
    [[ "$output" == *"--octotest-echo=STR"* ]]
    run as_user octouser sbatch --help
    [[ "$output" == *"--octotest-echo=STR"* ]]
}

@test "the SPANK plugin runs in slurmstepd on every node and sets the task environment" {
    run as_user octouser srun -N3 --octotest-echo=hello-spank printenv OCTOTEST_ECHO
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'hello-spank\nhello-spank\nhello-spank')" ]
    run as_user octouser srun -N1 sh -c 'echo "${OCTOTEST_ECHO:-unset}"'
    [ "$output" = unset ]
}
