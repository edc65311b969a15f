#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# spank_container's CDI devices in real slurmstepd: a cluster with four fake
# GPUs (gres gpu:4, ConstrainDevices=yes), a CDI spec for them in YAML, and
# cdi_devices=gpu=test.octopus/gpu: a step gets the device nodes, variables,
# driver files and createContainer hook of exactly the GPUs it holds.
load helpers

CD=${OCTO_CDI_INSTANCE:-${OCTO_CLUSTER_INSTANCE:0:5}cd}
CDDIR=$("$CLUSTER_TOOL" -i "$CD" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')

setup_file() {
    local plugstack
    plugstack=$(mktemp)
    echo "required $OCTO_STAGE_PLUGINDIR/spank_container.so cache_dir=@DIR@/containers runtime_dir=@DIR@/ctrun cdi_devices=gpu=test.octopus/gpu cdi_spec_dirs=@DIR@/cdi-etc:@DIR@/cdi-run entrypoint_helper=$OCTO_STAGE_PREFIX/libexec/octopus-slurm/octopus-entrypoint" > "$plugstack"
    "$CLUSTER_TOOL" -i "$CD" up --fake-gpus --plugstack "$plugstack" >&3 2>&1
    rm -f "$plugstack"
    export OCTO_CDI_INSTANCE=$CD OCTO_CLUSTER_INSTANCE=$CD
    eval "$("$CLUSTER_TOOL" -i "$CD" env)"
    export OCTO_CLUSTER_DIR
    mkdir -p "$CDDIR/cdi-etc" "$CDDIR/cdi-run" "$CDDIR/driver/lib" "$CDDIR/images"
    echo "fake driver 1.0" > "$CDDIR/driver/lib/version"
    # what nvidia-ctk's update-ldcache does in spirit: read the OCI state on
    # stdin, find the root through the bundle's config.json, write into it
    # ($0 is /dev/fd/N: hooks run from the descriptor that was checked)
    cat > "$CDDIR/cdi-hook" <<HOOK
#!/bin/sh
[ ! -e "$CDDIR/cdi-hook-fail" ] || { echo "ldconfig: cannot open the cache"; exit 2; }
HOOK
    cat >> "$CDDIR/cdi-hook" <<'HOOK'
state=$(cat)
bundle=$(printf '%s' "$state" | jq -r .bundle)
root=$(jq -r .root.path "$bundle/config.json")
echo "args=$* id=$(printf '%s' "$state" | jq -r .id) env=${CDI_HOOK_ENV:-none}" > "$root/etc/cdi-hooked"
HOOK
    chmod 755 "$CDDIR/cdi-hook"
    {
        echo "cdiVersion: 0.6.0"
        echo "kind: test.octopus/gpu"
        echo "devices:"
        for i in 0 1 2 3; do
            echo "- name: \"$i\""
            echo "  containerEdits:"
            echo "    env: [FAKE_GPU_$i=held]"
            echo "    deviceNodes:"
            echo "    - {path: /run/gpu/fake$i, hostPath: $CDDIR/dev/fake$i}"
        done
        echo "containerEdits:"
        echo "  env: [FAKE_DRIVER=1.0]"
        echo "  mounts:"
        echo "  - hostPath: $CDDIR/driver/lib"
        echo "    containerPath: /opt/fake-driver"
        echo "    options: [ro, nosuid, nodev, bind]"
        echo "  hooks:"
        echo "  - hookName: createContainer"
        echo "    path: $CDDIR/cdi-hook"
        echo "    args: [cdi-hook, update-ldcache, --folder, /opt/fake-driver]"
        echo "    env: [CDI_HOOK_ENV=from-spec]"
        echo "  - hookName: poststop"
        echo "    path: /bin/false"
    } > "$CDDIR/cdi-etc/test-gpu.yaml"
    # another vendor's broken spec: skipped, it must not stop these devices
    echo "cdiVersion: [" > "$CDDIR/cdi-run/broken.yaml"
    export IMG=$CDDIR/images/busybox
    "$BATS_TEST_DIRNAME/../images/make-oci-layout" "$IMG" >&3
    export WORK
    WORK=$(job_dir octouser)
}

teardown_file() {
    [ -z "${CDDIR:-}" ] || [ ! -d "$CDDIR" ] || "$CLUSTER_TOOL" -i "$CD" down >&3 2>&1
}

teardown() {
    rm -f "$CDDIR/cdi-hook-fail"
    [ ! -f "$CDDIR/cdi-etc/test-gpu.yaml.away" ] || mv "$CDDIR/cdi-etc/test-gpu.yaml.away" "$CDDIR/cdi-etc/test-gpu.yaml"
}

# csnip 'SRUN OPTIONS' 'SHELL SNIPPET': the snippet runs in the container
csnip() { as_user octouser env SNIP="$2" sh -c "cd '$WORK' && srun $1 sh -c 'eval \"\$SNIP\"'"; }

@test "a step gets the device nodes, variables, files and hook of exactly the GPUs it holds" {
    run csnip "--gres=gpu:2 --container-image=oci:$IMG" \
        'echo "gpus=$SLURM_STEP_GPUS"; ls /run/gpu | tr "\n" " "; echo; env | grep ^FAKE_GPU_ | sort | tr "\n" " "; echo
         for d in /run/gpu/*; do head -c 1 "$d" | wc -c; done
         echo "driver=$FAKE_DRIVER $(cat /opt/fake-driver/version)"; cat /etc/cdi-hooked
         touch /opt/fake-driver/x 2>/dev/null && echo driver-writable || echo driver-ro'
    [ "$status" -eq 0 ]
    gpus=${lines[0]#gpus=}
    [[ "$gpus" =~ ^[0-3],[0-3]$ ]]
    a=${gpus%,*} b=${gpus#*,}
    [ "${lines[1]}" = "fake$a fake$b " ]
    [ "${lines[2]}" = "FAKE_GPU_$a=held FAKE_GPU_$b=held " ]
    # the held devices open (the device cgroup allows them)
    [ "${lines[3]}" = 1 ] && [ "${lines[4]}" = 1 ]
    [ "${lines[5]}" = "driver=1.0 fake driver 1.0" ]
    [[ "${lines[6]}" == "args=update-ldcache --folder /opt/fake-driver id="[0-9]*.0.0" env=from-spec" ]]
    [ "${lines[7]}" = driver-ro ]
}

@test "a device the step does not hold is neither bound nor openable" {
    # the node's own path of another GPU: the device cgroup still says no
    run csnip "--gres=gpu:1 --container-image=oci:$IMG" \
        'ls /run/gpu | wc -l; for i in 0 1 2 3; do [ -e /run/gpu/fake$i ] && continue; head -c 1 '"$CDDIR"'/dev/fake$i > /dev/null 2>&1 && echo "opened $i"; done; echo end'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = end ]
}

@test "a step without GPUs gets nothing of the spec; the batch step gets the job's GPUs" {
    run csnip "--container-image=oci:$IMG" 'ls /run/gpu 2>&1 | head -1; echo "${FAKE_DRIVER:-no driver}"; [ -e /etc/cdi-hooked ] && echo hooked || echo no hook'
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == *"No such file or directory"* ]]
    [ "${lines[1]}" = "no driver" ]
    [ "${lines[2]}" = "no hook" ]
    out=$WORK/cdi-batch.out
    rm -f "$out"
    id=$(as_user octouser sbatch --parsable -D "$WORK" -o "$out" --gres=gpu:1 --container-image=oci:$IMG \
        --wrap 'echo "job=$SLURM_JOB_GPUS $(ls /run/gpu) $FAKE_DRIVER"')
    wait_until 60 sh -c "grep -q job= '$out'"
    run cat "$out"
    [[ "$output" =~ ^job=([0-3])\ fake([0-3])\ 1.0$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

@test "a GPU with no CDI spec, or a failing CDI hook, stops the step and says why" {
    mv "$CDDIR/cdi-etc/test-gpu.yaml" "$CDDIR/cdi-etc/test-gpu.yaml.away"
    run csnip "--gres=gpu:1 --container-image=oci:$IMG" 'echo never'
    [ "$status" -ne 0 ]
    [[ "$output" =~ "CDI device test.octopus/gpu="[0-3]" is in no spec in $CDDIR/cdi-etc, $CDDIR/cdi-run (generate one with the vendor's tool" ]]
    [[ "$output" == *"$CDDIR/cdi-run/broken.yaml skipped: CDI spec"* ]]
    [[ "$output" != *never* ]]
    mv "$CDDIR/cdi-etc/test-gpu.yaml.away" "$CDDIR/cdi-etc/test-gpu.yaml"
    touch "$CDDIR/cdi-hook-fail"
    run csnip "--gres=gpu:1 --container-image=oci:$IMG" 'echo never'
    [ "$status" -ne 0 ]
    [[ "$output" == *"CDI hook $CDDIR/cdi-hook failed (exit 2): ldconfig: cannot open the cache"* ]]
    [[ "$output" != *never* ]]
}
