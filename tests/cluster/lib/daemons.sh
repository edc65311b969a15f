# SPDX-License-Identifier: GPL-2.0-or-later
# One start function per daemon: launch it in its namespace, wait until it
# answers. cluster_up (lifecycle.sh) calls them in dependency order.

ENTER_HOST="$HERE/lib/enter-host"

start_munged() {
    mkdir -p "$DIR/run/munge"
    chown munge:munge "$DIR/run/munge"
    # in the head namespace like every daemon, so that `down` finds it even
    # without its pid file; its socket is a path, reachable from anywhere
    spawn munged nsenter --net="/run/netns/$NS_HEAD" setpriv --reuid=munge --regid=munge --clear-groups \
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
        "CREATE DATABASE slurm_acct_db; CREATE USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
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

start_slurmd() {
    local i=$1
    spawn "slurmd$i" nsenter --net="/run/netns/${NS_NODES[$((i - 1))]}" \
        unshare --uts --mount --propagation private -- \
        "$ENTER_HOST" "${NODES[$((i - 1))]}" "$DIR/etc/hosts" \
        slurmd -D -N "${NODES[$((i - 1))]}" -f "$SLURM_CONF_PATH"
}

start_slurmds() {
    local i
    for i in $(seq 1 $NODE_COUNT); do start_slurmd "$i"; done
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
        slurmrestd -a rest_auth/jwt -s "$(restd_plugins)" \
        -u "$REST_USER" -g "$REST_USER" "unix:$REST_SOCKET"
    wait_for 20 "slurmrestd ping" rest_ping
}

# slurmdbd's REST plugin only where there is a slurmdbd; from 23.11 the
# openapi plugins are per daemon, each serving every data_parser version
restd_plugins() {
    local ctld=openapi/v0.0.38 dbd=openapi/dbv0.0.38
    if [ "$(slurm_release)" -ge 231100 ]; then ctld=openapi/slurmctld dbd=openapi/slurmdbd; fi
    if [ "${OPT_NO_ACCOUNTING:-0}" = 1 ]; then echo "$ctld"; else echo "$ctld,$dbd"; fi
}

rest_ping() {
    local tok
    tok=$(in_head scontrol token username=octouser lifespan=60 | sed -n 's/^SLURM_JWT=//p')
    [ -n "$tok" ] || return 1
    curl -sf --unix-socket "$REST_SOCKET" -H "X-SLURM-USER-NAME: octouser" \
        -H "X-SLURM-USER-TOKEN: $tok" http://localhost/slurm/$(slurm_rest_version)/ping | rest_ping_up
}
