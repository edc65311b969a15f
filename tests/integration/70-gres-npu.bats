#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# gres/npu and gres/fpga in real slurmd/slurmstepd (task/cgroup,
# ConstrainDevices=yes) on a fake node from tests/fixtures/gres/make-fake-tree:
# 4 Ascend NPUs (plus their shared control nodes) and 2 Xilinx cards (render
# node + management function). The fake nodes sit on a major no driver owns,
# so an open that the device cgroup lets through fails with ENXIO ("No such
# device") and one it denies fails with EPERM. Own cluster instance; the
# detection roots reach slurmd through OCTOPUS_NPU_*_ROOT.
load helpers

NPU=${OCTO_CLUSTER_INSTANCE:0:5}npu
NPUDIR=$("$CLUSTER_TOOL" -i "$NPU" env | sed -n 's/^export OCTO_CLUSTER_DIR=//p')
TREE=/tmp/octo-$NPU-tree

setup_file() {
    rm -rf "$TREE"
    "$BATS_TEST_DIRNAME/../fixtures/gres/make-fake-tree" "$TREE" ascend:4:model=d802 xilinx:2:model=5004
    chmod -R a+rX "$TREE"
    cat > "$TREE/probe" <<'PROBE'
#!/bin/sh
# NODE npus=... fpgas=... rt=... then OPEN|EPERM for each device node
T=$(dirname "$0")
line="$SLURMD_NODENAME npus=${SLURM_STEP_NPUS:-${SLURM_JOB_NPUS:--}} fpgas=${SLURM_STEP_FPGAS:-${SLURM_JOB_FPGAS:--}} rt=${ASCEND_RT_VISIBLE_DEVICES:--} phy=${ASCEND_VISIBLE_DEVICES:--} bdfs=${OCTOPUS_FPGA_BDFS:--}"
for d in davinci0 davinci1 davinci2 davinci3 dri/renderD128 xclmgmt1 dri/renderD129 xclmgmt3 davinci_manager; do
    err=$(head -c1 "$T/dev/$d" 2>&1 >/dev/null)
    case "$err" in *"not permitted"*) r=EPERM ;; *"No such device"*) r=OPEN ;; *) r="ERR($err)" ;; esac
    line="$line $(basename "$d")=$r"
done
echo "$line"
PROBE
    chmod 755 "$TREE/probe"
    # shared control nodes only for jobs that hold an NPU
    printf 'ControlDevices=restrict\nFpgaBackends=xilinx\n' > "$TREE/gres_npu.conf"
    # Prolog and Epilog record what slurmd tells them
    for s in prolog epilog; do
        printf '#!/bin/sh\nenv | grep -E "^(SLURM_JOB_NPUS|SLURM_JOB_FPGAS|ASCEND_RT_VISIBLE_DEVICES|ASCEND_VISIBLE_DEVICES)=" | sort > %s/%s.$SLURM_JOB_ID\nexit 0\n' "$TREE" "$s" > "$TREE/$s"
        chmod 755 "$TREE/$s"
    done
    printf 'Prolog=%s/prolog\nEpilog=%s/epilog\n' "$TREE" "$TREE" > "$TREE/slurm.conf.extra"
    export OCTOPUS_NPU_SYSFS_ROOT=$TREE/sys OCTOPUS_NPU_DEV_ROOT=$TREE/dev OCTOPUS_NPU_PROC_ROOT=$TREE/proc
    export OCTOPUS_NPU_CONF=$TREE/gres_npu.conf
    "$CLUSTER_TOOL" -i "$NPU" up --node-gres npu:4,fpga:2 --plugin-dir "$OCTO_STAGE_PLUGINDIR" \
        --slurm-conf-extra "$TREE/slurm.conf.extra" >&3 2>&1
    export OUT
    OUT=$(job_dir octouser)
}

teardown_file() {
    [ ! -d "$NPUDIR" ] || "$CLUSTER_TOOL" -i "$NPU" down >&3 2>&1
    rm -rf "$TREE"
}

nrun() { cluster_exec -i "$NPU" -u octouser -- "$@"; }
# job_done of helpers asks the main instance; this one asks ours
npu_job_done() {
    cluster_exec -i "$NPU" -- scontrol show job "$1" -o 2>/dev/null | grep -qE 'JobState=(COMPLETED|FAILED|CANCELLED|TIMEOUT)'
}

@test "slurmd registers the detected devices with their types" {
    run cluster_exec -i "$NPU" -- scontrol show node "$NPU-n1"
    [[ "$output" == *"Gres=fpga:u250:2,npu:ascend910b:4"* ]]
    grep -q "gres/npu: npu_node_load: index 3 $TREE/dev/davinci3 type=ascend910b vendor=ascend" "$NPUDIR/log/slurmd-$NPU-n1.log"
    grep -q "gres/fpga: npu_node_load: index 1 $TREE/dev/dri/renderD129 type=u250 vendor=xilinx" "$NPUDIR/log/slurmd-$NPU-n1.log"
}

@test "a step opens its own NPUs and FPGAs and gets EPERM on the others" {
    run nrun srun -N1 --gres=npu:2,fpga:1 "$TREE/probe"
    [ "$status" -eq 0 ]
    # indices 0,1 of npu and 0 of fpga: their primary and companion nodes open, nothing else
    [[ "$output" == *" npus=0,1 fpgas=0 rt=0,1 phy=0,1 bdfs=0000:14:00.1 davinci0=OPEN davinci1=OPEN davinci2=EPERM davinci3=EPERM renderD128=OPEN xclmgmt1=OPEN renderD129=EPERM xclmgmt3=EPERM davinci_manager=OPEN" ]]
}

@test "a job without NPUs gets EPERM on every device node, and none of the variables" {
    run nrun srun -N3 "$TREE/probe"
    [ "$status" -eq 0 ]
    # ControlDevices=restrict: davinci_manager too
    [ "$(echo "$output" | grep -c ' npus=- fpgas=- rt=- phy=- bdfs=- davinci0=EPERM davinci1=EPERM davinci2=EPERM davinci3=EPERM renderD128=EPERM xclmgmt1=EPERM renderD129=EPERM xclmgmt3=EPERM davinci_manager=EPERM$')" -eq 3 ]
}

# For each probe line: is every device node OPEN exactly when the step holds
# it (its NPU or FPGA index; davinci_manager with any NPU), EPERM otherwise?
audit() {
    awk '{
        delete hold; npus = $2; sub("npus=", "", npus); fpgas = $3; sub("fpgas=", "", fpgas)
        n = split(npus, a, ","); for (i = 1; i <= n; i++) hold["davinci" a[i]] = 1
        n = split(fpgas, b, ",")
        for (i = 1; i <= n; i++) {
            if (b[i] == "0") { hold["renderD128"] = 1; hold["xclmgmt1"] = 1 }
            if (b[i] == "1") { hold["renderD129"] = 1; hold["xclmgmt3"] = 1 }
        }
        if (npus != "-") hold["davinci_manager"] = 1
        bad = 0
        for (f = 7; f <= NF; f++) { split($f, kv, "="); if (kv[2] != ((kv[1] in hold) ? "OPEN" : "EPERM")) bad = 1 }
        print (bad ? "BAD " $0 : "ok")
    }'
}

@test "isolation matrix: 52 batch and interactive steps of 1-4 NPUs and 0-2 FPGAs open exactly their own device nodes" {
    out=$(mktemp)
    for k in 1 2 3 4; do
        for f in 0 1 2; do
            for node in 1 2 3; do
                g=npu:$k; [ "$f" = 0 ] || g=$g,fpga:$f
                nrun srun -w "$NPU-n$node" --gres="$g" "$TREE/probe" >> "$out"
            done
        done
    done
    # multi-node steps, and steps of one allocation sharing it out
    for k in 1 2 3 4 1 2 3 4 1 2 3; do
        nrun srun -N3 --gres=npu:$k "$TREE/probe" >> "$out"
    done
    id=$(nrun sbatch --parsable -N1 -w "$NPU-n1" --gres=npu:2 -n2 -o "$OUT/shared.out" \
        --wrap "for i in 1 2; do srun -n1 --exact --gres=npu:1 $TREE/probe & done; wait")
    wait_until 60 npu_job_done "$id"
    grep "^$NPU-n" "$OUT/shared.out" >> "$out"
    # interactive: steps of an salloc, the whole allocation and parts of it
    nrun salloc -w "$NPU-n2" --gres=npu:3,fpga:1 sh -c \
        "srun $TREE/probe; srun --gres=npu:1 $TREE/probe; srun --gres=npu:2,fpga:1 $TREE/probe" >> "$out" 2>/dev/null
    [ "$(grep -c ' npus=[0-9],[0-9],[0-9] fpgas=[01] ' "$out")" -ge 1 ]
    [ "$(wc -l < "$out")" -eq $((36 + 33 + 2 + 3)) ]
    run audit < "$out"
    [ "$(echo "$output" | grep -c '^ok$')" -eq 74 ] || { echo "$output" | grep BAD >&3; return 1; }
    # the two steps of one job got different NPUs
    [ "$(grep -o ' npus=[0-9]' "$OUT/shared.out" | sort -u | wc -l)" -eq 2 ]
    rm -f "$out"
}

@test "Prolog and Epilog get the node's numbers of what the job holds" {
    # a first job holds two NPUs of n3, so the second gets the other two
    hold=$(nrun sbatch --parsable -w "$NPU-n3" --gres=npu:2 -o /dev/null --wrap "sleep 60")
    id=$(nrun sbatch --parsable -w "$NPU-n3" --gres=npu:2 -o "$OUT/pro.out" --wrap "$TREE/probe")
    wait_until 60 npu_job_done "$id"
    wait_until 20 test -s "$TREE/epilog.$id"
    cluster_exec -i "$NPU" -- scancel "$hold"
    mine=$(sed -n 's/.* npus=\([^ ]*\) .*/\1/p' "$OUT/pro.out")
    [ "$mine" = 0,1 ] || [ "$mine" = 2,3 ]
    grep -q ' rt=0,1 ' "$OUT/pro.out"          # inside the job: its own two, from 0
    for s in prolog epilog; do
        run cat "$TREE/$s.$id"
        [ "$output" = "ASCEND_RT_VISIBLE_DEVICES=$mine
ASCEND_VISIBLE_DEVICES=$mine
SLURM_JOB_NPUS=$mine" ]
    done
}

@test "concurrent jobs on one node get disjoint NPUs" {
    id1=$(nrun sbatch --parsable -w "$NPU-n2" --gres=npu:2 -o "$OUT/j1.out" --wrap "$TREE/probe; sleep 5")
    id2=$(nrun sbatch --parsable -w "$NPU-n2" --gres=npu:2 -o "$OUT/j2.out" --wrap "$TREE/probe; sleep 5")
    wait_until 60 sh -c "grep -q npus= '$OUT/j1.out' && grep -q npus= '$OUT/j2.out'"
    a=$(sed -n 's/.* npus=\([^ ]*\) .*/\1/p' "$OUT/j1.out")
    b=$(sed -n 's/.* npus=\([^ ]*\) .*/\1/p' "$OUT/j2.out")
    [ -n "$a" ]
    [ -n "$b" ]
    [ "$a" != "$b" ]
    # under ConstrainDevices each job numbers its own NPUs from 0
    grep -q ' rt=0,1 ' "$OUT/j1.out"
    grep -q ' rt=0,1 ' "$OUT/j2.out"
    cluster_exec -i "$NPU" -- scancel "$id1" "$id2"
}

@test "batch jobs get SLURM_JOB_NPUS; --gres=none steps lose the variables" {
    id=$(nrun sbatch --parsable -N1 --gres=npu:1 -o "$OUT/batch.out" --wrap "$TREE/probe; srun --overlap --gres=none $TREE/probe")
    wait_until 60 npu_job_done "$id"
    [ "$(sed -n 1p "$OUT/batch.out" | cut -d' ' -f2-4)" = "npus=0 fpgas=- rt=0" ]
    [ "$(sed -n 2p "$OUT/batch.out" | cut -d' ' -f2-6)" = "npus=- fpgas=- rt=- phy=- bdfs=-" ]
}

# gres_of SPEC...: the Gres lines `slurmd -G` prints for a fake node holding
# SPEC (every backend, default settings), the fake root shown as @; 22.05
# prefixes its lines with "slurmd: ", 26.05 with the time, and adds Links=, Flags=
gres_of() {
    local t
    t=$(mktemp -d /tmp/octo-npu-g.XXXXXX)
    "$BATS_TEST_DIRNAME/../fixtures/gres/make-fake-tree" "$t" "$@" >/dev/null
    OCTOPUS_NPU_SYSFS_ROOT=$t/sys OCTOPUS_NPU_DEV_ROOT=$t/dev OCTOPUS_NPU_PROC_ROOT=$t/proc \
        OCTOPUS_NPU_CONF=/nonexistent/gres_npu.conf \
        slurmd -G -f "$NPUDIR/etc/slurm.conf" -N "$NPU-n1" 2>&1 |
        sed -nE "s| ID=[0-9]*||; s| \(null\)||; s| Links=[^ ]*||; s| Flags=[^ ]*||; s|$t|@|g; s/^(slurmd: |\[[^]]*\] )Gres //p" | sort
    rm -rf "$t"
}

@test "slurmd -G: what each vendor's node registers, healthy devices only" {
    check() {   # check "SPEC..." EXPECTED-LINES
        local got
        got=$(gres_of $1)
        [ "$got" = "$2" ] || { printf 'for %s\n got: %s\nwant: %s\n' "$1" "$got" "$2" >&3; return 1; }
    }
    check "ascend:4:model=d802" "Name=npu Type=ascend910b Count=1 Index=0 File=@/dev/davinci0
Name=npu Type=ascend910b Count=1 Index=1 File=@/dev/davinci1
Name=npu Type=ascend910b Count=1 Index=2 File=@/dev/davinci2
Name=npu Type=ascend910b Count=1 Index=3 File=@/dev/davinci3"
    # a missing node and one on another driver's major are left out
    check "ascend:4:model=d500:missing=2:badmajor=3" "Name=npu Type=ascend310p Count=1 Index=0 File=@/dev/davinci0
Name=npu Type=ascend310p Count=1 Index=1 File=@/dev/davinci1"
    check "habana:2:sick=0" "Name=npu Type=gaudi2 Count=1 Index=1 File=@/dev/accel/accel1"
    check "neuron:2" "Name=npu Type=trainium2 Count=1 Index=0 File=@/dev/neuron0
Name=npu Type=trainium2 Count=1 Index=1 File=@/dev/neuron1"
    check "cambricon:1" "Name=npu Type=mlu Count=1 Index=0 File=@/dev/cambricon_dev0"
    check "tenstorrent:2:model=b140" "Name=npu Type=blackhole Count=1 Index=0 File=@/dev/tenstorrent/0
Name=npu Type=blackhole Count=1 Index=1 File=@/dev/tenstorrent/1"
    check "accel:1" "Name=npu Type=intel_npu Count=1 Index=0 File=@/dev/accel/accel0"
    check "xilinx:2:model=500c" "Name=fpga Type=u280 Count=1 Index=128 File=@/dev/dri/renderD128
Name=fpga Type=u280 Count=1 Index=129 File=@/dev/dri/renderD129"
    check "xilinx:1:vm" "Name=fpga Type=u250 Count=1 Index=128 File=@/dev/dri/renderD128"
    check "dfl:2:sick=1" "Name=fpga Type=dfl Count=1 Index=0 File=@/dev/dfl-port.0"
    check "ascend:1 habana:1 xilinx:1" "Name=fpga Type=u250 Count=1 Index=128 File=@/dev/dri/renderD128
Name=npu Type=ascend910b Count=1 Index=0 File=@/dev/davinci0
Name=npu Type=gaudi2 Count=1 Index=0 File=@/dev/accel/accel0"
    check "accel:0" ""
}

@test "reconfigure and a slurmd restart keep every index on its device; a device that goes away invalidates the node" {
    log=$NPUDIR/log/slurmd-$NPU-n1.log
    before=$(grep -o 'gres/npu: npu_node_load: index [0-9] [^ ]*' "$log" | tail -4)
    lines=$(wc -l < "$log")
    cluster_exec -i "$NPU" -- scontrol reconfigure
    wait_until 30 sh -c "tail -n +$((lines + 1)) '$log' | grep -q 'gres/npu: npu_node_load: index 3 '"
    [ "$(tail -n +$((lines + 1)) "$log" | grep -o 'gres/npu: npu_node_load: index [0-9] [^ ]*' | tail -4)" = "$before" ]
    # and so does a new slurmd (the environment with the fake roots is ours)
    lines=$(wc -l < "$log")
    "$CLUSTER_TOOL" -i "$NPU" restart-slurmd 1 >&3 2>&1
    [ "$(tail -n +$((lines + 1)) "$log" | grep -o 'gres/npu: npu_node_load: index [0-9] [^ ]*' | tail -4)" = "$before" ]
    wait_until 30 sh -c "'$CLUSTER_TOOL' -i '$NPU' exec -- sinfo -h -N -n '$NPU-n1' -o '%T' | grep -qx idle"
    run nrun srun -w "$NPU-n1" --gres=npu:4 "$TREE/probe"
    [[ "$output" == *" npus=0,1,2,3 "*"davinci3=OPEN "* ]] || { echo "$output" >&3; return 1; }
    # the last test here: the three nodes share the fake tree
    mv "$TREE/dev/davinci1" "$TREE/davinci1.gone"
    cluster_exec -i "$NPU" -- scontrol reconfigure
    wait_until 30 sh -c "'$CLUSTER_TOOL' -i '$NPU' exec -- sinfo -h -N -n '$NPU-n1' -o '%T %E' | grep -q 'inval gres/npu count reported lower than configured (3 < 4)'"
    grep -q "4 Ascend NPUs on the PCI bus but 3 /dev/davinci nodes" "$log"
    mv "$TREE/davinci1.gone" "$TREE/dev/davinci1"
}

@test "the NPU instance goes down cleanly" {
    "$CLUSTER_TOOL" -i "$NPU" down >&3 2>&1
    [ ! -d "$NPUDIR" ]
}
