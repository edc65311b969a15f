# SPDX-License-Identifier: GPL-2.0-or-later
# Using a running instance: clients, a shell, its environment, its logs.

cluster_exec() {
    local user=root
    while [ $# -gt 0 ]; do
        case "$1" in
            -u|--user) user=$2; shift 2 ;;
            --) shift; break ;;
            *) break ;;
        esac
    done
    [ $# -gt 0 ] || die "exec: no command given"
    [ -f "$SLURM_CONF_PATH" ] || die "no instance at $DIR: run up first"
    as_user "$user" "$@"
}

# An interactive shell in the head namespace with SLURM_CONF set: sbatch,
# srun, squeue, sacct work there as on a login node.
cluster_shell() {
    local user=root
    [ "${1:-}" = -u ] && user=$2
    [ -f "$SLURM_CONF_PATH" ] || die "no instance at $DIR: run up first"
    log "shell on cluster $CLUSTER as $user; exit to leave (the cluster keeps running)"
    as_user "$user" env OCTO_CLUSTER_INSTANCE="$INSTANCE" PS1="[$CLUSTER \\u \\W]\\$ " bash --norc -i
}

cluster_env() {
    cat <<EOF
export SLURM_CONF=$SLURM_CONF_PATH
export OCTO_CLUSTER_INSTANCE=$INSTANCE
export OCTO_CLUSTER_DIR=$DIR
export OCTO_CLUSTER_NETNS=$NS_HEAD
export OCTO_CLUSTER_NAME=$CLUSTER
export OCTO_CLUSTER_NODES="${NODES[*]}"
export OCTO_REST_SOCKET=$REST_SOCKET
export OCTO_SLURM_RELEASE=$(slurm_release)
export OCTO_REST_VERSION=$(slurm_rest_version)
export PATH=$(printf %q "$PATH")
EOF
}

cluster_logs() {
    local f
    for f in "$DIR"/log/*; do
        [ -s "$f" ] || continue
        echo "===== $f (last 25 lines)"
        tail -n 25 "$f"
    done
}
