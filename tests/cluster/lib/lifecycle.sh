# SPDX-License-Identifier: GPL-2.0-or-later
# up, down, status: the order daemons start and stop in, and the cleanup.

STAGE1="slurmrestd slurmd1 slurmd2 slurmd3 slurmctld"   # stopped first
STAGE2="slurmdbd"
STAGE3="mariadb munged"

check_host() {
    require_root
    [ -d /sys/fs/cgroup/devices ] && [ -d /sys/fs/cgroup/freezer ] && [ -d /sys/fs/cgroup/cpuset ] ||
        die "cgroup v1 devices/freezer/cpuset hierarchies are not mounted under /sys/fs/cgroup; the harness runs three slurmd with task/cgroup + ConstrainDevices on cgroup/v1 (boot with systemd.unified_cgroup_hierarchy=0 on a systemd host)"
    local b
    for b in slurmctld slurmd slurmdbd slurmrestd mariadbd munged sacctmgr curl nsenter unshare setpriv; do
        command -v "$b" >/dev/null || die "$b not found: run scripts/install-deps"
    done
}

# What `up` was asked for: options and the content of the files they name.
up_signature() {
    local f
    {
        printf '%s\n' "$OPT_SLURM_EXTRA" "$OPT_GRES_CONF" "$OPT_NODE_GRES" "$OPT_GRES_TYPES" \
            "$OPT_PLUGSTACK" "$OPT_CGROUP_EXTRA" "$OPT_PLUGIN_DIRS" "$OPT_FAKE_GPUS" "$OPT_FAKE_DEVICES" "$OPT_NODE_SOCKETS" "$OPT_NO_ACCOUNTING" \
            ${OPT_ETC_FILES[@]+"${OPT_ETC_FILES[@]}"}
        for f in "$OPT_SLURM_EXTRA" "$OPT_GRES_CONF" "$OPT_PLUGSTACK" "$OPT_CGROUP_EXTRA" \
                 ${OPT_ETC_FILES[@]+"${OPT_ETC_FILES[@]}"}; do
            [ -z "$f" ] || cat "$f"
        done
    } | sha256sum | cut -d' ' -f1
}

cluster_up() {
    parse_up_options "$@"
    check_host
    local sig
    sig=$(up_signature)
    if [ -d "$DIR" ] && cluster_status >/dev/null 2>&1; then
        [ "$(cat "$DIR/up.sig" 2>/dev/null)" = "$sig" ] ||
            die "instance $INSTANCE runs with other options or config files: run '$0 -i $INSTANCE down' first"
        log "already up ($DIR)"
        return 0
    fi
    if [ -d "$DIR" ] || net_exists; then
        log "cleaning up a previous, incomplete instance"
        cluster_down >/dev/null 2>&1 || true
    fi
    local t0 t n
    t0=$(now_ms)
    ensure_users
    mkdir -p "$DIR"/{etc,log,pids,run,state/ctld,run/slurm}
    chown "$SLURM_USER:" "$DIR/state/ctld" "$DIR/run/slurm"
    install -o "$SLURM_USER" -g "$SLURM_USER" -m 640 /dev/null "$DIR/log/slurmctld.log"
    install -o "$SLURM_USER" -g "$SLURM_USER" -m 640 /dev/null "$DIR/log/slurmdbd.log"
    echo "$sig" > "$DIR/up.sig"
    for n in "${NODES[@]}"; do mkdir -p "$DIR/spool/$n"; done
    chmod 755 "$DIR"
    write_keys
    write_configs
    net_up

    trap 'up_failed' ERR
    local step ts timing="setup=$(( $(now_ms) - t0 ))" steps
    steps="munged mariadb slurmdbd slurmctld associations slurmds slurmrestd"
    # without accounting there is no database, no slurmdbd and no association
    if [ "$OPT_NO_ACCOUNTING" = 1 ]; then steps="munged slurmctld slurmds slurmrestd"; fi
    # what `status` checks: the daemons this instance runs
    if [ "$OPT_NO_ACCOUNTING" = 1 ]; then echo munged "$STAGE1"; else echo "$STAGE3" "$STAGE2" "$STAGE1"; fi > "$DIR/daemons"
    for step in $steps; do
        ts=$(now_ms)
        case $step in
            associations) add_associations ;;
            *) "start_$step" ;;
        esac
        timing+=" $step=$(( $(now_ms) - ts ))"
    done
    trap - ERR
    t=$(( $(now_ms) - t0 ))
    log "up in $((t / 1000)).$(printf '%03d' $((t % 1000))) s: ${NODES[*]} idle, slurmrestd at $REST_SOCKET"
    log "timing (ms): $timing"
    log "use: $0 -i $INSTANCE exec -u octouser -- sbatch ... ; stop: $0 -i $INSTANCE down"
}

up_failed() {
    trap - ERR
    log "up failed; daemon logs follow, the instance is stopped and $DIR kept"
    cluster_logs >&2
    cluster_down --keep >/dev/null 2>&1 || true
    exit 1
}

cgroup_cleanup() {
    local node ctrl d
    for node in "${NODES[@]}"; do
        for ctrl in /sys/fs/cgroup/*/; do
            d="${ctrl}slurm_$node"
            [ -d "$d" ] || continue
            # kill leftovers, then remove directories deepest first
            find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
            find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done
    done
}

cluster_down() {
    local keep=0
    [ "${1:-}" = --keep ] && keep=1
    require_root
    local pids
    if [ -d "$DIR/pids" ]; then
        # shellcheck disable=SC2086
        stop_group 5 $STAGE1
        # job processes and slurmstepds outlive their slurmd: everything in the
        # node namespaces is ours
        pids=$(net_pids "${NS_NODES[@]}")
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        # shellcheck disable=SC2086
        stop_group 5 $STAGE2
        # shellcheck disable=SC2086
        stop_group 10 $STAGE3
    fi
    # whatever is still in our namespaces (e.g. from a run whose files are
    # gone) was started by this instance too
    pids=$(net_pids "$NS_HEAD" "${NS_NODES[@]}")
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    net_down
    cgroup_cleanup
    if [ $keep -eq 0 ]; then
        rm -rf "$DIR"
    fi
    log "down"
}

# restart-slurmd N: stop node N's slurmd (its jobs run on) and start it
# again with the caller's environment, as a node reboot of slurmd would;
# back when the new one has registered with slurmctld.
cluster_restart_slurmd() {
    local i=${1:-} log lines
    require_root
    [[ "$i" =~ ^[1-9][0-9]*$ ]] && [ "$i" -le "$NODE_COUNT" ] || die "restart-slurmd takes a node number, 1 to $NODE_COUNT"
    alive "slurmd$i" || die "slurmd$i is not running"
    log=$DIR/log/slurmd-${NODES[$((i - 1))]}.log
    lines=$(wc -l < "$log")
    stop_group 10 "slurmd$i"
    start_slurmd "$i"
    wait_for 30 "slurmd$i registered" registered_since "$log" "$lines"
    log "slurmd$i restarted"
}

registered_since() {
    tail -n +$(($2 + 1)) "$1" | grep -q 'slurmd started on'
}

cluster_status() {
    local n rc=0
    [ -d "$DIR/pids" ] || { echo "no instance at $DIR"; return 1; }
    for n in $(cat "$DIR/daemons" 2>/dev/null || echo "$STAGE3" "$STAGE2" "$STAGE1"); do
        if alive "$n"; then echo "$n: running ($(live_pid "$n"))"; else echo "$n: STOPPED"; rc=1; fi
    done
    return $rc
}
