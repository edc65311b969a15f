# SPDX-License-Identifier: GPL-2.0-or-later
# Names, users and small helpers shared by the cluster harness.

# Test accounts. octouser/octouser2 submit jobs (octoadmin too: the bridge's admin
# in its tests); octorest runs slurmrestd
# (which refuses root, SlurmUser and their groups). slurmctld and slurmdbd run
# as Debian's "slurm" user, as at a real site, so that plugins meet the same
# file permissions there as in production; slurmd stays root.
SLURM_USER=slurm
TEST_USERS="octouser octouser2 octoadmin"
REST_USER=octorest
TEST_ACCOUNT=octo
HEAD_ADDR=10.77.0.1
NODE_COUNT=3

cluster_init_names() {
    INSTANCE=$1
    # Instance names end up in netns, host and cgroup names: keep them short and plain.
    if ! [[ $INSTANCE =~ ^[a-z][a-z0-9]{0,7}$ ]]; then
        echo "cluster: instance '$INSTANCE' must match [a-z][a-z0-9]{0,7}" >&2
        exit 2
    fi
    DIR=${OCTO_CLUSTER_ROOT:-/tmp}/octo-$INSTANCE
    CLUSTER=octo$INSTANCE
    HEAD=$INSTANCE-head
    NS_HEAD=octo-$INSTANCE-h
    NODES=()
    NS_NODES=()
    for i in $(seq 1 $NODE_COUNT); do
        NODES+=("$INSTANCE-n$i")
        NS_NODES+=("octo-$INSTANCE-n$i")
    done
    SLURM_CONF_PATH=$DIR/etc/slurm.conf
    REST_SOCKET=$DIR/restd/restd.sock
    MYSQL_SOCKET=$DIR/run/mysql/mysqld.sock
}

log() { printf 'cluster[%s]: %s\n' "$INSTANCE" "$*" >&2; }
die() { log "error: $*"; exit 1; }

now_ms() { date +%s%3N; }

# wait_for TIMEOUT_S DESCRIPTION CMD... : poll CMD every 0.1 s. Gives up at
# once when a daemon started so far has exited (a bad config must not cost
# the whole timeout).
STARTED=""
# Bounds are OCTO_WAIT_SCALE (default 3) times what a quiet machine needs:
# every wait ends as soon as its probe succeeds, so a generous bound costs
# nothing there and keeps a loaded machine (a CI runner, a laptop building
# beside the tests) from failing a test that was only slow.
wait_for() {
    local timeout=$(( $1 * ${OCTO_WAIT_SCALE:-3} )) what=$2; shift 2
    local deadline=$(( $(now_ms) + timeout * 1000 )) n out
    out=$(mktemp)
    while ! "$@" >"$out" 2>&1; do
        for n in $STARTED; do
            if ! alive "$n"; then
                log "$n exited while waiting for $what"
                rm -f "$out"
                return 1
            fi
        done
        # a Slurm client that hit fatal() (e.g. a bad slurm.conf) will not recover
        local why=""
        grep -q 'fatal:' "$out" && why="the probe hit a fatal error"
        [ -z "$why" ] && [ "$(now_ms)" -ge "$deadline" ] && why="timed out after ${timeout}s"
        if [ -n "$why" ]; then
            log "gave up waiting for $what: $why; the probe last said:"
            sed 's/^/    /' "$out" | tail -n 10 >&2
            rm -f "$out"
            return 1
        fi
        sleep 0.1
    done
    rm -f "$out"
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, cgroups, daemons)"
}

ensure_user() {
    local u=$1 home=$2
    if ! getent passwd "$u" >/dev/null; then
        useradd --create-home --home-dir "$home" --shell /bin/bash "$u" ||
            die "cannot create test user $u"
    fi
}

ensure_users() {
    local u
    for u in $TEST_USERS; do
        ensure_user "$u" "/home/$u"
    done
    if ! getent passwd "$SLURM_USER" >/dev/null; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$SLURM_USER" ||
            die "cannot create $SLURM_USER"
    fi
    if ! getent passwd "$REST_USER" >/dev/null; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$REST_USER" ||
            die "cannot create $REST_USER"
    fi
}

# Run a Slurm client inside the head namespace, where the controller is.
# Clients run as on the head host: its network, its name and its /etc/hosts.
# Slurm from 23.11 has slurmd connect back to srun by srun's host name, which
# only the instance's hosts file resolves.
in_head() {
    SLURM_CONF=$SLURM_CONF_PATH nsenter --net="/run/netns/$NS_HEAD" \
        unshare --uts --mount --propagation private -- "$HERE/lib/enter-host" "$HEAD" "$DIR/etc/hosts" "$@"
}

# Run a client as USER (root when USER is root), in the head namespace.
as_user() {
    local u=$1; shift
    if [ "$u" = root ]; then
        in_head "$@"
    else
        in_head setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
            env HOME="$(getent passwd "$u" | cut -d: -f6)" USER="$u" LOGNAME="$u" "$@"
    fi
}

# Which Slurm the cluster runs: Debian's, on PATH, or one installed from
# SchedMD's source into a prefix (OCTO_SLURM_PREFIX=/opt/slurm-26.05, made by
# scripts/slurm-build). The release decides slurmrestd's plugins and the REST
# version the harness itself speaks (slurm_rest_version).
slurm_select() {
    if [ -n "${OCTO_SLURM_PREFIX:-}" ]; then
        [ -x "$OCTO_SLURM_PREFIX/sbin/slurmctld" ] ||
            die "OCTO_SLURM_PREFIX=$OCTO_SLURM_PREFIX has no sbin/slurmctld: build it with scripts/slurm-build"
        case ":$PATH:" in
            *":$OCTO_SLURM_PREFIX/sbin:"*) ;;
            *) PATH=$OCTO_SLURM_PREFIX/sbin:$OCTO_SLURM_PREFIX/bin:$PATH; export PATH ;;
        esac
    fi
    SLURM_RELEASE=""
}

# The running Slurm's release as a number: 22.05.8 -> 220508.
slurm_release() {
    if [ -z "${SLURM_RELEASE:-}" ]; then
        local v
        v=$(slurmctld -V 2>/dev/null | awk '{print $2}')
        [[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]] || die "cannot read the Slurm release from 'slurmctld -V' ($v)"
        SLURM_RELEASE=$(( BASH_REMATCH[1] * 10000 + 10#${BASH_REMATCH[2]} * 100 + BASH_REMATCH[3] ))
    fi
    echo "$SLURM_RELEASE"
}

# The newest Slurm REST version a release's slurmrestd serves, the one the
# bridge picks: 22.05 serves openapi/v0.0.38 (and 36, 37); 24.11 dropped
# them and serves the data_parser versions v0.0.40-42 through
# openapi/slurmctld; 25.05 v0.0.41-43; 25.11 v0.0.42-44; 26.05 v0.0.42-45.
slurm_rest_version() {
    local r
    r=$(slurm_release)
    if [ "$r" -lt 231100 ]; then echo v0.0.38
    elif [ "$r" -lt 250500 ]; then echo v0.0.42
    elif [ "$r" -lt 251100 ]; then echo v0.0.43
    elif [ "$r" -lt 260500 ]; then echo v0.0.44
    else echo v0.0.45
    fi
}
