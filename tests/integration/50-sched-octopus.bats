#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# job_submit/octopus + --machine-type + octopus-quota against a real cluster
# with slurmdbd and AccountingStorageEnforce=associations,limits,safe.
# GPUs are fake device nodes (4 x a100, 2 x v100 per node); machine types,
# partitions and licenses come from tests/integration/octopus/.
load helpers

# setup_file points OCTO_CLUSTER_INSTANCE at this instance; keep its name
MT=${OCTO_MT_INSTANCE:-${OCTO_CLUSTER_INSTANCE:0:5}mt}
FIX=$BATS_TEST_DIRNAME/octopus

setup_file() {
    local plugstack
    plugstack=$(mktemp)
    echo "required $OCTO_STAGE_PLUGINDIR/spank_machine_type.so" > "$plugstack"
    "$CLUSTER_TOOL" -i "$MT" up --plugin-dir "$OCTO_STAGE_PLUGINDIR" \
        --slurm-conf-extra "$FIX/slurm.conf.extra" --gres-conf "$FIX/gres.conf" \
        --node-gres gpu:a100:4,gpu:v100:2 --fake-devices 6 \
        --etc-file "$FIX/octopus.conf" --plugstack "$plugstack" >&3 2>&1
    rm -f "$plugstack"
    export OCTO_MT_INSTANCE=$MT
    eval "$("$CLUSTER_TOOL" -i "$MT" env)"
    export OCTO_CLUSTER_INSTANCE OCTO_CLUSTER_DIR OCTO_REST_SOCKET
    export QUOTA="$OCTO_STAGE_PREFIX/bin/octopus-quota" LEDGER="$OCTO_CLUSTER_DIR/grants.db"
    export WORK
    WORK=$(job_dir octouser)
}

teardown_file() {
    [ -z "${OCTO_CLUSTER_DIR:-}" ] || [ ! -d "$OCTO_CLUSTER_DIR" ] || "$CLUSTER_TOOL" -i "$MT" down >&3 2>&1
}

quota() { cluster_exec -- "$QUOTA" --ledger "$LEDGER" "$@"; }
submit() { as_user octouser sbatch --parsable -D "$WORK" -o /dev/null "$@" --wrap 'sleep 300'; }
field() { job_field "$@"; }
limit_of() {
    cluster_exec -- sacctmgr -nP show assoc where users=octouser account=octo format=grptres |
        tr ',' '\n' | sed -n "s|^license/mt_$1=||p"
}
running() { [ "$(job_state "$1")" = RUNNING ]; }
reason_is() { [ "$(cluster_exec -- squeue -h -j "$1" -o %r)" = "$2" ]; }
ctld_log_has() { grep -q -- "$1" "$OCTO_CLUSTER_DIR/log/slurmctld.log"; }
cancel_all() { cluster_exec -- scancel -u octouser; cluster_exec -- scancel -u octouser2; wait_until 30 no_jobs; }
no_jobs() { [ -z "$(cluster_exec -- squeue -h -o %i)" ]; }

@test "slurmctld loads job_submit/octopus with the catalog" {
    ctld_log_has "octopus: loaded 3 machine type(s), 2 policy partition(s)"
}

@test "--machine-type=help lists the machine types" {
    run as_user octouser srun --machine-type=help true
    [ "$status" -eq 0 ]
    [[ "$output" == *"a100x2"*"gpu:a100:2"*"gpu,gpu2"* ]]
    [[ "$output" == *"v100x1"* ]]
}

@test "no grant: rejected with the one-line message, identical under --test-only" {
    run as_user octouser sbatch -D "$WORK" -p gpu --gpus=1 --wrap true
    [ "$status" -ne 0 ]
    msg=$(echo "$output" | grep 'octopus:')
    [[ "$msg" == *"type=a100x1 units=1 granted=0 in_use=0 grant_end=- action=rejected: no active grant for a100x1 on account octo"* ]]
    run as_user octouser sbatch --test-only -D "$WORK" -p gpu --gpus=1 --wrap true
    [ "$status" -ne 0 ]
    [ "$(echo "$output" | grep 'octopus:')" = "$msg" ]
}

@test "octopus-quota grant + sync sets the association limits; a second sync changes nothing" {
    quota grant octouser a100x1 2 --account octo --days 7 --reason "course project"
    quota grant octouser a100x2 1 --account octo --days 7
    quota grant octouser v100x1 2 --account octo --days 7
    run quota sync
    [ "$status" -eq 0 ]
    [[ "$output" == *"sync: 1 association(s) changed, 0 error(s)"* ]]
    [ "$(limit_of a100x1)" = 2 ]
    [ "$(limit_of a100x2)" = 1 ]
    [ "$(limit_of v100x1)" = 2 ]
    run quota sync
    [ "$status" -eq 0 ]
    [[ "$output" == *"sync: 0 association(s) changed"* ]]
    run quota list --user octouser
    [[ "$output" == *"a100x1"*"course project"* ]]
    # the grant index the plugin reads for end dates
    grep -q "^$(id -u octouser) octo a100x1 2@" "$OCTO_CLUSTER_DIR/etc/octopus-grants.idx"
}

@test "--machine-type rewrites the job to the type's shape" {
    wait_until 10 grep -q a100x2 "$OCTO_CLUSTER_DIR/etc/octopus-grants.idx"
    # no -p: the type picks its partitions instead of the default one
    id=$(submit --hold --machine-type=a100x2)
    [ "$(field "$id" Partition)" = gpu,gpu2 ]
    [ "$(field "$id" TresPerJob)" = gres:gpu:a100:2 ]
    [ "$(field "$id" Licenses)" = mt_a100x2:1 ]
    [ "$(field "$id" CpusPerTres)" = gres:gpu:1 ]
    [ "$(field "$id" MemPerTres)" = gres:gpu:100 ]
    cancel_all
}

@test "untyped --gpus=1 lands on the partition's default type" {
    id=$(submit --hold -p gpu --gpus=1)
    [ "$(field "$id" TresPerJob)" = gres:gpu:a100:1 ]
    [ "$(field "$id" Licenses)" = mt_a100x1:1 ]
    cancel_all
}

@test "every GPU request form resolves to one type and a unit count" {
    id=$(submit --hold -p gpu --gres=gpu:2 -N1)
    [ "$(field "$id" TresPerNode)" = gres:gpu:a100:2 ]
    [ "$(field "$id" Licenses)" = mt_a100x1:2 ]
    id=$(submit --hold -p gpu --gpus-per-node=1 -N2)
    [ "$(field "$id" TresPerNode)" = gres:gpu:a100:1 ]
    [ "$(field "$id" Licenses)" = mt_a100x1:2 ]
    id=$(submit --hold -p gpu --gpus-per-task=1 -n2)
    [ "$(field "$id" TresPerTask)" = gres:gpu:a100:1 ]
    [ "$(field "$id" Licenses)" = mt_a100x1:2 ]
    id=$(submit --hold -p gpu --gpus-per-socket=1 --sockets-per-node=1 -N1)
    [ "$(field "$id" TresPerSocket)" = gres:gpu:a100:1 ]
    [ "$(field "$id" Licenses)" = mt_a100x1:1 ]
    id=$(submit --hold -p gpu --gres=gpu:v100:1)
    [ "$(field "$id" Licenses)" = mt_v100x1:1 ]
    id=$(submit --hold -p gpu --gpus=a100:2 --machine-type=a100x2)
    [ "$(field "$id" Licenses)" = mt_a100x2:1 ]
    cancel_all
}

@test "a policy partition keeps the job's own CPU and memory values when they fit, and derives units for plain jobs" {
    # --cpus-per-gpu within the type's share is kept, and a step asking for it runs
    id=$(submit --hold -p gpu --gpus=1 --cpus-per-gpu=1)
    [ "$(field "$id" CpusPerTres)" = gres:gpu:1 ]
    cancel_all
    run as_user octouser sbatch -D "$WORK" -p gpu --gpus=1 --cpus-per-gpu=2 --wrap true
    [ "$status" -ne 0 ]
    # 23.02 and later also turn --cpus-per-gpu into the job's CPU count,
    # which the type's share refuses first
    [[ "$output" == *"machine type a100x1 gives 1 CPU(s) per gpu; the job asks --cpus-per-gpu=2"* ]] ||
        [[ "$output" == *"the job asks for 2 CPUs but 1 unit(s) of a100x1 give 1"* ]]
    [[ "$output" == *"Requested node configuration is not available"* ]]
    # --mem stays the job's (it used to vanish into the per-GPU memory)
    id=$(submit --hold -p gpu --gpus=1 --mem=13)
    [ "$(field "$id" MinMemoryNode)" = 13M ]
    [ -z "$(field "$id" MemPerTres)" ]
    cancel_all
    run as_user octouser sbatch -D "$WORK" -p gpu --gpus=1 --mem=999999 --wrap true
    [ "$status" -ne 0 ]
    [[ "$output" == *"Memory required by task is not available"* ]]
    # a plain multi-node job: one unit per node, not one unit for the job
    # (octouser's grant is 2 units here)
    id=$(submit --hold -p gpu -N2)
    [ "$(field "$id" Licenses)" = mt_a100x1:2 ]
    [ "$(field "$id" TresPerNode)" = gres:gpu:a100:1 ]
    # one kind in two forms, as Slurm allows
    id=$(submit --hold -p gpu -N2 --gpus=2 --gpus-per-node=1)
    [ "$(field "$id" Licenses)" = mt_a100x1:2 ]
    [ "$(field "$id" TresPerJob)" = gres:gpu:a100:2 ]
    [ "$(field "$id" TresPerNode)" = gres:gpu:a100:1 ]
    cancel_all
}

@test "requests that fit no machine type are rejected with the valid types" {
    run submit -p gpu --machine-type=h100x1
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: rejected: unknown machine type 'h100x1'; valid types: a100x1, a100x2, v100x1"* ]]
    run submit -p gpu --gpus=3 --machine-type=a100x2
    [[ "$output" == *"machine type a100x2 comes in units of 2 gpu; the job asks for 3"* ]]
    run submit -p gpu --gpus=v100:1 --machine-type=a100x1
    [[ "$output" == *"machine type a100x1 is gpu:a100, but the job also asks for gpu:v100"* ]]
    run submit -p gpu -L mt_a100x1:1
    [[ "$output" == *"mt_* licenses are set by the machine-type policy"* ]]
    run submit -p gpu2
    [[ "$output" == *"partition gpu2 runs machine types only: add --machine-type=TYPE (valid: a100x2)"* ]]
    run submit -p gpu --gpus-per-node=1 -N1-2
    [[ "$output" == *"has no fixed unit count"* ]]
    run submit -p gpu --gpus=3
    [[ "$output" == *"can never run under a grant of 2"* ]]
    no_jobs
}

@test "grant 2, three one-unit jobs: two run, one pends with AssocGrpLicense and starts when one ends" {
    a=$(as_user octouser sbatch --parsable -D "$WORK" -o /dev/null -p gpu --gres=gpu:v100:1 --wrap 'sleep 6')
    b=$(as_user octouser sbatch --parsable -D "$WORK" -o /dev/null -p gpu --gres=gpu:v100:1 --wrap 'sleep 300')
    wait_until 30 running "$a"
    wait_until 30 running "$b"
    run as_user octouser sbatch --parsable -D "$WORK" -o /dev/null -p gpu --gres=gpu:v100:1 --wrap 'sleep 1'
    [ "$status" -eq 0 ]
    [[ "$output" == *"octopus: type=v100x1 units=1 granted=2 in_use=2 grant_end="*"action=queued: 2 of 2 units in use"* ]]
    c=$(echo "$output" | tail -n1)
    wait_until 20 reason_is "$c" AssocGrpLicense
    run as_user octouser "$QUOTA" why "$c"
    [[ "$output" == *"job $c waits for 1 x v100x1: 2 of 2 granted unit(s) are in use"* ]]
    # three v100 jobs never run at once: c starts only after a ended
    wait_until 60 job_done "$a"
    wait_until 60 job_done "$c"
    [ "$(job_state "$b")" = RUNNING ]
    cancel_all
}

@test "a job cannot outlive its grant: deadline at the grant end, time limit capped" {
    id=$(submit --hold -p gpu --gpus=1 -t 30-00:00:00)
    end=$(awk -v u="$(id -u octouser)" '$1 == u && $3 == "a100x1" { split($4, s, "@"); print s[2] }' \
        "$OCTO_CLUSTER_DIR/etc/octopus-grants.idx")
    [ "$(date -d "$(field "$id" Deadline)" +%s)" -eq "$end" ]
    limit=$(field "$id" TimeLimit)               # D-HH:MM:SS
    days=${limit%%-*}
    [ "$days" -le 7 ]
    [ "$(field "$id" TimeMin)" = 00:01:00 ]
    cancel_all
}

@test "expiry via sync stops new starts" {
    quota grant octouser a100x1 1 --account octo --minutes 5 --reason short
    id=$(quota list --user octouser | awk '$10 == "short" || /short$/ { print $1; exit }')
    quota sync
    [ "$(limit_of a100x1)" = 3 ]
    # end every a100x1 grant now, as the clock would
    cluster_exec -- sqlite3 "$LEDGER" "UPDATE grants SET start = MIN(start, strftime('%s','now') - 60), end = strftime('%s','now') - 1 WHERE machine_type = 'a100x1'"
    run quota sync
    [[ "$output" == *"license/mt_a100x1 3 -> 0"* ]]
    [ "$(limit_of a100x1)" = 0 ]
    wait_until 10 sh -c "! grep -q ' a100x1 ' '$OCTO_CLUSTER_DIR/etc/octopus-grants.idx'"
    run submit -p gpu --gpus=1
    [ "$status" -ne 0 ]
    [[ "$output" == *"granted=0"*"action=rejected: no active grant for a100x1"* ]]
    [ -n "$id" ]
}

@test "an invalid octopus.conf on reconfigure keeps the previous catalog" {
    conf=$OCTO_CLUSTER_DIR/etc/octopus.conf
    cp "$conf" "$conf.good"
    printf 'MachineType=broken Gres=gpu CpusPerUnit=1 MemPerUnit=1G Partitions=gpu\n' >> "$conf"
    cluster_exec -- scontrol reconfigure
    wait_until 20 ctld_log_has "octopus.conf line 13: MachineType=broken: Gres= must be NAME:TYPE:COUNT"
    ctld_log_has "keeping the previous machine-type catalog"
    # the old catalog still shapes jobs
    id=$(submit --hold --machine-type=a100x2)
    [ "$(field "$id" Licenses)" = mt_a100x2:1 ]
    # and the help does not pass the broken file off as what is enforced
    run as_user octouser srun --machine-type=help true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus.conf line 13: MachineType=broken: Gres= must be NAME:TYPE:COUNT"* ]]
    [[ "$output" == *"not the list slurmctld enforces"* ]]
    # a Description that is not UTF-8 is refused like any error, and never printed raw
    cp "$conf.good" "$conf"
    printf 'MachineType=odd Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=100M Partitions=gpu Description="caf\xe9"\n' >> "$conf"
    cluster_exec -- scontrol reconfigure
    wait_until 20 ctld_log_has "MachineType=odd: Description= is not valid UTF-8"
    cp "$conf.good" "$conf"
    cluster_exec -- scontrol reconfigure
    cancel_all
}

loads_count() { grep -c "octopus: loaded 3 machine type(s)" "$OCTO_CLUSTER_DIR/log/slurmctld.log" || true; }
set_policy() {   # set_policy KEY=VALUE...: rewrite octopus.conf and wait until slurmctld reloaded it
    local conf=$OCTO_CLUSTER_DIR/etc/octopus.conf before kv
    before=$(loads_count)
    for kv in "$@"; do sed -i "s/^${kv%%=*}=.*/$kv/" "$conf"; done
    cluster_exec -- scontrol reconfigure
    wait_until 20 sh -c "[ \$(grep -c 'octopus: loaded 3 machine type(s)' '$OCTO_CLUSTER_DIR/log/slurmctld.log') -gt $before ]"
}

@test "OnNoGrant=pend queues a job without a grant behind AssocGrpLicense" {
    set_policy OnNoGrant=pend
    # a100x1's grants all ended in the expiry test: its limit is 0
    run submit -p gpu --gpus=1
    [ "$status" -eq 0 ]
    [[ "$output" == *"octopus: type=a100x1 units=1 granted=0 in_use=0 grant_end=- action=queued: no active grant for a100x1 on account octo; the job waits (AssocGrpLicense) until one is approved"* ]]
    id=$(echo "$output" | tail -n1)
    wait_until 20 reason_is "$id" AssocGrpLicense
    [ "$(field "$id" Deadline)" = "N/A" ]
    # a grant approved later lets it start, bounded by that grant as if it
    # had been there at submission
    quota grant octouser a100x1 1 --account octo --days 1 --reason late
    run quota sync
    echo "$output"      # shown if the test fails
    [ "$status" -eq 0 ]
    [[ "$output" == *"job $id: deadline "*"(grant end), time limit capped"* ]]
    end=$(awk -v u="$(id -u octouser)" '$1 == u && $3 == "a100x1" { split($4, s, "@"); print s[2] }' \
        "$OCTO_CLUSTER_DIR/etc/octopus-grants.idx")
    [ "$(date -d "$(field "$id" Deadline)" +%s)" -eq "$end" ]
    [ "$(field "$id" TimeMin)" = 00:01:00 ]
    wait_until 45 running "$id"
    # it cannot outlive the grant: its start plus its time limit is at most
    # the grant's end (all of a day when grant, sync and start fall in one second)
    limit=$(field "$id" TimeLimit)
    start=$(date -d "$(field "$id" StartTime)" +%s)
    secs=$(awk -v l="$limit" 'BEGIN{d=0; if (index(l, "-")) {split(l, a, "-"); d=a[1]; l=a[2]}
        n=split(l, t, ":"); s=(n==3 ? t[1]*3600+t[2]*60+t[3] : t[1]*60+t[2]); print d*86400+s}')
    echo "start $start + limit $limit ($secs s) vs grant end $end"
    [ "$secs" -gt 0 ]
    [ $((start + secs)) -le "$end" ]
    cancel_all
    set_policy OnNoGrant=reject
    run submit -p gpu --gpus=1 -t 10
    [ "$status" -eq 0 ]   # the late grant is still active
    cancel_all
}

@test "OnGrantEnd=reject refuses a time limit that outlives the grant, with the limit that fits" {
    set_policy OnGrantEnd=reject
    run submit --machine-type=v100x1 -t 30-00:00:00
    [ "$status" -ne 0 ]
    [[ "$output" == *"type=v100x1 units=1 granted=2"*"action=rejected: the time limit outlives the grant (ends "*"): use --time="*" or less"* ]]
    fits=$(echo "$output" | sed -n 's/.*use --time=\([0-9]*\) or less.*/\1/p')
    [ "$fits" -gt 60 ]
    [ "$fits" -le $(( 7 * 24 * 60 )) ]
    # no --time: the partition default may outlive the grant, so it is refused too
    run submit --machine-type=v100x1
    [ "$status" -ne 0 ]
    [[ "$output" == *"the time limit outlives the grant"* ]]
    id=$(submit --hold --machine-type=v100x1 -t "$fits")
    [ "$(field "$id" Licenses)" = mt_v100x1:1 ]
    [ "$(field "$id" TimeLimit)" != UNLIMITED ]
    set_policy OnGrantEnd=deadline
    cancel_all
}

@test "exempt users pass untouched" {
    id=$(as_user octouser2 sbatch --parsable -D "$WORK" -o /dev/null --hold -p gpu --gpus=1 --wrap true)
    [ "$(field "$id" TresPerJob)" = gres:gpu:1 ]
    [ "$(field "$id" Licenses)" = "(null)" ]
    cancel_all
}

@test "job arrays and heterogeneous jobs: each task and component is shaped" {
    id=$(submit --hold -p gpu --array=0-2 --machine-type=a100x2)
    run cluster_exec -- squeue -h -r -j "$id" -o %W
    [ "$(echo "$output" | sort -u)" = mt_a100x2:1 ]
    [ "$(echo "$output" | wc -l)" -eq 3 ]
    cat > "$WORK/het.sh" <<'EOF'
#!/bin/sh
#SBATCH -p gpu --gpus=v100:1
#SBATCH hetjob
#SBATCH -p gpu --gpus=a100:2 --machine-type=a100x2
true
EOF
    chmod 644 "$WORK/het.sh"
    if [ "$OCTO_SLURM_RELEASE" -lt 230200 ]; then
        id=$(as_user octouser sbatch --parsable --hold -D "$WORK" -o /dev/null "$WORK/het.sh")
        [ "$(field "${id}+0" Licenses)" = mt_v100x1:1 ]
        [ "$(field "${id}+1" Licenses)" = mt_a100x2:1 ]
    else
        # later releases take licenses on the leader only: the second
        # component's units cannot be charged, and the job is refused saying so
        run as_user octouser sbatch --parsable --hold -D "$WORK" -o /dev/null "$WORK/het.sh"
        [ "$status" -ne 0 ]
        [[ "$output" == *"component 1 of this heterogeneous job asks for machine type a100x2"* ]]
        [[ "$output" == *"make the machine-type component the first"* ]]
        # the machine-type component first, a plain one after: runs
        printf '#!/bin/sh\n#SBATCH -p gpu --gpus=v100:1\n#SBATCH hetjob\n#SBATCH -p debug -n1\ntrue\n' > "$WORK/het.sh"
        id=$(as_user octouser sbatch --parsable --hold -D "$WORK" -o /dev/null "$WORK/het.sh")
        [ "$(field "${id}+0" Licenses)" = mt_v100x1:1 ]
        [ -z "$(field "${id}+1" Licenses)" ] || [ "$(field "${id}+1" Licenses)" = "(null)" ]
    fi
    cancel_all
}

@test "job_modify: moving a job to a partition its type does not run in is refused" {
    id=$(submit --hold --machine-type=v100x1)
    run cluster_exec -u octouser -- scontrol update job "$id" partition=gpu2
    [ "$status" -ne 0 ]
    [ "$(field "$id" Partition)" = gpu ]
    wait_until 5 ctld_log_has "octopus: update of JobId=$id by uid $(id -u octouser) refused"
    # from 23.02 job_modify has err_msg: the user reads the admin's reason
    if [ "$OCTO_SLURM_RELEASE" -ge 230200 ]; then
        why=$(sed -n "s/.*octopus: update of JobId=$id by uid [0-9]* refused: //p" \
            "$OCTO_CLUSTER_DIR/log/slurmctld.log" | tail -n1)
        [ -n "$why" ]
        [[ "$output" == *"$why"* ]]
    fi
    cancel_all
}

@test "slurmrestd submissions take the type from OCTOPUS_MACHINE_TYPE and are validated" {
    body=$(jq -n --arg d "$WORK" '{ script: "#!/bin/sh\ntrue\n",
        job: { name: "resttype", current_working_directory: $d, hold: true,
               environment: { PATH: "/usr/bin:/bin", OCTOPUS_MACHINE_TYPE: "v100x1" } } }')
    run rest octouser POST /slurm/$OCTO_REST_VERSION/job/submit -H 'Content-Type: application/json' \
        --data-binary "$(rest_job_env <<< "$body")"
    [ "$(echo "$output" | tail -n1)" = 200 ]
    id=$(echo "$output" | sed '$d' | jq -r '.job_id')
    [ "$(field "$id" Licenses)" = mt_v100x1:1 ]
    [ "$(field "$id" TresPerJob)" = gres:gpu:v100:1 ]
    body=$(echo "$body" | jq '.job.environment.OCTOPUS_MACHINE_TYPE = "../../etc"')
    run rest octouser POST /slurm/$OCTO_REST_VERSION/job/submit -H 'Content-Type: application/json' \
        --data-binary "$(rest_job_env <<< "$body")"
    [[ "$output" == *"is not a machine type name"* ]] || [ "$(echo "$output" | tail -n1)" != 200 ]
    cancel_all
}
