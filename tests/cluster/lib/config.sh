# SPDX-License-Identifier: GPL-2.0-or-later
# Configuration: parse `up` options and render the templates into $DIR/etc.

SYSTEM_PLUGIN_DIR=""

parse_up_options() {
    OPT_SLURM_EXTRA=${OCTO_SLURM_CONF_EXTRA:-}
    OPT_GRES_CONF=${OCTO_GRES_CONF:-}
    OPT_NODE_GRES=${OCTO_NODE_GRES:-}
    OPT_GRES_TYPES=${OCTO_GRES_TYPES:-}
    OPT_PLUGSTACK=${OCTO_PLUGSTACK_CONF:-}
    OPT_CGROUP_EXTRA=${OCTO_CGROUP_CONF_EXTRA:-}
    OPT_PLUGIN_DIRS=${OCTO_PLUGIN_DIRS:-}
    OPT_FAKE_GPUS=${OCTO_FAKE_GPUS:-0}
    OPT_ETC_FILES=()
    OPT_FAKE_DEVICES=${OCTO_FAKE_DEVICES:-0}
    OPT_NODE_SOCKETS=${OCTO_NODE_SOCKETS:-1}
    OPT_NO_ACCOUNTING=${OCTO_NO_ACCOUNTING:-0}
    while [ $# -gt 0 ]; do
        case "$1" in
            --slurm-conf-extra)  OPT_SLURM_EXTRA=$2; shift 2 ;;
            --gres-conf)         OPT_GRES_CONF=$2; shift 2 ;;
            --node-gres)         OPT_NODE_GRES=$2; shift 2 ;;
            --gres-types)        OPT_GRES_TYPES=$2; shift 2 ;;
            --plugstack)         OPT_PLUGSTACK=$2; shift 2 ;;
            --cgroup-conf-extra) OPT_CGROUP_EXTRA=$2; shift 2 ;;
            --plugin-dir)        OPT_PLUGIN_DIRS=${OPT_PLUGIN_DIRS:+$OPT_PLUGIN_DIRS:}$(realpath "$2"); shift 2 ;;
            --fake-gpus)         OPT_FAKE_GPUS=1; shift ;;
            --etc-file)          OPT_ETC_FILES+=("$2"); shift 2 ;;
            --fake-devices)      OPT_FAKE_DEVICES=$2; shift 2 ;;
            --node-sockets)      OPT_NODE_SOCKETS=$2; shift 2 ;;
            --no-accounting)     OPT_NO_ACCOUNTING=1; shift ;;
            *) die "unknown option for up: $1 (see cluster --help)" ;;
        esac
    done
    local f
    for f in "$OPT_SLURM_EXTRA" "$OPT_GRES_CONF" "$OPT_PLUGSTACK" "$OPT_CGROUP_EXTRA" ${OPT_ETC_FILES[@]+"${OPT_ETC_FILES[@]}"}; do
        [ -z "$f" ] || [ -r "$f" ] || die "cannot read $f"
    done
}

find_system_plugin_dir() {
    local d
    for d in ${OCTO_SLURM_PREFIX:+$OCTO_SLURM_PREFIX/lib/slurm} /usr/lib/*/slurm-wlm /usr/lib/slurm-wlm /usr/lib64/slurm /usr/lib/slurm; do
        if [ -f "$d/libslurmfull.so" ]; then
            SYSTEM_PLUGIN_DIR=$d
            return 0
        fi
    done
    die "Slurm plugin directory not found: run scripts/install-deps"
}

# Substitute @NAME@ tokens from the variables named in the argument list.
render() {
    local src=$1 dst=$2; shift 2
    local expr=() kv
    for kv in "$@"; do
        expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
    done
    sed "${expr[@]}" "$src" > "$dst"
}

# Fake GPUs are clones of /dev/full, zero, random and urandom: an allowed open
# really succeeds and a denied one fails with EPERM (an unused major would
# give ENXIO either way). Only clusters that ask for them get them, because
# ConstrainDevices then denies those four devices to jobs without the GPU.
# More than four (--fake-devices N, N <= 8) reuse those four device numbers:
# fine for GRES that are only counted and bound, not for jobs that launch
# steps with one twin allocated: the job cgroup denies the other twin, which
# is the same device, so the step's allow fails and srun gets "could not execve".
make_fake_gpus() {
    local n=${1:-4} minors=(7 5 8 9) i
    mkdir -p "$DIR/dev"
    for ((i = 0; i < n; i++)); do
        [ -e "$DIR/dev/fake$i" ] || mknod -m 0666 "$DIR/dev/fake$i" c 1 "${minors[$((i % 4))]}"
    done
}

write_configs() {
    local plugindir node_gres gres_types node_lines="" i
    find_system_plugin_dir
    plugindir=${OPT_PLUGIN_DIRS:+$OPT_PLUGIN_DIRS:}$SYSTEM_PLUGIN_DIR

    node_gres=$OPT_NODE_GRES
    gres_types=$OPT_GRES_TYPES
    [[ "$OPT_FAKE_DEVICES" =~ ^[0-8]$ ]] || die "--fake-devices takes 0 to 8"
    [ "$OPT_FAKE_DEVICES" = 0 ] || make_fake_gpus "$OPT_FAKE_DEVICES"
    if [ "$OPT_FAKE_GPUS" = 1 ]; then
        make_fake_gpus 4
        node_gres=${node_gres:+$node_gres,}gpu:4
    fi
    if [ -z "$gres_types" ] && [ -n "$node_gres" ]; then
        gres_types=$(echo "$node_gres" | tr ',' '\n' | cut -d: -f1 | sort -u | paste -sd, -)
    fi
    # two CPUs per node either way: 1 socket of 2 cores, or 2 sockets of 1
    [[ "$OPT_NODE_SOCKETS" =~ ^[12]$ ]] || die "--node-sockets takes 1 or 2"
    for i in $(seq 1 $NODE_COUNT); do
        node_lines+="NodeName=${NODES[$((i - 1))]} NodeAddr=$(node_addr "$i") CPUs=2 Boards=1 SocketsPerBoard=$OPT_NODE_SOCKETS CoresPerSocket=$((2 / OPT_NODE_SOCKETS)) ThreadsPerCore=1 RealMemory=1000${node_gres:+ Gres=$node_gres} State=UNKNOWN\\n"
    done

    local t=$HERE/templates accounting
    if [ "$OPT_NO_ACCOUNTING" = 1 ]; then
        accounting="AccountingStorageType=accounting_storage/none"
    else
        # the munge socket for slurmdbd connections is named by
        # AccountingStoragePass, not by AuthInfo
        accounting="AccountingStorageType=accounting_storage/slurmdbd\\nAccountingStorageHost=localhost\\nAccountingStoragePort=6819\\nAccountingStoragePass=$DIR/run/munge/munge.socket\\nAccountingStorageEnforce=associations,limits,safe"
    fi
    render "$t/slurm.conf.in" "$DIR/etc/slurm.conf" \
        INST="$INSTANCE" CLUSTER="$CLUSTER" HEAD="$HEAD" HEAD_ADDR="$HEAD_ADDR" SLURM_USER="$SLURM_USER" \
        DIR="$DIR" PLUGINDIR="$plugindir" ACCOUNTING_LINES="$accounting" \
        GRES_TYPES_LINE="${gres_types:+GresTypes=$gres_types}" NODE_LINES="$node_lines"
    if [ -n "$OPT_SLURM_EXTRA" ]; then
        { echo "# --- from $OPT_SLURM_EXTRA"; sed "s|@DIR@|$DIR|g" "$OPT_SLURM_EXTRA"; } >> "$DIR/etc/slurm.conf"
    fi

    render "$t/slurmdbd.conf.in" "$DIR/etc/slurmdbd.conf" \
        INST="$INSTANCE" DIR="$DIR" DBPASS="$DB_PASS" PLUGINDIR="$SYSTEM_PLUGIN_DIR" SLURM_USER="$SLURM_USER"
    # slurmdbd insists: owned by SlurmUser, readable by nobody else
    chown "$SLURM_USER:" "$DIR/etc/slurmdbd.conf"
    chmod 600 "$DIR/etc/slurmdbd.conf"

    render "$t/cgroup.conf.in" "$DIR/etc/cgroup.conf" INST="$INSTANCE"
    [ -z "$OPT_CGROUP_EXTRA" ] || cat "$OPT_CGROUP_EXTRA" >> "$DIR/etc/cgroup.conf"

    : > "$DIR/etc/gres.conf"
    if [ "$OPT_FAKE_GPUS" = 1 ]; then
        echo "Name=gpu File=$DIR/dev/fake[0-3]" >> "$DIR/etc/gres.conf"
    fi
    [ -z "$OPT_GRES_CONF" ] || sed "s|@DIR@|$DIR|g" "$OPT_GRES_CONF" >> "$DIR/etc/gres.conf"

    if [ -n "$OPT_PLUGSTACK" ]; then
        sed "s|@DIR@|$DIR|g" "$OPT_PLUGSTACK" > "$DIR/etc/plugstack.conf"
    else
        : > "$DIR/etc/plugstack.conf"
    fi

    # Extra files beside slurm.conf (e.g. octopus.conf), readable by all
    # like the rest of the Slurm configuration.
    for f in ${OPT_ETC_FILES[@]+"${OPT_ETC_FILES[@]}"}; do
        sed "s|@DIR@|$DIR|g" "$f" > "$DIR/etc/$(basename "$f")"
        chmod 644 "$DIR/etc/$(basename "$f")"
    done

    # Node names resolve inside every daemon's mount namespace (bind-mounted
    # over /etc/hosts there); the machine's /etc/hosts is not touched.
    {
        echo "127.0.0.1 localhost"
        echo "$HEAD_ADDR $HEAD"
        for i in $(seq 1 $NODE_COUNT); do
            echo "$(node_addr "$i") ${NODES[$((i - 1))]}"
        done
    } > "$DIR/etc/hosts"
}

write_keys() {
    # munged insists on a key readable only by its own user.
    dd if=/dev/urandom bs=1024 count=1 of="$DIR/etc/munge.key" status=none
    chown munge:munge "$DIR/etc/munge.key"
    chmod 400 "$DIR/etc/munge.key"
    # only slurmctld and slurmdbd (SlurmUser) read the JWT signing key
    dd if=/dev/urandom bs=32 count=1 of="$DIR/etc/jwt_hs256.key" status=none
    chown "$SLURM_USER:" "$DIR/etc/jwt_hs256.key"
    chmod 600 "$DIR/etc/jwt_hs256.key"
    DB_PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
}
