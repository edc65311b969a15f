# SPDX-License-Identifier: GPL-2.0-or-later
# Instance claims: a run that boots clusters (tests/run-integration,
# tests/slurm-expect/run) holds a lock on its instance name for its whole
# life, so that two runs on one machine (two clones' CI, a developer's run
# beside CI) never share, clean up or stop each other's cluster: the second
# takes the next free name. The names a run derives from its own (${INST:0:5}br
# and so on) are then free of clashes too. The cluster tool refuses `up` and
# `down` of an instance another process holds.

CLAIM_DIR=/run/lock/octo-cluster

# claim_instance BASE: take BASE, or BASE1..BASE9 when taken; sets INST and
# CLAIM_FD (held until the caller exits; close it for children with
# {CLAIM_FD}>&- so that no daemon keeps it) and exports OCTO_CLUSTER_CLAIM.
claim_instance() {
    local base=$1 i
    mkdir -p "$CLAIM_DIR"
    for i in "" 1 2 3 4 5 6 7 8 9; do
        # opened without truncating: the holder's record stays readable
        exec {CLAIM_FD}>>"$CLAIM_DIR/$base$i.lock"
        if flock -n "$CLAIM_FD"; then
            INST=$base$i
            echo "$$ $(date -u +%FT%TZ) $0" > "$CLAIM_DIR/$INST.owner"
            export OCTO_CLUSTER_CLAIM=$INST
            return 0
        fi
        exec {CLAIM_FD}>&-
    done
    echo "no free instance name from $base to ${base}9: ten runs are using this machine" >&2
    return 1
}

# instance_held_elsewhere NAME: true when a process other than our caller
# holds NAME's claim (the caller says it holds it with OCTO_CLUSTER_CLAIM)
instance_held_elsewhere() {
    local lock=$CLAIM_DIR/$1.lock
    [ "${OCTO_CLUSTER_CLAIM:-}" = "$1" ] && return 1
    [ -e "$lock" ] || return 1
    ! flock -n "$lock" true
}

claim_owner() { cat "$CLAIM_DIR/$1.owner" 2>/dev/null || echo "unknown"; }
