#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# slurmrestd (auth/jwt, unix socket, run as a non-root user) answers with
# tokens from `scontrol token`, and runs jobs as the token's user. VERSION is
# the release's REST version (v0.0.38 on 22.05, v0.0.42 on 24.11, v0.0.45 on 26.05).
load helpers

@test "slurmrestd runs as its own non-root user" {
    pid=$(awk '{print $1}' "$OCTO_CLUSTER_DIR/pids/slurmrestd")
    [ "$(ps -o user= -p "$pid")" = octorest ]
}

@test "GET /slurm/VERSION/ping says the controller answers, with a user token" {
    run rest octouser GET /slurm/$OCTO_REST_VERSION/ping
    [ "$(echo "$output" | tail -n1)" = 200 ]
    echo "$output" | sed '$d' | rest_ping_up
}

@test "a request without a token is refused with 401" {
    run curl -s --max-time 10 --unix-socket "$OCTO_REST_SOCKET" -o /dev/null -w '%{http_code}' \
        http://localhost/slurm/$OCTO_REST_VERSION/ping
    [ "$output" = 401 ]
}

@test "a token with a forged signature is refused by slurmctld" {
    # a valid header and claim set, signed with some other key
    tok=$(rest_token octouser)
    forged="${tok%.*}.$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    run curl -s --max-time 10 --unix-socket "$OCTO_REST_SOCKET" -H "X-SLURM-USER-NAME: octouser" \
        -H "X-SLURM-USER-TOKEN: $forged" -w '\n%{http_code}' http://localhost/slurm/$OCTO_REST_VERSION/jobs
    # slurmrestd passes the token through; slurmctld's auth/jwt rejects it
    # (slurmrestd answers 500 on 22.05, 511 on 26.05)
    [[ "$(echo "$output" | tail -n1)" =~ ^(500|511)$ ]]
    echo "$output" | sed '$d' | jq -e '((.jobs // []) | length) == 0 and (.errors | length) > 0'
    grep -q 'REQUEST_JOB_INFO has authentication error' "$OCTO_CLUSTER_DIR/log/slurmctld.log"
}

@test "GET /slurm/VERSION/jobs lists a job the user submitted" {
    d=$(job_dir octouser)
    id=$(cd "$d" && sbatch_as octouser -o /dev/null -J rest-list --hold --wrap true)
    run rest octouser GET /slurm/$OCTO_REST_VERSION/jobs
    [ "$(echo "$output" | tail -n1)" = 200 ]
    echo "$output" | sed '$d' | jq -e --argjson id "$id" '[.jobs[] | select(.job_id == $id and .name == "rest-list" and .user_name == "octouser")] | length == 1'
    cluster_exec -- scancel "$id"
}

@test "POST /slurm/VERSION/job/submit runs the script as the user and writes its output" {
    d=$(job_dir octouser)
    body=$(jq -n --arg d "$d" '{
        script: "#!/bin/sh\necho \"rest-job $(id -un) $SLURM_JOB_NAME\"\n",
        job: { name: "viarest", current_working_directory: $d,
               standard_output: ($d + "/rest.out"),
               environment: { PATH: "/usr/bin:/bin" } } }' | rest_job_env)
    run rest octouser POST /slurm/$OCTO_REST_VERSION/job/submit -H 'Content-Type: application/json' --data-binary "$body"
    [ "$(echo "$output" | tail -n1)" = 200 ]
    id=$(echo "$output" | sed '$d' | jq -r '.job_id')
    [[ "$id" =~ ^[0-9]+$ ]]
    wait_until 30 job_done "$id"
    [ "$(cat "$d/rest.out")" = "rest-job octouser viarest" ]
}

dbd_lists_viarest() {
    local out
    out=$(rest octouser GET "/slurmdb/$OCTO_REST_VERSION/jobs")
    [ "$(echo "$out" | tail -n1)" = 200 ] &&
        echo "$out" | sed '$d' | jq -e '[.jobs[] | select(.name == "viarest")] | length > 0'
}

@test "the slurmdbd REST plugin serves accounting data" {
    # slurmctld hands job records to slurmdbd asynchronously
    wait_until 20 dbd_lists_viarest
}
