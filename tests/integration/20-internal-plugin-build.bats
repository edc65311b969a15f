#!/usr/bin/env bats
# A plugin built by this tree against Slurm's internal headers (the
# job_submit/octotest fixture) is loaded and called by the real slurmctld.
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
