# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the integration tests. They run as root against the cluster that
# tests/run-integration booted; its exports (cluster env) are in the
# environment: SLURM_CONF, OCTO_CLUSTER_INSTANCE, OCTO_CLUSTER_DIR, ...

CLUSTER_TOOL=${OCTO_CLUSTER_TOOL:?run through tests/run-integration}
# shellcheck source=../cluster/lib/rest_ping.sh
. "$(dirname "$CLUSTER_TOOL")/lib/rest_ping.sh"

# cluster_exec [-i INSTANCE] [-u USER] CMD... : a Slurm client against the cluster
cluster_exec() {
    local inst=$OCTO_CLUSTER_INSTANCE
    if [ "$1" = -i ]; then inst=$2; shift 2; fi
    "$CLUSTER_TOOL" -i "$inst" exec "$@"
}

as_user() { local u=$1; shift; cluster_exec -u "$u" -- "$@"; }

# refute CMD...: fails when CMD succeeds. A bare "! CMD" never fails a bats
# test (set -e ignores negated commands), nor does the first of "A && B".
refute() { if "$@"; then return 1; fi; }

# wait_until SECONDS CMD... : poll every 0.2 s; bounded, never hangs a run.
# The bound is OCTO_WAIT_SCALE (default 3) times SECONDS: it only matters
# on a loaded machine, where a slow step is not a failed one.
wait_until() {
    local deadline=$(( $(date +%s) + $1 * ${OCTO_WAIT_SCALE:-3} )); shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# A working directory for jobs, owned by USER and private to this test.
job_dir() {
    local u=${1:-octouser} d
    d=$(mktemp -d "$OCTO_CLUSTER_DIR/work.XXXXXX")
    chown "$u:" "$d"
    chmod 755 "$d"
    echo "$d"
}

# Submit a batch job as USER; prints the job id.
sbatch_as() {
    local u=$1; shift
    as_user "$u" sbatch --parsable "$@" | cut -d';' -f1
}

job_state() { cluster_exec -- squeue -h -j "$1" -o %T 2>/dev/null || true; }

job_done() {
    local st
    st=$(cluster_exec -- scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    case "$st" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) return 0 ;; *) return 1 ;; esac
}

rest_token() {
    cluster_exec -- scontrol token username="$1" lifespan="${2:-300}" | sed -n 's/^SLURM_JWT=//p'
}

# A submit body (stdin) in the release's REST version: v0.0.38 takes the job's
# environment as an object, v0.0.40 and later as an array of NAME=value (an
# object is accepted there with a warning, and loses the SLURM_* variables).
rest_job_env() {
    if [ "$OCTO_REST_VERSION" = v0.0.38 ]; then cat
    else jq '.job.environment |= (to_entries | map("\(.key)=\(.value)"))'; fi
}

# job_field ID NAME: one field of `scontrol show job`, a TRES list in 22.05's
# spelling (gres:gpu:a100:1; 23.02 and later print gres/gpu:a100:1, and
# gres/gpu:a100=1 in TresPerTask)
job_field() {
    cluster_exec -- scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1 |
        sed -E 's#(^|,)gres/([^,=]*)=#\1gres/\2:#g; s#(^|,)gres/#\1gres:#g'
}

# rest USER METHOD PATH [CURL ARGS...] : prints body, then the HTTP status on the last line
rest() {
    local u=$1 method=$2 path=$3; shift 3
    local tok
    tok=$(rest_token "$u")
    curl -s --max-time 20 --unix-socket "$OCTO_REST_SOCKET" -X "$method" \
        -H "X-SLURM-USER-NAME: $u" -H "X-SLURM-USER-TOKEN: $tok" \
        -w '\n%{http_code}' "$@" "http://localhost$path"
}
