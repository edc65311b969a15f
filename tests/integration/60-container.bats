#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# spank_container in real slurmstepd: srun/sbatch --container-image with OCI
# image layouts built by tests/images/make-oci-layout (busybox-static, two
# layers, a whiteout, a setuid file). Own cluster instance, so the plugin
# (which must be last in plugstack.conf) does not touch the other tests.
load helpers

CT=${OCTO_CT_INSTANCE:-${OCTO_CLUSTER_INSTANCE:0:5}ct}
CTDIR=$("$CLUSTER_TOOL" -i "$CT" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')
CTNS=$("$CLUSTER_TOOL" -i "$CT" env | sed -n 's/^export OCTO_CLUSTER_NETNS=//p')
REG=10.77.0.1:5000      # a local registry on the cluster's bridge (the head namespace)
PRIV=10.77.0.1:5001     # the same, with a login (htpasswd)
TOK=10.77.0.1:5002      # the same, with bearer tokens from a token service on :5003

setup_file() {
    local plugstack
    plugstack=$(mktemp)
    echo "required $OCTO_STAGE_PLUGINDIR/spank_container.so cache_dir=$CTDIR/containers runtime_dir=$CTDIR/ctrun volume_root=$CTDIR/volumes plain_http_registries=$REG,$PRIV,$TOK,10.77.0.1:5003,10.77.0.1:5999 allow_registries=$REG,$PRIV,$TOK,10.77.0.1:5999 hooks_dir=$CTDIR/hooks entrypoint_helper=$OCTO_STAGE_PREFIX/libexec/octopus-slurm/octopus-entrypoint" > "$plugstack"
    "$CLUSTER_TOOL" -i "$CT" up --plugstack "$plugstack" >&3 2>&1
    rm -f "$plugstack"
    export OCTO_CT_INSTANCE=$CT OCTO_CLUSTER_INSTANCE=$CT
    eval "$("$CLUSTER_TOOL" -i "$CT" env)"
    export OCTO_CLUSTER_DIR
    # site hooks: run as root in the container's namespace before it starts
    mkdir -p "$CTDIR/hooks"
    cat > "$CTDIR/hooks/10-mark" <<'HOOK'
#!/bin/sh
echo "job=$SLURM_JOB_ID ld=${LD_PRELOAD:-none} rootfs=$([ "$1" = "$OCTOPUS_ROOTFS" ] && echo arg) oom=$(cat /proc/self/oom_score_adj)" > "$OCTOPUS_ROOTFS/etc/hooked"
# a chatty hook (driver tools in debug mode) must not stall the step
[ "$SLURM_JOB_NAME" != chatty ] || head -c 300000 /dev/zero | tr '\0' x
HOOK
    cat > "$CTDIR/hooks/15-bind" <<'HOOK'
#!/bin/sh
# what a driver hook does: bind a host file into the image
touch "$OCTOPUS_ROOTFS/etc/host-os-release" && mount --bind -o ro /etc/os-release "$OCTOPUS_ROOTFS/etc/host-os-release"
HOOK
    cat > "$CTDIR/hooks/20-fail" <<'HOOK'
#!/bin/sh
[ "$SLURM_JOB_NAME" = hookfail ] || exit 0
echo "driver library missing on this node"
exit 3
HOOK
    # hooks that never end: one sleeps with SIGTERM and SIGALRM ignored,
    # one leaves a background child holding its output
    cat > "$CTDIR/hooks/25-stuck" <<'HOOK'
#!/bin/bash
[ "$SLURM_JOB_NAME" = hookstuck ] || exit 0
trap '' TERM ALRM
echo "waiting for the device to settle"
exec sleep 600
HOOK
    cat > "$CTDIR/hooks/26-daemon" <<'HOOK'
#!/bin/sh
[ "$SLURM_JOB_NAME" = hookdaemon ] || exit 0
(sleep 602 &)
echo "started the helper daemon"
HOOK
    # what a hook hands the tasks: NAME=VALUE lines in $OCTOPUS_ENVIRON
    cat > "$CTDIR/hooks/30-environ" <<'HOOK'
#!/bin/sh
case $SLURM_JOB_NAME in
    hookenv) grep -c ^OCTO_IMAGE=busybox "$OCTOPUS_ENVIRON" > /dev/null || exit 4
             printf '%s\n' 'FROM_HOOK=task ${SLURM_PROCID} of ${SLURM_NTASKS} $HOME ${HOME}' 'OCTO_IMAGE=changed' >> "$OCTOPUS_ENVIRON" ;;
    hookenvbad) printf 'GOOD=1\nno equals sign here\n' >> "$OCTOPUS_ENVIRON" ;;
esac
exit 0
HOOK
    # the shipped PyTorch hook, installed as a site would
    install -m 0755 "$BATS_TEST_DIRNAME/../../contrib/container-hooks/50-slurm-pytorch" "$CTDIR/hooks/"
    echo "not a hook" > "$CTDIR/hooks/README"
    chmod 755 "$CTDIR/hooks" "$CTDIR/hooks"/[0-9]*
    mkdir -p "$CTDIR/images" "$CTDIR/volumes"
    chmod 755 "$CTDIR/images"
    export IMG=$CTDIR/images/busybox
    "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$IMG" >&3
    # the same layers, with an Env that says PyTorch is inside
    export PTIMG=$CTDIR/images/pytorch
    IMAGE_ENV=PYTORCH_VERSION=2.5.1 "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$PTIMG" >&3
    # Debian's docker-registry (distribution v2), plain HTTP on the bridge only
    mkdir -p "$CTDIR/registry"
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$CTDIR/registry/data" "$REG" > "$CTDIR/registry/config.yml"
    setsid nsenter --net="/run/netns/$CTNS" docker-registry serve "$CTDIR/registry/config.yml" \
        > "$CTDIR/log/registry.log" 2>&1 < /dev/null &
    echo $! > "$CTDIR/registry/pid"
    htpasswd -Bbn alice s3cret > "$CTDIR/registry/htpasswd"
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nauth:\n  htpasswd:\n    realm: octotest\n    path: %s\n' \
        "$CTDIR/registry/private" "$PRIV" "$CTDIR/registry/htpasswd" > "$CTDIR/registry/private.yml"
    setsid nsenter --net="/run/netns/$CTNS" docker-registry serve "$CTDIR/registry/private.yml" \
        > "$CTDIR/log/registry-private.log" 2>&1 < /dev/null &
    echo $! > "$CTDIR/registry/private.pid"
    # bearer tokens, as Docker Hub and Harbor hand them out: a token service signs JWTs
    # with a key whose certificate the registry trusts
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=octo-token \
        -keyout "$CTDIR/registry/token.key" -out "$CTDIR/registry/token.crt" 2>/dev/null
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nauth:\n  token:\n    realm: http://10.77.0.1:5003/token\n    service: octo-registry\n    issuer: octo-token\n    rootcertbundle: %s\n' \
        "$CTDIR/registry/tokened" "$TOK" "$CTDIR/registry/token.crt" > "$CTDIR/registry/tokened.yml"
    setsid nsenter --net="/run/netns/$CTNS" docker-registry serve "$CTDIR/registry/tokened.yml" \
        > "$CTDIR/log/registry-tokened.log" 2>&1 < /dev/null &
    echo $! > "$CTDIR/registry/tokened.pid"
    setsid nsenter --net="/run/netns/$CTNS" "$BATS_TEST_DIRNAME/../images/registry-token-server" 10.77.0.1:5003 \
        "$CTDIR/registry/token.key" "$CTDIR/registry/token.crt" alice:s3cret \
        > "$CTDIR/log/token-server.log" 2>&1 < /dev/null &
    echo $! > "$CTDIR/registry/token-server.pid"
    wait_until 20 nsenter --net="/run/netns/$CTNS" curl -sf "http://$REG/v2/"
    wait_until 20 nsenter --net="/run/netns/$CTNS" curl -sf -u alice:s3cret "http://$PRIV/v2/"
    wait_until 20 nsenter --net="/run/netns/$CTNS" sh -c "curl -s -o /dev/null -w '%{http_code}' http://$TOK/v2/ | grep -q 401"
    wait_until 20 nsenter --net="/run/netns/$CTNS" curl -sf "http://10.77.0.1:5003/token?service=octo-registry"
    for repo in public/busybox team/busybox; do
        nsenter --net="/run/netns/$CTNS" skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret \
            "oci:$IMG:latest" "docker://$TOK/$repo:latest" >&3 2>&1
    done
    nsenter --net="/run/netns/$CTNS" skopeo copy -q --dest-tls-verify=false "oci:$IMG:latest" \
        "docker://$REG/test/busybox:latest" >&3 2>&1
    nsenter --net="/run/netns/$CTNS" skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret \
        "oci:$IMG:latest" "docker://$PRIV/private/busybox:latest" >&3 2>&1
    export WORK
    WORK=$(job_dir octouser)
    # an enroot-style squashfs image: the root tree itself, the Env in /etc/environment
    local sq=$CTDIR/images/sqroot
    mkdir -p "$sq/bin" "$sq/etc" "$sq/srv" "$sq/tmp"
    cp /bin/busybox "$sq/bin/busybox"
    for a in sh cat echo env id ls pwd touch mkdir rm test true stat; do ln -s busybox "$sq/bin/$a"; done
    printf 'NAME="octopus squashfs image"\nID=octosquash\n' > "$sq/etc/os-release"
    printf 'PATH=/bin:/usr/bin\nSQSH_VAR="a quoted value"\n' > "$sq/etc/environment"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$sq/etc/passwd"
    export SQSH=$CTDIR/images/busybox.sqsh
    mksquashfs "$sq" "$SQSH" -all-root -noappend -quiet -no-progress >&3
    chmod 644 "$SQSH"
    cp "$SQSH" "$WORK/mine.sqsh" && chown octouser: "$WORK/mine.sqsh"
}

teardown_file() {
    [ ! -f "$CTDIR/registry/pid" ] || kill "$(cat "$CTDIR/registry/pid")" 2>/dev/null || true
    for p in private tokened token-server; do
        [ ! -f "$CTDIR/registry/$p.pid" ] || kill "$(cat "$CTDIR/registry/$p.pid")" 2>/dev/null || true
    done
    rm -f "$(getent passwd octouser | cut -d: -f6)/.config/containers/auth.json"
    [ -z "${CTDIR:-}" ] || [ ! -d "$CTDIR" ] || "$CLUSTER_TOOL" -i "$CT" down >&3 2>&1
}

crun() { as_user octouser sh -c "cd '$WORK' && srun $*"; }
# csnip 'SRUN OPTIONS' 'SHELL SNIPPET' [VAR=VALUE...]: the snippet runs in the
# container; it rides in the environment, so it needs no quoting through three shells
csnip() { local o=$1 s=$2; shift 2; as_user octouser env "$@" SNIP="$s" sh -c "cd '$WORK' && srun $o sh -c 'eval \"\$SNIP\"'"; }

# site_settings KEY=VALUE...: add plugstack.conf arguments for one test.
# srun and each new slurmstepd read the file afresh; teardown puts it back.
site_settings() {
    [ -f "$CTDIR/etc/plugstack.conf.orig" ] || cp "$CTDIR/etc/plugstack.conf" "$CTDIR/etc/plugstack.conf.orig"
    sed -i "s|\$| $*|" "$CTDIR/etc/plugstack.conf"
}
teardown() {
    [ ! -f "$CTDIR/etc/plugstack.conf.orig" ] || mv "$CTDIR/etc/plugstack.conf.orig" "$CTDIR/etc/plugstack.conf"
    local mod=$OCTO_STAGE_PLUGINDIR/octopus/image_fetch.so
    [ ! -f "$mod.away" ] || mv "$mod.away" "$mod"
}
running_job() { [ "$(job_state "$1")" = RUNNING ]; }
pending_job() { [ "$(job_state "$1")" = PENDING ]; }

@test "srun --container-image runs the task in the image's root, as the user" {
    run crun --container-image=oci:$IMG sh -c "'. /etc/os-release; echo \$ID; id -u; cat /etc/layer2'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = octobusy ]
    [ "${lines[1]}" = "$(id -u octouser)" ]
    [ "${lines[2]}" = "from layer 2" ]
    # the host's root is not there: the harness's own tree is invisible
    run crun --container-image=oci:$IMG test -e /usr/bin/slurmd
    [ "$status" -ne 0 ]
    # the node's log has the per-phase timings
    grep -q "octopus container: .* oci:$IMG on .*: 2 layer(s)" "$CTDIR"/log/slurmd-*.log
}

@test "the user and their group exist inside the image" {
    run crun --container-image=oci:$IMG sh -c "'id -un; id -gn; grep -c ^root: /etc/passwd'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = octouser ]
    [ "${lines[1]}" = "$(id -gn octouser)" ]
    [ "${lines[2]}" = 1 ]       # the image's own entries are kept
    # read-only: the image has /etc/passwd (bound over), no /etc/group (left alone)
    run crun --container-image=oci:$IMG --container-readonly sh -c "'id -un; touch /x 2>&1 || echo read-only'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = octouser ]
    [[ "$output" == *read-only* ]]
}

@test "docker:// images come from a registry, by tag or pinned digest" {
    run crun --container-image=docker://$REG/test/busybox:latest sh -c "'. /etc/os-release; echo \$ID; cat /etc/layer2'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = octobusy ]
    [ "${lines[1]}" = "from layer 2" ]
    # the same layers as the OCI layout: nothing new to unpack
    grep -q "docker://$REG/test/busybox:latest pinned to sha256:.* on .*2 layer(s), 0 unpacked" "$CTDIR"/log/slurmd-*.log
    digest=$(jq -r '.manifests[0].digest' "$IMG/index.json")
    run crun --container-image=$REG/test/busybox@$digest true
    [ "$status" -eq 0 ]
    run crun --container-image=$REG/test/busybox@sha256:$(printf '%064d' 0) true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container $REG/test/busybox@sha256:"*"HTTP 404"* ]]
}

@test "oci-archive: images, read as the user" {
    tar -C "$IMG" -cf "$CTDIR/images/busybox.tar" .
    chmod 644 "$CTDIR/images/busybox.tar"
    run crun --container-image=oci-archive:$CTDIR/images/busybox.tar:latest cat /etc/layer2
    [ "$status" -eq 0 ]
    [ "$output" = "from layer 2" ]
    chmod 600 "$CTDIR/images/busybox.tar"
    run crun --container-image=oci-archive:$CTDIR/images/busybox.tar true
    [ "$status" -ne 0 ]
    [[ "$output" == *"$CTDIR/images/busybox.tar: Permission denied"* ]]
    [ -z "$(ls -A "$CTDIR/containers/tmp")" ]
}

@test "srun resolves the tag once: every node of the step starts the same digest" {
    # a tag of its own, so the log lines are this test's
    nsenter --net="/run/netns/$CTNS" skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$REG/test/busybox:latest" "docker://$REG/test/busybox:pin"
    want=$(nsenter --net="/run/netns/$CTNS" curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$REG/v2/test/busybox/manifests/pin" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
    [ -n "$want" ]
    run crun -N3 -n3 --container-image=docker://$REG/test/busybox:pin true
    [ "$status" -eq 0 ]
    run sh -c "grep -h 'docker://$REG/test/busybox:pin pinned to' '$CTDIR'/log/slurmd-*.log | sed 's/.*pinned to \([^ ]*\).*/\1/' | sort | uniq -c"
    [ "$(echo "$output" | wc -l)" -eq 1 ]
    [[ "$output" == *" 3 $want" ]]
}

@test "private images: the user's own login is used, read with the user's rights" {
    home=$(getent passwd octouser | cut -d: -f6)
    install -d -o octouser -g octouser -m 700 "$home/.config" "$home/.config/containers"
    printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$PRIV" "$(printf alice:s3cret | base64)" > "$home/.config/containers/auth.json"
    chown octouser: "$home/.config/containers/auth.json"
    chmod 600 "$home/.config/containers/auth.json"
    run crun --container-image=docker://$PRIV/private/busybox:latest sh -c "'. /etc/os-release; echo \$ID'"
    [ "$status" -eq 0 ]
    [ "$output" = octobusy ]
    # another user has no login, and cannot borrow this one
    run as_user octouser2 sh -c "cd /tmp && srun --container-image=docker://$PRIV/private/busybox:latest true"
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container docker://$PRIV/private/busybox:latest: $PRIV needs a login: \`podman login\` or \`skopeo login\` it"* ]]
    refute grep -rq s3cret "$CTDIR/log/"
}

@test "bearer tokens: anonymous pulls of public images, the user's login for private ones" {
    # octouser2 has no login: the token service grants anonymous pulls of public/ only
    run as_user octouser2 sh -c "cd /tmp && srun --container-image=docker://$TOK/public/busybox:latest cat /etc/layer2"
    [ "$status" -eq 0 ]
    [ "$output" = "from layer 2" ]
    grep -q "token user=- scope=repository:public/busybox:pull granted=pull" "$CTDIR/log/token-server.log"
    run as_user octouser2 sh -c "cd /tmp && srun --container-image=docker://$TOK/team/busybox:latest true"
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container docker://$TOK/team/busybox:latest: "*"access denied"* ]]
    # octouser logs in to it: the token service sees alice
    home=$(getent passwd octouser | cut -d: -f6)
    printf '{"auths": {"%s": {"auth": "%s"}, "%s": {"auth": "%s"}}}\n' "$PRIV" "$(printf alice:s3cret | base64)" \
        "$TOK" "$(printf alice:s3cret | base64)" > "$home/.config/containers/auth.json"
    run crun --container-image=docker://$TOK/team/busybox:latest cat /etc/layer2
    [ "$status" -eq 0 ]
    [ "$output" = "from layer 2" ]
    grep -q "token user=alice scope=repository:team/busybox:pull granted=pull" "$CTDIR/log/token-server.log"
    # a token service on plain HTTP the site did not list would see the login: refused
    site_settings plain_http_registries=$REG,$PRIV,$TOK
    run crun --container-image=docker://$TOK/team/busybox:latest true
    [ "$status" -ne 0 ]
    [[ "$output" == *"the registry's token service http://10.77.0.1:5003/token is plain HTTP and 10.77.0.1:5003 is not in plain_http_registries=: refusing to use it"* ]]
}

@test "registry errors come back as one line: unknown tag, unreachable, not allowed" {
    run crun --container-image=docker://$REG/test/busybox:nope true
    [ "$status" -ne 0 ]
    [[ "$output" == *"$REG/test/busybox:nope: not found (check the name and tag) (HTTP 404)"* ]]
    run crun --container-image=docker://10.77.0.1:5999/test/busybox true
    [ "$status" -ne 0 ]
    # libcurl's own words: "Couldn't" up to 8.x on Debian 12, "Could not" on Debian 13
    [[ "$output" =~ Could(n\'t|\ not)\ connect\ to\ server ]]
    run crun --container-image=docker://registry.example.org/x/y true
    [ "$status" -ne 0 ]
    [[ "$output" == *"registry registry.example.org is not allowed on this cluster (allowed: $REG,$PRIV,$TOK,10.77.0.1:5999)"* ]]
}

@test "srun -N3 -n6: every task on every node is in the image" {
    run crun -N3 -n6 --container-image=oci:$IMG sh -c "'. /etc/os-release; echo \$ID \$SLURM_PROCID'"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c '^octobusy [0-5]$')" -eq 6 ]
}

@test "layers stack in order: the upper layer's whiteout hides a lower file" {
    run crun --container-image=oci:$IMG sh -c "'test -e /usr/share/doomed && echo present || echo hidden'"
    [ "$output" = hidden ]
}

@test "a setuid binary in the image gives no privilege" {
    # the layer had it 4755: the bit is gone, and the root is nosuid anyway
    run crun --container-image=oci:$IMG sh -c "'stat -c %a /bin/busybox.suid; grep \" / / \" /proc/self/mountinfo'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 755 ]
    [[ "${lines[1]}" == *" / / "*nosuid*nodev*" - overlay "* ]]
}

@test "tasks start in the image's WorkingDir with home mounted (Pyxis); workdir=submit binds the submit directory" {
    run crun --container-image=oci:$IMG sh -c "'echo \$OCTO_IMAGE; pwd; test -d \$HOME && echo home'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = busybox ]
    [ "${lines[1]}" = /srv ]
    [ "${lines[2]}" = home ]
    site_settings workdir=submit
    run crun --container-image=oci:$IMG sh -c "'pwd; echo written > inside.txt'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$WORK" ]
    [ "$(cat "$WORK/inside.txt")" = written ]
    [ "$(stat -c %U "$WORK/inside.txt")" = octouser ]
}

@test "--container-env keeps the job's value; --container-workdir sets the directory" {
    run as_user octouser sh -c "cd '$WORK' && OCTO_IMAGE=mine srun --container-image=oci:$IMG --container-env=OCTO_IMAGE --container-workdir=/srv sh -c 'echo \$OCTO_IMAGE; pwd'"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = mine ]
    [ "${lines[1]}" = /srv ]
}

@test "sbatch --container-image runs the batch script in the image" {
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o "$WORK/batch.out" --container-image=oci:$IMG \
        --wrap '. /etc/os-release; echo batch $ID; cat /etc/layer2')
    wait_until 60 job_done "$id"
    [ "$(head -n1 "$WORK/batch.out")" = "batch octobusy" ]
    grep -q "from layer 2" "$WORK/batch.out"
}

@test "a user cannot mount what they cannot read" {
    run crun --container-image=oci:$IMG --container-mounts=/etc/shadow:/x cat /x
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container oci:$IMG: /etc/shadow: Permission denied"* ]]
    run crun --container-image=oci:$IMG --container-mounts=$WORK:/data:ro sh -c "'ls /data >/dev/null && touch /data/x'"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Read-only file system"* ]]
}

@test "named volumes persist across jobs" {
    run crun --container-image=oci:$IMG --container-mounts=vol:scratch:/scratch sh -c "'echo kept > /scratch/f'"
    [ "$status" -eq 0 ]
    run crun --container-image=oci:$IMG --container-mounts=vol:scratch:/scratch cat /scratch/f
    [ "$output" = kept ]
    [ "$(stat -c %U "$CTDIR/volumes/octouser/scratch")" = octouser ]
}

@test "bad input: a clear line before anything runs, or on the task's stderr" {
    run crun --container-image=oci:relative true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: --container-image=oci: needs an absolute path"* ]]
    run crun --container-image=oci:$IMG --container-mounts=data:/data true
    [ "$status" -ne 0 ]
    [[ "$output" == *"source 'data' must be an absolute path"* ]]
    run crun --container-image=oci:$CTDIR/images/none true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container oci:$CTDIR/images/none: $CTDIR/images/none/index.json: No such file or directory"* ]]
}

@test "three nodes starting a new image at once unpack each layer once" {
    img2=$CTDIR/images/busybox-v2
    # the same base layer, a new top layer: one layer nobody has unpacked yet
    LAYER2_TEXT="v2 $RANDOM" "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$img2" v2 >/dev/null
    run crun -N3 -n3 --container-image=oci:$img2:v2 cat /etc/layer2
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c '^v2 ')" -eq 3 ]
    [ "$(grep -h "oci:$img2:v2 on" "$CTDIR"/log/slurmd-*.log | wc -l)" -eq 3 ]
    total=$(grep -h "oci:$img2:v2 on" "$CTDIR"/log/slurmd-*.log | sed -n 's/.* \([0-9]*\) unpacked.*/\1/p' |
        awk '{ s += $1 } END { print s + 0 }')
    [ "$total" -eq 1 ]
}

@test "malicious layers are refused and the host is untouched" {
    evil=$CTDIR/evil
    mkdir -p "$evil"
    chmod 777 "$evil"           # writable by anyone: exactly what an escape would aim at
    for kind in dotdot symlink hardlink; do
        "$BATS_TEST_DIRNAME/../images/make-evil-layout" "$CTDIR/images/evil-$kind" "$kind" "$evil"
        run crun --container-image=oci:$CTDIR/images/evil-$kind true
        [ "$status" -ne 0 ]
        case $kind in
            dotdot) [[ "$output" == *"'..' in the path would leave the layer"* ]] ;;
            symlink) [[ "$output" == *"'esc' is a symlink or not a directory"* ]] ;;
            hardlink) [[ "$output" == *"'..' in the path would leave the layer"* ]] ;;
        esac
    done
    [ -z "$(ls -A "$evil")" ]
    [ -z "$(ls -A "$CTDIR/containers/tmp")" ]      # no half-unpacked layer left behind
    # a device node in a layer is dropped, the rest of the layer is used
    "$BATS_TEST_DIRNAME/../images/make-evil-layout" "$CTDIR/images/evil-device" device
    run crun --container-image=oci:$CTDIR/images/evil-device --container-mounts=/bin/busybox:/bin/sh:ro /bin/sh -c "'read x < /bin/ok; echo \$x'"
    [ "$status" -eq 0 ]
    [ "$output" = ok ]
    # /dev in the container is the node's; the layer's own node never reached the cache
    find "$CTDIR/containers/layers" -type c -path '*/dev/mem' | refute grep -q .
}

@test "octopus-image-cache lists layers and prunes all but those in use" {
    cache() { "$OCTO_STAGE_PREFIX/bin/octopus-image-cache" --cache "$CTDIR/containers" "$@"; }
    run cache prune --keep 0
    [ "$status" -eq 0 ]
    [[ "$output" == *"0 layer(s), 0.0B left, 0 in use"* ]]
    # two images that share their base layer: three layers
    crun --container-image=oci:$IMG true
    crun --container-image=oci:$CTDIR/images/busybox-v2:v2 true
    run cache list
    [ "$status" -eq 0 ]
    [[ "$output" == *"3 layer(s)"*", 0 in use"* ]]
    # a running container holds its two layers
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o /dev/null --container-image=oci:$IMG --wrap 'sleep 60')
    wait_until 30 running_job "$id"
    wait_until 30 sh -c "'$OCTO_STAGE_PREFIX/bin/octopus-image-cache' --cache '$CTDIR/containers' list | grep -q ', 2 in use'"
    run cache prune --keep 0
    [ "$status" -eq 0 ]
    [[ "$output" == *"removed 1 layer(s)"*"2 layer(s)"*"left, 2 in use"* ]]
    cluster_exec -- scancel "$id"
    wait_until 30 job_done "$id"
    run cache prune --keep 0
    [[ "$output" == *"removed 2 layer(s)"*"0 layer(s)"* ]]
    # the next start unpacks again
    run crun --container-image=oci:$IMG cat /etc/layer2
    [ "$output" = "from layer 2" ]
}

@test "--container-name keeps the writable layer for later steps of the job, for one image" {
    cat > "$WORK/named.sh" <<EOF
#!/bin/sh
srun --container-image=oci:$IMG --container-name=work sh -c 'echo kept > /var/tmp/note'
srun --container-image=oci:$IMG --container-name=work cat /var/tmp/note
srun --container-image=oci:$IMG sh -c 'test -e /var/tmp/note && echo leaked || echo fresh'
srun --container-image=oci:$CTDIR/images/busybox-v2:v2 --container-name=work true 2>"$WORK/other-image.err"
EOF
    chmod 755 "$WORK/named.sh"
    # the steps' output apart from srun's own lines ("step creation temporarily disabled" when
    # a step starts while the one before is still ending)
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o "$WORK/named.out" -e "$WORK/named.err" "$WORK/named.sh")
    wait_until 90 job_done "$id"
    run cat "$WORK/named.out"
    [ "${lines[0]}" = kept ] || { echo "$output" >&3; cat "$WORK/named.err" >&3; return 1; }
    [ "${lines[1]}" = fresh ]
    # another image under the same name is refused
    grep -q "holds image" "$WORK/other-image.err" || { cat "$WORK/other-image.err" >&3; return 1; }
    # the epilog removed the kept layer with the job
    wait_until 20 sh -c "! ls -d '$CTDIR/ctrun/$id'.* 2>/dev/null | grep -q ."
}

@test "--container-name keeps a container made from a squashfs image; the file replaced since is refused" {
    cp "$SQSH" "$WORK/kept.sqsh" && cp "$SQSH" "$WORK/other.sqsh" && chown octouser: "$WORK/kept.sqsh" "$WORK/other.sqsh"
    cat > "$WORK/named-sq.sh" <<'EOF'
#!/bin/sh
srun -n1 --container-image=./kept.sqsh --container-name=sq sh -c 'echo kept-in-sq > /kept-note'
srun -n1 --container-name=sq sh -c 'cat /kept-note; echo "$SQSH_VAR"'
srun -n1 --container-image=./kept.sqsh --container-name=sq cat /kept-note
srun -n1 --container-image=./other.sqsh --container-name=sq true 2> other.err
rm -f ready
srun -n1 --overlap --container-name=sq --container-mounts=.:/w sh -c 'touch /w/ready; sleep 20' &
i=0; while [ ! -e ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
srun -n1 --overlap --container-name=sq:exec sh -c 'echo "joined $(cat /kept-note) $SQSH_VAR"'
kill %1 2>/dev/null; wait
cp kept.sqsh new.sqsh && mv new.sqsh kept.sqsh
srun -n1 --container-name=sq cat /kept-note 2> replaced.err || echo refused
srun -n1 --container-image=./kept.sqsh --container-name=sq:create sh -c 'cat /kept-note 2>/dev/null || echo fresh'
EOF
    chmod 755 "$WORK/named-sq.sh"
    id=$(as_user octouser sbatch --parsable -N1 -n2 -D "$WORK" -o "$WORK/named-sq.out" -e "$WORK/named-sq.err" "$WORK/named-sq.sh")
    wait_until 120 job_done "$id"
    run grep -v '^srun:' "$WORK/named-sq.out"
    # kept across steps, with or without --container-image, joined while it runs, with the
    # image's /etc/environment every time
    [ "$output" = "kept-in-sq"$'\n'"a quoted value"$'\n'"kept-in-sq"$'\n'"joined kept-in-sq a quoted value"$'\n'"refused"$'\n'"fresh" ] ||
        { echo "$output" >&3; cat "$WORK/named-sq.err" >&3; return 1; }
    # another squashfs file under the name, or the same path replaced by another file: refused, saying why
    grep -q "holds image" "$WORK/other.err" || { cat "$WORK/other.err" >&3; return 1; }
    grep -q "the squashfs image $WORK/kept.sqsh was replaced or changed since the container was made from it" \
        "$WORK/replaced.err" || { cat "$WORK/replaced.err" >&3; return 1; }
}

@test "srun --mpi=pmix: the PMIx server's directory and module choices are in the container" {
    run crun --mpi=pmix true
    if [ "$status" -ne 0 ]; then
        # a Slurm built without PMIx, or a node without its library (libpmix-dev)
        [[ "$output" == *"mpi/pmix"* || "$output" == *"Invalid MPI type"* ]] || { echo "$output" >&3; return 1; }
        skip "this Slurm cannot start PMIx steps: ${lines[0]}"
    fi
    # the test cluster's SlurmdSpoolDir is its own
    site_settings "pmix_dirs=$CTDIR/spool/%n/pmix.%j.%s,/tmp/spmix_appdir_%j.%s"
    run csnip "--mpi=pmix --container-image=oci:$IMG" 'd=${PMIX_SERVER_TMPDIR%/}; echo "$PMIX_MCA_gds=$PMIX_GDS_MODULE"; grep -c " $d " /proc/self/mountinfo; touch "$d/written" && echo writable'
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    # the module names a client of another PMIx release reads, taken from the server's
    [[ "${lines[0]}" =~ ^([a-z0-9,]+)=([a-z0-9,]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    # the server's directory (PMIx 4 keeps the stores its clients map there) is mounted at its
    # own path, writable by the user
    [ "${lines[1]}" -ge 1 ]
    [ "${lines[2]}" = writable ]
    # a step without PMIx gets no such mount
    run csnip "--container-image=oci:$IMG" 'echo "[${PMIX_SERVER_TMPDIR:-none}]"; grep -c "/pmix\." /proc/self/mountinfo || true'
    [ "$output" = "[none]"$'\n'"0" ]
}

@test "--container-writable is a root the user can write; --container-readonly is not; both at once is refused" {
    run csnip "--container-image=oci:$IMG --container-writable" 'touch /newfile && mkdir -p /opt/new && echo changed > /etc/layer2 && cat /etc/layer2 && stat -c %U /newfile /bin/busybox | tr "\n" " "; echo; id -un'
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    [ "${lines[0]}" = changed ]
    [ "${lines[1]}" = "octouser octouser " ]
    [ "${lines[2]}" = octouser ]
    # the node's layer cache is still root's, and unchanged
    [ -z "$(find "$CTDIR/containers" -user octouser -print -quit)" ]
    run crun --container-image=oci:$IMG cat /etc/layer2
    [ "$output" = "from layer 2" ]
    run crun --container-image=oci:$IMG --container-readonly touch /newfile
    [ "$status" -ne 0 ]
    [[ "$output" == *"Read-only file system"* ]]
    run crun --container-image=oci:$IMG --container-writable --container-readonly true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: both --container-writable and --container-readonly were given"* ]]
}

@test "--container-remap-root: root inside, able to install and mount there; the user outside" {
    home=$(getent passwd octouser | cut -d: -f6)
    uid=$(id -u octouser)   # not a fixed number: the Debian 13 root gives it another
    rm -f "$home/remapped.txt"
    run csnip "--container-image=oci:$IMG --container-remap-root" 'id -u; id -g; touch /rootfile && stat -c %u /rootfile; mkdir /mnt2 && mount -t tmpfs none /mnt2 && echo mounted; echo x > "$HOME/remapped.txt"; cat /proc/self/uid_map'
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = 0 ]
    [ "${lines[3]}" = mounted ]
    # one id mapped, the user's: root inside is the user everywhere else
    read -r inside outside count <<< "${lines[4]}"
    [ "$inside $outside $count" = "0 $uid 1" ]
    [ "$(stat -c %U "$home/remapped.txt")" = octouser ]
    rm -f "$home/remapped.txt"
    # a root-owned host directory mounted in stays root's: "root" cannot write it
    mkdir -p "$CTDIR/rootonly" && chmod 755 "$CTDIR/rootonly"
    run csnip "--container-image=oci:$IMG --container-remap-root --container-mounts=$CTDIR/rootonly:/ro" 'touch /ro/x'
    [ "$status" -ne 0 ]
    [ ! -e "$CTDIR/rootonly/x" ]
    # without it, the user is themself
    run crun --container-image=oci:$IMG id -u
    [ "$output" = "$uid" ]
    # the site default, and the user's way out of it
    site_settings remap_root=yes
    run crun --container-image=oci:$IMG id -u
    [ "$output" = 0 ]
    run crun --container-image=oci:$IMG --no-container-remap-root id -u
    [ "$output" = "$uid" ]
}

@test "the command line wins over OCTOPUS_/PYXIS_CONTAINER_* variables, even ones that say no" {
    run csnip "--container-image=oci:$IMG --container-writable" 'touch /newfile && echo wrote' OCTOPUS_CONTAINER_WRITABLE=0
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = wrote ]
    run csnip "--container-image=oci:$IMG --container-entrypoint" 'echo cmd' OCTOPUS_CONTAINER_ENTRYPOINT=0
    [ "${lines[0]}" = "entrypoint --via-entrypoint as octouser in /srv" ]
    run csnip "--container-image=oci:$IMG --container-mount-home" 'grep -c " $HOME " /proc/self/mountinfo; true' OCTOPUS_CONTAINER_MOUNT_HOME=no
    [ "${lines[-1]}" = 1 ]
    run csnip "--container-image=oci:$IMG" 'grep -c " $HOME " /proc/self/mountinfo; true' OCTOPUS_CONTAINER_MOUNT_HOME=no
    [ "${lines[-1]}" = 0 ]
    # scripts written for Pyxis keep working
    run csnip "" '. /etc/os-release; echo $ID; touch /x 2>&1; true' PYXIS_CONTAINER_IMAGE=oci:$IMG PYXIS_CONTAINER_READONLY=1
    [ "${lines[0]}" = octobusy ]
    [[ "${lines[1]}" == *"/x: Read-only file system" ]]
    run csnip "--container-writable" 'touch /x && echo wrote' PYXIS_CONTAINER_IMAGE=oci:$IMG PYXIS_CONTAINER_READONLY=1
    [ "${lines[-1]}" = wrote ]
}

@test "environment: the submit host's locale stays out, --container-env brings it; a listed variable the job lacks keeps the image's" {
    run csnip "--container-image=oci:$IMG" 'echo "${LANG-unset} ${LC_ALL-unset} ${LANGUAGE-unset}"' LANG=en_US.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en
    [ "$output" = "unset unset unset" ]
    run csnip "--container-image=oci:$IMG --container-env=LANG" 'echo "${LANG-unset}"' LANG=en_US.UTF-8
    [ "$output" = en_US.UTF-8 ]
    run csnip "--container-image=oci:$IMG --container-env=OCTO_IMAGE" 'echo "${OCTO_IMAGE-unset}"'
    [ "$output" = busybox ]
    run csnip "--container-image=oci:$IMG --container-env=OCTO_IMAGE" 'echo "${OCTO_IMAGE-unset}"' OCTO_IMAGE=mine
    [ "$output" = mine ]
    run crun --container-image=oci:$IMG --container-env=FOO, true
    [ "$status" -ne 0 ]
    [[ "$output" == *"--container-env: 'FOO,' ends with ','"* ]]
}

@test "the Entrypoint runs with the image's environment; the job's variables join in front of the command" {
    run csnip "--container-image=oci:$IMG --container-entrypoint" 'echo "cmd ${OCTO_JOBVAR-unset} $OCTO_IMAGE"' OCTO_JOBVAR=fromjob OCTO_IMAGE=mine
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "entrypoint --via-entrypoint as octouser in /srv" ]
    [ "${lines[1]}" = "cmd fromjob busybox" ]
    # what --container-env names reaches the Entrypoint too
    run csnip "--container-image=oci:$IMG --container-entrypoint --container-env=OCTO_JOBVAR" 'echo "cmd $OCTO_JOBVAR"; env | grep -c ^OCTOPUS_ENTRY; true' OCTO_JOBVAR=fromjob
    [ "${lines[0]}" = "entrypoint --via-entrypoint as octouser in /srv saw OCTO_JOBVAR" ]
    [ "${lines[1]}" = "cmd fromjob" ]
    [ "${lines[2]}" = 0 ]
}

@test "a failed start is said once per node, not once per task" {
    run crun -N1 -n2 --container-image=oci:$CTDIR/images/none true
    [ "$status" -ne 0 ]
    [ "$(grep -c "index.json: No such file or directory" <<< "$output")" -eq 1 ]
    run crun -N2 -n4 --container-image=oci:$CTDIR/images/none true
    [ "$(grep -c "index.json: No such file or directory" <<< "$output")" -eq 2 ]
}

@test "--container-mounts as Pyxis takes them: '+'-joined flags, tmpfs, relative sources, device files" {
    printf '#!/bin/sh\necho ran\n' > "$WORK/prog.sh" && chmod 755 "$WORK/prog.sh" && chown octouser: "$WORK/prog.sh"
    run csnip "--container-image=oci:$IMG --container-mounts=$WORK:/mnt:unbindable+ro" 'touch /mnt/foo; grep " /mnt " /proc/self/mountinfo'
    [[ "$output" == *"Read-only file system"* ]]
    # (where the source holds mounts of its own, /mnt stacks more than one line: one is enough)
    grep " /mnt " <<< "$output" | grep -q " unbindable " || { echo "$output" >&3; return 1; }
    run csnip "--container-image=oci:$IMG --container-mounts=$WORK:/w:noexec" '/w/prog.sh'
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
    run csnip "--container-image=oci:$IMG --container-mounts=$WORK:/w" '/w/prog.sh'
    [ "$output" = ran ]
    # relative to the job's working directory (crun starts in $WORK)
    run csnip "--container-image=oci:$IMG --container-mounts=./:/w:ro" 'cat /w/prog.sh | tail -n1'
    [ "$output" = "echo ran" ]
    run csnip "--container-image=oci:$IMG --container-mounts=tmpfs:/scratch" 'touch /scratch/x && stat -c %a /scratch && grep " /scratch " /proc/self/mountinfo | grep -c " - tmpfs "'
    [ "${lines[0]}" = 1777 ]
    [ "${lines[1]}" -ge 1 ]
    run csnip "--container-image=oci:$IMG --container-mounts=/dev/null:/null" 'test -c /null && echo x > /null && echo char-device'
    [ "$output" = char-device ]
    # the destination is inside the image, whatever its symlinks say
    run crun --container-image=oci:$IMG --container-mounts=/home:../home true
    [ "$status" -ne 0 ]
    [[ "$output" == *"destination '../home' must be an absolute path"* ]]
    run crun --container-image=oci:$IMG --container-mounts=umount:/tmp true
    [ "$status" -ne 0 ]
    [[ "$output" == *"umount:/tmp is not supported yet"* ]]
}

@test "--container-unshare: a network with only lo, IPC and hostname of the step's own, one for all its tasks" {
    node_net=$(crun --container-image=oci:$IMG readlink /proc/self/ns/net)
    run crun -N1 -n2 --container-image=oci:$IMG --container-unshare=net,ipc,uts sh -c "'echo \$(readlink /proc/self/ns/net) \$(readlink /proc/self/ns/ipc) \$(readlink /proc/self/ns/uts)'"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ] && [ "${lines[0]}" = "${lines[1]}" ]
    [[ "${lines[0]}" != "$node_net "* ]]
    run csnip "--container-image=oci:$IMG --container-unshare=net" 'ip -o link | wc -l; ip -o link | grep -c "lo:.*UP"; nc 127.0.0.1 9 </dev/null 2>&1; true'
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = 1 ]
    [[ "${lines[2]}" == *"Connection refused"* ]]
    run csnip "" 'readlink /proc/self/ns/net' PYXIS_CONTAINER_IMAGE=oci:$IMG PYXIS_CONTAINER_UNSHARE=net
    [ -n "$output" ] && [ "$output" != "$node_net" ]
    run csnip "--container-image=oci:$IMG --container-unshare=net --container-remap-root" 'id -u; readlink /proc/self/ns/net; ip link set lo down && echo root-of-its-net'
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" != "$node_net" ]
    [ "${lines[2]}" = root-of-its-net ]
    run crun --container-image=oci:$IMG --container-unshare=net,foo true
    [ "$status" -ne 0 ]
    [[ "$output" == *"unknown namespace 'foo'"* ]]
}

@test "--container-name: a later step joins the running container, :no_exec starts beside it, the kept one needs no image" {
    cat > "$WORK/attach.sh" <<EOF
#!/bin/sh
srun -n1 --container-name=box true 2>"$WORK/none.err"; echo "none=\$?"
srun -n1 --container-image=oci:$IMG --container-name=box sh -c 'echo kept > /var/tmp/note'
srun -n1 --container-name=box cat /var/tmp/note
srun -n1 --container-name=box:exec true 2>"$WORK/exec.err"; echo "exec-stopped=\$?"
rm -f $WORK/ready
srun -n1 --overlap --container-name=box --container-mounts=$WORK:/w sh -c 'readlink /proc/self/ns/mnt > /var/tmp/ns; touch /w/ready; sleep 20' &
i=0; while [ ! -e $WORK/ready ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
srun -n1 --overlap --container-name=box --container-mounts=/etc:/etc2 sh -c 'echo joined \$(cat /var/tmp/ns) \$(readlink /proc/self/ns/mnt) \$(pwd) \$(test -e /etc2 || echo no-mounts)' 2>"$WORK/join.err"
srun -n1 --overlap --container-name=box:exec sh -c 'echo exec \$(cat /var/tmp/ns) \$(readlink /proc/self/ns/mnt)'
srun -n1 --overlap --container-name=box:no_exec sh -c 'echo beside \$(cat /var/tmp/ns) \$(readlink /proc/self/ns/mnt); echo x > /var/tmp/beside' 2>"$WORK/beside.err"
kill %1 2>/dev/null; wait
srun -n1 --container-name=box sh -c 'test -e /var/tmp/beside && echo leaked || echo discarded; cat /var/tmp/note'
EOF
    chmod 755 "$WORK/attach.sh"
    id=$(as_user octouser sbatch --parsable -N1 -n2 -D "$WORK" -o "$WORK/attach.out" -e "$WORK/attach.err" "$WORK/attach.sh")
    wait_until 120 job_done "$id"
    run grep -v '^srun:' "$WORK/attach.out"
    [ "${lines[0]}" = none=1 ] || { echo "$output" >&3; cat "$WORK/attach.err" >&3; return 1; }
    grep -q "no container of that name in this job on this node; create it with --container-image" "$WORK/none.err"
    [ "${lines[1]}" = kept ]
    [ "${lines[2]}" = exec-stopped=1 ]
    grep -q "box:exec: no step of this job runs that container on this node" "$WORK/exec.err"
    # joined: the same mount namespace, at its root, and --container-mounts said to be ignored
    read -r word first second dir extra <<< "${lines[3]}"
    [ "$word" = joined ] && [ "$first" = "$second" ] && [ "$dir" = / ] && [ "$extra" = no-mounts ] ||
        { echo "$output" >&3; return 1; }
    grep -q "ignoring --container-mounts" "$WORK/join.err"
    read -r word first second <<< "${lines[4]}"
    [ "$word" = exec ] && [ "$first" = "$second" ]
    # :no_exec: a namespace of its own, on what was kept, its writes its own
    read -r word first second <<< "${lines[5]}"
    [ "$word" = beside ] && [ -n "$first" ] && [ "$first" != "$second" ]
    [ "${lines[6]}" = discarded ]
    [ "${lines[7]}" = kept ]
}

@test "site hooks run as root in the container's namespace, with a cleaned environment" {
    run as_user octouser sh -c "cd '$WORK' && LD_PRELOAD=libm.so.6 srun --container-image=oci:$IMG sh -c 'cat /etc/hooked; grep -c ^ID= /etc/host-os-release'"
    [[ "${lines[0]}" == "job="[0-9]*" ld=none rootfs=arg oom=0" ]]
    [ "${lines[1]}" = 1 ]
    # the host's own files are untouched
    [ ! -e /etc/hooked ]
    run crun -J chatty -t 1 --container-image=oci:$IMG echo done
    [ "$status" -eq 0 ]
    [ "$output" = done ]
    run crun -J hookfail --container-image=oci:$IMG true
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container oci:$IMG: site hook 20-fail failed (exit 3): driver library missing on this node"* ]]
}

@test "a site hook's \$OCTOPUS_ENVIRON lines reach every task, \${SLURM_*} as the task's own; a bad line stops the step" {
    run csnip '-J hookenv -N2 -n3 --container-image=oci:'"$IMG" 'echo "$SLURM_PROCID: $FROM_HOOK / $OCTO_IMAGE"'
    printf '%s\n' "$output" | sort > "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 0 ]
    # ${HOME} is not a SLURM_ variable: it stays as the hook wrote it
    diff -u - "$BATS_TEST_TMPDIR/out" <<'EOF'
0: task 0 of 3 $HOME ${HOME} / changed
1: task 1 of 3 $HOME ${HOME} / changed
2: task 2 of 3 $HOME ${HOME} / changed
EOF
    # what --container-env names and the job has wins over a hook, as over the image
    run csnip '-J hookenv --container-env=OCTO_IMAGE --container-image=oci:'"$IMG" 'echo "$OCTO_IMAGE"' OCTO_IMAGE=mine
    [ "$status" -eq 0 ]
    [ "$output" = mine ]
    run crun -J hookenvbad --container-image=oci:$IMG echo never
    [ "$status" -ne 0 ]
    [[ "$output" == *'octopus: container oci:'"$IMG"': $OCTOPUS_ENVIRON line 4: "no equals sign here" is not NAME=VALUE'* ]]
    [[ "$output" != *never* ]]
}

@test "the shipped PyTorch hook: torch.distributed's variables per task where the image has PyTorch, none where not" {
    run csnip '-N2 -n4 --ntasks-per-node=2 --container-image=oci:'"$PTIMG" \
        'echo "$SLURM_PROCID $(hostname) r=$RANK l=$LOCAL_RANK/$SLURM_LOCALID w=$WORLD_SIZE a=$MASTER_ADDR p=$MASTER_PORT o=$OMP_NUM_THREADS j=$SLURM_JOB_ID"'
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    first=$(printf '%s\n' "${lines[@]}" | awk '$1 == 0 {print $2}')
    [ -n "$first" ]
    for l in "${lines[@]}"; do
        read -r rank host r lr w a p o j <<< "$l"
        [ "$r" = "r=$rank" ] || { echo "RANK: $l"; false; }
        [ "${lr%%/*}" = "l=${lr#*/}" ] && [ "$lr" != "l=/" ] || { echo "LOCAL_RANK: $l"; false; }
        [ "$w" = w=4 ] && [ "$o" = o=1 ] || { echo "WORLD_SIZE/OMP_NUM_THREADS: $l"; false; }
        [ "$a" = "a=$first" ] || { echo "MASTER_ADDR is not task 0's node $first: $l"; false; }
        [ "$p" = "p=$(( ${j#j=} % 16384 + 49152 ))" ] || { echo "MASTER_PORT: $l"; false; }
    done
    # one task: no OMP_NUM_THREADS; the image's own values stay
    run csnip '-n1 --container-image=oci:'"$PTIMG" 'echo "${OMP_NUM_THREADS-unset} $RANK $WORLD_SIZE $PYTORCH_VERSION"'
    [ "$status" -eq 0 ]
    [ "$output" = "unset 0 1 2.5.1" ]
    run csnip '-N2 -n2 --container-image=oci:'"$IMG" 'echo "${RANK-unset} ${MASTER_ADDR-unset} ${MASTER_PORT-unset} ${WORLD_SIZE-unset}"'
    [ "$status" -eq 0 ]
    [ "$output" = "unset unset unset unset"$'\n'"unset unset unset unset" ]
}

@test "podman:// takes an image from the user's own podman storage, saved as the user" {
    uid=$(id -u octouser)
    # podman keeps its run state under /run/user/UID when the directory is there (pam_systemd's)
    mkdir -p "/run/user/$uid" && chown octouser: "/run/user/$uid" && chmod 700 "/run/user/$uid"
    pm() { as_user octouser env XDG_RUNTIME_DIR="/run/user/$uid" HOME="$(getent passwd octouser | cut -d: -f6)" podman "$@"; }
    id=$(pm pull -q "oci:$IMG" | tail -n 1)
    pm tag "$id" localhost/octo-podman:v1
    run crun --container-image=podman://localhost/octo-podman:v1 sh -c "'. /etc/os-release; echo \$ID; id -u; cat /etc/layer2; echo \$OCTO_IMAGE'"
    [ "$status" -eq 0 ]
    # the image, with its whiteout applied and its Env
    [ "$output" = "octobusy"$'\n'"$uid"$'\n'"from layer 2"$'\n'"busybox" ]
    # another user's storage does not have it: podman's own reason, and nothing ran
    run as_user octouser2 sh -c "cd /tmp && srun --container-image=podman://localhost/octo-podman:v1 echo ran"
    [ "$status" -ne 0 ]
    [[ "$output" == *"podman could not save the image (exit "*"localhost/octo-podman:v1"* ]]
    [[ "$output" != *ran* ]]
    # not an image name: refused by srun, before any job
    run crun --container-image=podman://-v echo ran
    [ "$status" -ne 0 ]
    [[ "$output" == *"the name must start with a letter or digit"* ]]
    # a site that does not import from podman says so
    site_settings podman=
    run crun --container-image=podman://localhost/octo-podman:v1 echo ran
    [ "$status" -ne 0 ]
    [[ "$output" == *"this site does not import from podman (podman= in plugstack.conf)"* ]]
    pm rmi -f localhost/octo-podman:v1 >/dev/null 2>&1 || true
}

@test "dockerd:// runs the node's docker save as the user, with the job's groups; its failures and hangs are said" {
    # a stand-in for the docker CLI (Debian 12's daemon predates OCI saves): what it is run as,
    # with which arguments, then the image as Docker 25 saves it (an OCI layout in a tar)
    mkdir -p "$CTDIR/bin"
    cat > "$CTDIR/bin/docker" <<EOF
#!/bin/sh
echo "\$(id -u) \$(id -G) \$*" > "$WORK/docker.ran"
case "\$2" in
    missing) echo "Error response from daemon: reference does not exist" >&2; exit 1 ;;
    slow) sleep 30 ;;
esac
exec tar -C "$IMG" -cf - .
EOF
    chmod 755 "$CTDIR/bin/docker"
    rm -f "$WORK/docker.ran"
    site_settings "docker=$CTDIR/bin/docker" daemon_timeout=3
    run crun --container-image=dockerd://busybox:latest sh -c "'. /etc/os-release; echo \$ID; cat /etc/layer2'"
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    [ "$output" = "octobusy"$'\n'"from layer 2" ]
    [ "$(cat "$WORK/docker.ran")" = "$(id -u octouser) $(id -G octouser) save busybox:latest" ]
    run crun --container-image=dockerd://missing echo ran
    [ "$status" -ne 0 ]
    [[ "$output" == *"dockerd://missing: docker could not save the image (exit 1): Error response from daemon: reference does not exist"* ]]
    [[ "$output" != *ran* ]]
    t0=$(date +%s)
    run crun --container-image=dockerd://slow echo ran
    [ "$status" -ne 0 ]
    [[ "$output" == *"docker did not finish saving the image within 3 s (daemon_timeout=)"* ]]
    [ $(( $(date +%s) - t0 )) -lt 25 ]
    # nothing half-unpacked stays in the cache's scratch space
    [ -z "$(ls -A "$CTDIR/containers/tmp" 2>/dev/null)" ]
}

@test "squashfs images (Pyxis/enroot's format): by path, relative to the job's directory, with their /etc/environment" {
    run csnip "--container-image=$SQSH" '. /etc/os-release; echo "$ID $SQSH_VAR $(id -un) $(pwd)"; touch /made-here && echo writable'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "octosquash a quoted value octouser /" ]
    [ "${lines[1]}" = writable ]
    # a relative path is the job's working directory's, opened as the user
    run csnip '--container-image=./mine.sqsh --container-readonly' '. /etc/os-release; echo $ID; touch /nope 2>/dev/null || echo read-only'
    [ "$status" -eq 0 ]
    [ "$output" = "octosquash"$'\n'"read-only" ]
    # a file that is not squashfs, and one the user may not read
    echo "not an image" > "$WORK/fake.sqsh"
    chown octouser: "$WORK/fake.sqsh"
    run crun --container-image=./fake.sqsh true
    [ "$status" -ne 0 ]
    [[ "$output" == *"--container-image=./fake.sqsh is not a squashfs file"* ]]
    install -m 600 "$SQSH" "$CTDIR/images/private.sqsh"
    run crun --container-image=$CTDIR/images/private.sqsh true
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
    # a site that does not let the kernel read users' squashfs files
    site_settings squashfs_images=no
    run crun --container-image=$SQSH true
    [ "$status" -ne 0 ]
    [[ "$output" == *"this site does not mount squashfs files (squashfs_images=no)"* ]]
    # nothing is left mounted, and the loop devices went with the steps
    ! grep -q "$CTDIR/ctrun" /proc/self/mountinfo
    ! losetup -j "$SQSH" | grep -q .
}

@test "seccomp=default: what Docker's default profile denies fails with EPERM; --container-remap-root keeps mount and namespaces" {
    run csnip "--container-image=oci:$IMG" 'grep -E "^Seccomp:" /proc/self/status | awk "{print \$1, \$2}"; busybox unshare -U true && echo unshared'
    [ "$status" -eq 0 ]
    [ "$output" = "Seccomp: 0"$'\n'"unshared" ]
    site_settings seccomp=default
    run csnip "--container-image=oci:$IMG" 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | awk "{print \$1, \$2}"; busybox unshare -U true 2>&1 || echo refused; busybox.suid id -u; echo alive'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "NoNewPrivs: 1" ]
    [ "${lines[1]}" = "Seccomp: 2" ]
    [[ "${lines[2]}" == *"Operation not permitted"* ]]
    [ "${lines[3]}" = refused ]
    # no_new_privs: a setuid file inside gives nothing
    [ "${lines[4]}" = "$(id -u octouser)" ]
    [ "${lines[5]}" = alive ]
    run csnip "--container-image=oci:$IMG --container-remap-root" 'mkdir /m && mount -t tmpfs none /m && echo mounted; grep ^Seccomp: /proc/self/status | awk "{print \$2}"'
    [ "$status" -eq 0 ]
    [ "$output" = "mounted"$'\n'"2" ]
}

@test "--container-save writes the container's root as a squashfs image that --container-image takes again" {
    rm -f "$WORK/saved.sqsh"
    run csnip "--container-image=oci:$IMG --container-save=./saved.sqsh" 'echo made-inside > /etc/made; rm /etc/layer2; echo x > /tmp/in-tmp; echo done'
    [ "$status" -eq 0 ]
    [ "$output" = done ]
    # written by the user, on the node's filesystem
    [ "$(stat -c %U "$WORK/saved.sqsh")" = octouser ]
    run csnip "--container-image=./saved.sqsh" 'cat /etc/made; [ -e /etc/layer2 ] && echo still || echo gone; . /etc/os-release; echo $ID; stat -c %U /etc/made; [ -r /proc/self/status ] && echo has-proc; echo "env $OCTO_IMAGE $PATH"'
    [ "$status" -eq 0 ]
    # (stored as root's; a writable container shows the image's root files as the user's;
    # the OCI image's Env came along in /etc/environment)
    [ "$output" = "made-inside"$'\n'"gone"$'\n'"octobusy"$'\n'"octouser"$'\n'"has-proc"$'\n'"env busybox /bin:/usr/bin" ]
    run sh -c "unsquashfs -lls '$WORK/saved.sqsh' | grep ' squashfs-root/etc/made$'"
    [[ "$output" == "-rw-r--r-- root/root "* ]]
    # what is mounted in the step (home, /tmp, /proc) is not in the image: at most
    # the empty mount points (mksquashfs 4.6 keeps them, 4.5 drops them)
    home=$(getent passwd octouser | cut -d: -f6)
    run sh -c "unsquashfs -l '$WORK/saved.sqsh' | grep -E '^squashfs-root(/proc|/tmp|$home)/.' | head -3"
    [ -z "$output" ]
    # a place the user may not write: said to the user, nothing written
    run csnip "--container-image=oci:$IMG --container-save=$CTDIR/images/nope.sqsh" 'echo ran'
    [[ "$output" == *"ran"* ]]
    [[ "$output" == *"--container-save=$CTDIR/images/nope.sqsh failed (exit"* ]]
    [ ! -e "$CTDIR/images/nope.sqsh" ]
}

@test "a site hook that never ends, or leaves a child holding its output, ends the step at hook_timeout" {
    site_settings hook_timeout=4
    t0=$(date +%s)
    run crun -J hookstuck -t 2 --container-image=oci:$IMG echo never
    [ "$status" -ne 0 ]
    [[ "$output" == *"site hook 25-stuck did not finish within 4 s and was killed; its output: waiting for the device to settle"* ]]
    [[ "$output" != *never* ]]
    run crun -J hookdaemon -t 2 --container-image=oci:$IMG echo never
    [ "$status" -ne 0 ]
    [[ "$output" == *"site hook 26-daemon exited but a process it started kept its output open for 4 s; that process was killed; its output: started the helper daemon"* ]]
    # both steps ended long before their 2-minute time limit, and nothing of the hooks is left
    [ $(( $(date +%s) - t0 )) -lt 60 ]
    refute pgrep -f '^sleep 60[02]$'
}

@test "the job epilog removes what a step left behind" {
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o /dev/null --container-image=oci:$IMG --wrap 'sleep 3')
    wait_until 30 running_job "$id"
    # as if a slurmstepd of this job had died before cleaning up
    mkdir -p "$CTDIR/ctrun/$id.7.0/upper/etc"
    touch "$CTDIR/ctrun/$id.7.0/upper/etc/leftover"
    wait_until 60 job_done "$id"
    wait_until 20 sh -c "! ls -d '$CTDIR/ctrun/$id'.* 2>/dev/null | grep -q ."
}

@test "--container-entrypoint runs the command through the image's Entrypoint; off by default" {
    run crun --container-image=oci:$IMG echo plain
    [ "$status" -eq 0 ]
    [ "$output" = plain ]
    run crun -N2 -n4 --container-image=oci:$IMG --container-entrypoint sh -c "'echo cmd \$OCTO_IMAGE; env | grep -q OCTOPUS_ENTRY && echo leaked || echo clean'"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c "^entrypoint --via-entrypoint as octouser in /srv$")" -eq 4 ]
    [ "$(echo "$output" | grep -c '^cmd busybox$')" -eq 4 ]
    [ "$(echo "$output" | grep -c '^clean$')" -eq 4 ]
    # the batch script too
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o "$WORK/entry.out" --container-image=oci:$IMG \
        --container-entrypoint --wrap 'echo batch body')
    wait_until 60 job_done "$id"
    [ "$(cat "$WORK/entry.out")" = "entrypoint --via-entrypoint as octouser in /srv
batch body" ]
    # a site that makes it the default; a user opts out
    site_settings entrypoint=yes
    run crun --container-image=oci:$IMG echo default
    [ "${lines[0]}" = "entrypoint --via-entrypoint as octouser in /srv" ]
    [ "${lines[1]}" = default ]
    run crun --container-image=oci:$IMG --no-container-entrypoint echo out
    [ "$output" = out ]
    # a helper anyone could replace is refused, not run
    site_settings entrypoint_helper=$CTDIR/images/entry-helper
    install -m 777 "$OCTO_STAGE_PREFIX/libexec/octopus-slurm/octopus-entrypoint" "$CTDIR/images/entry-helper"
    run crun --container-image=oci:$IMG true
    [ "$status" -ne 0 ]
    [[ "$output" == *"--container-entrypoint: the helper $CTDIR/images/entry-helper must be a root-owned executable that only root can write"* ]]
}

@test "options also come from OCTOPUS_CONTAINER_* variables, or Slurm's own names for SPANK options" {
    run as_user octouser sh -c "cd '$WORK' && OCTOPUS_CONTAINER_IMAGE=oci:$IMG OCTOPUS_CONTAINER_WORKDIR=/srv OCTOPUS_CONTAINER_WRITABLE=no srun sh -c '. /etc/os-release; echo \$ID; pwd; touch /x 2>&1; true'"
    [ "${lines[0]}" = octobusy ]
    [ "${lines[1]}" = /srv ]
    [[ "${lines[2]}" == *"/x: Read-only file system" ]]
    # the command line wins
    run as_user octouser sh -c "cd '$WORK' && OCTOPUS_CONTAINER_WORKDIR=/srv srun --container-image=oci:$IMG --container-workdir=/etc pwd"
    [ "$output" = /etc ]
    O=SLURM_SPANK__SLURM_SPANK_OPTION_octopus_container_container
    run as_user octouser sh -c "cd '$WORK' && ${O}_image=oci:$IMG srun cat /etc/layer2"
    [ "$output" = "from layer 2" ]
    run as_user octouser sh -c "cd '$WORK' && OCTOPUS_CONTAINER_ENTRYPOINT=maybe srun true"
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: OCTOPUS_CONTAINER_ENTRYPOINT=maybe: use yes or no"* ]]
}

@test "with workdir=submit, the image's WorkingDir applies where the job's directory is not in the container" {
    site_settings workdir=submit
    run as_user octouser sh -c "cd / && srun --container-image=oci:$IMG pwd"
    [ "$status" -eq 0 ]
    [ "$output" = /srv ]
    run crun --container-image=oci:$IMG pwd
    [ "$output" = "$WORK" ]
}

@test "site mounts from plugstack.conf are in every container, as the site set them" {
    mkdir -p "$CTDIR/site"
    echo "site tools" > "$CTDIR/site/README"
    site_settings site_mounts=$CTDIR/site:/opt/site:ro
    # (srun's own lines and the task's come in either order)
    run crun --container-image=oci:$IMG sh -c "'cat /opt/site/README; touch /opt/site/x'"
    printf '%s\n' "${lines[@]}" | grep -qx "site tools" || { echo "$output" >&3; return 1; }
    [[ "$output" == *"Read-only file system"* ]]
    rmdir "$CTDIR/site" 2>/dev/null || rm -rf "$CTDIR/site"
    run crun --container-image=oci:$IMG true
    [ "$status" -ne 0 ]
    [[ "$output" == *"site mount $CTDIR/site (plugstack.conf site_mounts=): No such file or directory"* ]]
}

@test "a registry mirror is tried first and the registry is the fallback" {
    site_settings "registry_mirrors=docker.io=$REG,$PRIV=10.77.0.1:5999" "allow_registries=$REG,$PRIV,$TOK,10.77.0.1:5999,docker.io"
    run crun --container-image=docker.io/test/busybox:latest cat /etc/layer2
    [ "$status" -eq 0 ]
    [ "$output" = "from layer 2" ]
    grep -q "docker.io/test/busybox:latest pinned to sha256:.* unpacked (from the mirror)" "$CTDIR"/log/slurmd-*.log
    # the mirror for the private registry refuses connections: the registry itself serves
    # (with octouser's login, as the private-images test wrote it)
    home=$(getent passwd octouser | cut -d: -f6)
    install -d -o octouser -g octouser -m 700 "$home/.config" "$home/.config/containers"
    printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$PRIV" "$(printf alice:s3cret | base64)" > "$home/.config/containers/auth.json"
    chown octouser: "$home/.config/containers/auth.json"
    chmod 600 "$home/.config/containers/auth.json"
    run crun --container-image=docker://$PRIV/private/busybox:mirrored-or-not true
    [ "$status" -ne 0 ]
    [[ "$output" =~ mirror\ 10\.77\.0\.1:5999:\ .*Could(n\'t|\ not)\ connect.*then\ $PRIV:\ .*not\ found ]] ||
        { echo "$output" >&3; return 1; }
    run crun --container-image=docker://$PRIV/private/busybox:latest cat /etc/layer2
    [ "$status" -eq 0 ]
    [ "$output" = "from layer 2" ]
    grep -qE "private/busybox:latest: the mirror failed, the registry served it: .*10.77.0.1:5999.*Could(n't| not) connect" "$CTDIR"/log/slurmd-*.log
}

@test "cache_max_size: a step that unpacked collects the cache down, sparing layers in use" {
    img3=$CTDIR/images/busybox-v3
    LAYER2_TEXT="v3 $RANDOM" "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$img3" v3 >/dev/null
    crun --container-image=oci:$IMG true         # the base image is cached
    site_settings cache_max_size=1K
    run crun --container-image=oci:$img3:v3 cat /etc/layer2
    [ "$status" -eq 0 ]
    [[ "$output" == "v3 "* ]]
    # collected when the step ends in slurmstepd, which may be after srun returned
    wait_until 10 grep -q "layer cache above cache_max_size: removed [1-9][0-9]* layer(s)" "$CTDIR"/log/slurmd-*.log
    # what the step stacked stays (it was in use); every other layer went
    run "$OCTO_STAGE_PREFIX/bin/octopus-image-cache" --cache "$CTDIR/containers" list
    [[ "$output" == *"2 layer(s)"*", 0 in use"* ]]
    run crun --container-image=oci:$img3:v3 cat /etc/layer2
    [[ "$output" == "v3 "* ]]
}

@test "without the fetching module, a cached image still starts and one to unpack fails naming the module" {
    mod=$OCTO_STAGE_PLUGINDIR/octopus/image_fetch.so
    img4=$CTDIR/images/busybox-v4
    LAYER2_TEXT="v4 $RANDOM" "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$img4" v4 >/dev/null
    crun --container-image=oci:$IMG true         # the base image is cached
    mv "$mod" "$mod.away"
    run crun --container-image=oci:$IMG cat /etc/layer2
    cached_status=$status cached_output=$output
    run crun --container-image=oci:$img4:v4 cat /etc/layer2
    mv "$mod.away" "$mod"
    [ "$cached_status" -eq 0 ]
    [ -n "$cached_output" ]
    [ "$status" -ne 0 ]
    [[ "$output" == *"the image fetcher (registry client and layer unpacker) is not usable: "*"octopus/image_fetch.so"* ]]
    [[ "$output" != *"v4 "* ]]
    # back in place, the same image unpacks
    run crun --container-image=oci:$img4:v4 cat /etc/layer2
    [ "$status" -eq 0 ]
    [[ "$output" == "v4 "* ]]
}

@test "a full layer cache is one clear line, and nothing half-unpacked stays" {
    # a small tmpfs in the first node's own mount namespace (slurmd runs in a private one)
    n1() { nsenter -t "$(cut -d' ' -f1 "$CTDIR/pids/slurmd1")" -m "$@"; }
    mkdir -p "$CTDIR/tinycache"
    n1 mount -t tmpfs -o size=600k,mode=755 octotiny "$CTDIR/tinycache"
    site_settings cache_dir=$CTDIR/tinycache
    run crun -w "$CT-n1" --container-image=oci:$IMG true
    left=$(n1 find "$CTDIR/tinycache/tmp" -mindepth 1 | wc -l)
    n1 umount "$CTDIR/tinycache"
    [ "$status" -ne 0 ]
    [[ "$output" == *"octopus: container oci:$IMG: "*"the layer cache $CTDIR/tinycache is full"* ]]
    [ "$left" -eq 0 ]
}

@test "a requeued job starts from a clean container: nothing of its first run is left" {
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o "$WORK/requeue.out" --open-mode=append \
        --container-image=oci:$IMG --container-name=keep \
        --wrap 'echo run >> /var/tmp/runs; echo "runs=$(wc -l < /var/tmp/runs)"; sleep 60')
    wait_until 30 grep -q runs= "$WORK/requeue.out"
    cluster_exec -- scontrol requeue "$id"
    # Slurm holds a requeued job back a while; let it start at once
    wait_until 30 pending_job "$id"
    cluster_exec -- scontrol update jobid="$id" starttime=now
    # the epilog took the first run's kept layer; the second run writes its first line again
    wait_until 150 sh -c "[ \$(grep -c runs= '$WORK/requeue.out') -ge 2 ]"
    run grep runs= "$WORK/requeue.out"
    [ "$output" = "runs=1
runs=1" ]
    cluster_exec -- scancel "$id"
    wait_until 30 job_done "$id"
}

@test "nothing is left mounted on the host when steps end" {
    refute grep -q "$CTDIR" /proc/self/mountinfo
    [ -d "$CTDIR/ctrun" ]
    [ -z "$(ls -A "$CTDIR/ctrun")" ]
}
