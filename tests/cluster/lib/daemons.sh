# Daemon lifecycle: start in dependency order, wait for readiness, stop by pid.
#
# Every daemon runs in the foreground (-D/-F) under setsid, with nsenter and
# unshare exec'ing in place, so $! is the daemon's own pid. We record it with
# the process start time and signal only a process that still matches both:
# a recycled pid is never touched.

ENTER_HOST="$HERE/lib/enter-host"
STAGE1="slurmrestd slurmd1 slurmd2 slurmd3 slurmctld"   # stopped first
STAGE2="slurmdbd"
STAGE3="mariadb munged"

proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

spawn() {
    local name=$1; shift
    setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
    local pid=$!
    echo "$pid $(proc_starttime "$pid")" > "$DIR/pids/$name"
    STARTED+=" $name"
}

# Prints the pid of NAME if that process is still the one we started.
live_pid() {
    local f="$DIR/pids/$1" pid st
    [ -r "$f" ] || return 1
    read -r pid st < "$f" || return 1
    [ -n "$pid" ] && [ "$(proc_starttime "$pid")" = "$st" ] || return 1
    echo "$pid"
}

alive() { live_pid "$1" >/dev/null; }

# stop_group SECONDS NAME... : SIGTERM, wait, then SIGKILL what is left.
stop_group() {
    local grace=$1; shift
    local n pid pids=()
    for n in "$@"; do
        pid=$(live_pid "$n") && { kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); }
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    local deadline=$(( $(now_ms) + grace * 1000 )) left
    while :; do
        left=0
        for n in "$@"; do alive "$n" && left=1; done
        [ $left -eq 0 ] && return 0
        [ "$(now_ms)" -ge "$deadline" ] && break
        sleep 0.1
    done
    for n in "$@"; do
        pid=$(live_pid "$n") && { log "$n ($pid) ignored SIGTERM, killing"; kill -KILL "$pid" 2>/dev/null || true; }
    done
    return 0
}

# ------------------------------------------------------------------ start

start_munged() {
    mkdir -p "$DIR/run/munge"
    chown munge:munge "$DIR/run/munge"
    spawn munged setpriv --reuid=munge --regid=munge --clear-groups \
        munged -F --socket="$DIR/run/munge/munge.socket" --key-file="$DIR/etc/munge.key" \
        --pid-file="$DIR/run/munge/munged.pid" --log-file="$DIR/log/munged.log" \
        --seed-file="$DIR/run/munge/munged.seed"
    wait_for 10 munged sh -c "munge -n -S '$DIR/run/munge/munge.socket' | unmunge -S '$DIR/run/munge/munge.socket'"
}

# A pristine datadir per MariaDB version is made once and copied: that saves
# mariadb-install-db (1-2 s) on every later `up`.
mariadb_seed() {
    local ver seed
    ver=$(mariadbd --version | awk '{print $3}')
    seed=${OCTO_CACHE_DIR:-/var/cache/octopus-slurm}/mariadb-seed-$ver
    if [ ! -f "$seed/.ready" ]; then
        mkdir -p "$(dirname "$seed")"
        rm -rf "$seed.tmp"
        mkdir -p "$seed.tmp"
        chown mysql:mysql "$seed.tmp"
        mariadb-install-db --no-defaults --user=mysql --datadir="$seed.tmp" \
            --auth-root-authentication-method=socket --skip-test-db \
            >"$DIR/log/mariadb-install-db.log" 2>&1 || { cat "$DIR/log/mariadb-install-db.log" >&2; return 1; }
        touch "$seed.tmp/.ready"
        rm -rf "$seed"
        mv "$seed.tmp" "$seed"
    fi
    cp -a "$seed" "$DIR/mysql"
}

start_mariadb() {
    mkdir -p "$DIR/run/mysql"
    chown mysql:mysql "$DIR/run/mysql"
    install -o mysql -g mysql -m 640 /dev/null "$DIR/log/mariadb.log"
    mariadb_seed
    spawn mariadb nsenter --net="/run/netns/$NS_HEAD" \
        mariadbd --no-defaults --user=mysql --datadir="$DIR/mysql" --socket="$MYSQL_SOCKET" \
        --skip-networking --pid-file="$DIR/run/mysql/mariadbd.pid" --log-error="$DIR/log/mariadb.log" \
        --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 --max-allowed-packet=16M
    wait_for 30 mariadb mariadb --no-defaults -S "$MYSQL_SOCKET" -e 'SELECT 1'
    mariadb --no-defaults -S "$MYSQL_SOCKET" -e \
        "CREATE USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
}

start_slurmdbd() {
    # slurmdbd has no socket option; libmariadb takes it from MYSQL_UNIX_PORT.
    spawn slurmdbd nsenter --net="/run/netns/$NS_HEAD" unshare --uts --mount --propagation private -- \
        "$ENTER_HOST" "$HEAD" "$DIR/etc/hosts" \
        env SLURM_CONF="$SLURM_CONF_PATH" MYSQL_UNIX_PORT="$MYSQL_SOCKET" slurmdbd -D
    wait_for 30 slurmdbd in_head sacctmgr -n list cluster
}

start_slurmctld() {
    spawn slurmctld nsenter --net="/run/netns/$NS_HEAD" unshare --uts --mount --propagation private -- \
        "$ENTER_HOST" "$HEAD" "$DIR/etc/hosts" \
        slurmctld -D -i -f "$SLURM_CONF_PATH"
    wait_for 30 slurmctld sh -c "SLURM_CONF='$SLURM_CONF_PATH' nsenter --net=/run/netns/$NS_HEAD timeout 5 scontrol ping | grep -q UP"
}

add_associations() {
    wait_for 30 "cluster $CLUSTER registered in slurmdbd" \
        sh -c "SLURM_CONF='$SLURM_CONF_PATH' nsenter --net=/run/netns/$NS_HEAD sacctmgr -n -P list cluster format=cluster | grep -qx $CLUSTER"
    in_head sacctmgr -i -Q add account "$TEST_ACCOUNT" Cluster="$CLUSTER" Description="octopus tests" Organization=octo >/dev/null
    in_head sacctmgr -i -Q add user "$(echo "$TEST_USERS" | tr ' ' ',')" Account="$TEST_ACCOUNT" \
        DefaultAccount="$TEST_ACCOUNT" Cluster="$CLUSTER" >/dev/null
    # slurmdbd pushes the new associations to slurmctld asynchronously.
    local u
    for u in $TEST_USERS; do
        wait_for 15 "association of $u in slurmctld" \
            sh -c "SLURM_CONF='$SLURM_CONF_PATH' nsenter --net=/run/netns/$NS_HEAD scontrol show assoc_mgr users=$u flags=assoc | grep -q 'UserName=$u('"
    done
}

start_slurmds() {
    local i
    for i in $(seq 1 $NODE_COUNT); do
        spawn "slurmd$i" nsenter --net="/run/netns/${NS_NODES[$((i - 1))]}" \
            unshare --uts --mount --propagation private -- \
            "$ENTER_HOST" "${NODES[$((i - 1))]}" "$DIR/etc/hosts" \
            slurmd -D -N "${NODES[$((i - 1))]}" -f "$SLURM_CONF_PATH"
    done
    wait_for 30 "all nodes idle" nodes_idle
}

nodes_idle() {
    local states
    states=$(in_head timeout 5 sinfo -h -N -o '%T' | sort -u) || return 1
    [ "$states" = idle ]
}

start_slurmrestd() {
    mkdir -p "$DIR/restd"
    chown "$REST_USER:$REST_USER" "$DIR/restd"
    # SLURM_JWT switches slurmrestd's own client auth to auth/jwt, so each
    # request runs as the token's user.
    spawn slurmrestd nsenter --net="/run/netns/$NS_HEAD" \
        env SLURM_CONF="$SLURM_CONF_PATH" SLURM_JWT=daemon \
        slurmrestd -a rest_auth/jwt -s openapi/v0.0.38,openapi/dbv0.0.38 \
        -u "$REST_USER" -g "$REST_USER" "unix:$REST_SOCKET"
    wait_for 20 "slurmrestd ping" rest_ping
}

rest_ping() {
    local tok
    tok=$(in_head scontrol token username=octouser lifespan=60 | sed -n 's/^SLURM_JWT=//p')
    [ -n "$tok" ] || return 1
    curl -sf --unix-socket "$REST_SOCKET" -H "X-SLURM-USER-NAME: octouser" \
        -H "X-SLURM-USER-TOKEN: $tok" http://localhost/slurm/v0.0.38/ping | grep -q '"UP"'
}

check_host() {
    require_root
    [ -d /sys/fs/cgroup/devices ] && [ -d /sys/fs/cgroup/freezer ] && [ -d /sys/fs/cgroup/cpuset ] ||
        die "cgroup v1 devices/freezer/cpuset hierarchies are not mounted under /sys/fs/cgroup; task/cgroup with ConstrainDevices needs them"
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
            "$OPT_PLUGSTACK" "$OPT_CGROUP_EXTRA" "$OPT_PLUGIN_DIRS" "$OPT_FAKE_GPUS"
        for f in "$OPT_SLURM_EXTRA" "$OPT_GRES_CONF" "$OPT_PLUGSTACK" "$OPT_CGROUP_EXTRA"; do
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
    mkdir -p "$DIR"/{etc,log,pids,run,state/ctld}
    echo "$sig" > "$DIR/up.sig"
    for n in "${NODES[@]}"; do mkdir -p "$DIR/spool/$n"; done
    chmod 755 "$DIR"
    write_keys
    write_configs
    net_up

    trap 'up_failed' ERR
    local step ts timing="setup=$(( $(now_ms) - t0 ))"
    for step in munged mariadb slurmdbd slurmctld associations slurmds slurmrestd; do
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

# ------------------------------------------------------------------ stop

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
    if [ -d "$DIR/pids" ]; then
        # shellcheck disable=SC2086
        stop_group 5 $STAGE1
        # job processes and slurmstepds outlive their slurmd: everything in the
        # node namespaces is ours
        local pids
        pids=$(for ns in "${NS_NODES[@]}"; do [ -e "/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null; done; true)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        # shellcheck disable=SC2086
        stop_group 5 $STAGE2
        # shellcheck disable=SC2086
        stop_group 10 $STAGE3
    fi
    net_down
    cgroup_cleanup
    if [ $keep -eq 0 ]; then
        rm -rf "$DIR"
    fi
    log "down"
}

cluster_status() {
    local n rc=0
    [ -d "$DIR/pids" ] || { echo "no instance at $DIR"; return 1; }
    for n in $STAGE3 $STAGE2 $STAGE1; do
        if alive "$n"; then echo "$n: running ($(live_pid "$n"))"; else echo "$n: STOPPED"; rc=1; fi
    done
    return $rc
}

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
