# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/test's Slurm 26.05 leg: SchedMD's release built from source into
# /opt/slurm-26.05 (scripts/slurm-build, cached by the tarball's checksum),
# this tree built against it in build-26.05/ with -Werror, make check (unit
# tests, plugin symbols against 26.05's daemons and loader), then the
# integration files of every plugin and the bridge on a cluster of 26.05
# daemons (the harness's OCTO_SLURM_PREFIX). Sourced by scripts/test.

leg_2605() {
    local prefix tree rc build=$ROOT/build-26.05 logs=$ROOT/build-26.05/test-logs f files=()
    phase "26.05: SchedMD's source built into a prefix (scripts/slurm-build; cached)"
    prefix=$(scripts/slurm-build 2> "$LOGS/slurm-build.log") ||
        { tail -n 20 "$LOGS/slurm-build.log"; leg_fail 26.05 "scripts/slurm-build failed"; return; }
    tree=$(ls -d /var/cache/octopus-slurm/src/slurm-26.05* 2>/dev/null | tail -n1)
    [ -f "$tree/octopus-stubinc/config.h" ] || { leg_fail 26.05 "no configured 26.05 tree in /var/cache/octopus-slurm/src"; return; }
    echo "Slurm $("$prefix/sbin/slurmctld" -V) in $prefix, internal headers $tree"
    phase_end "26.05 build of Slurm"

    mkdir -p "$logs"
    phase "26.05: build (-Werror) and make check"
    if ! configure_in "$build" --with-slurm="$prefix" --with-slurm-source="$tree" --enable-werror; then
        leg_fail 26.05 "configure --with-slurm=$prefix failed"; return
    fi
    make -C "$build" -j2 > "$logs/make.log" 2>&1 ||
        { tail -n 40 "$logs/make.log"; leg_fail 26.05 "make failed"; return; }
    find "$build" -name '*.trs' -delete
    make -C "$build" -j2 -k check > "$logs/check.log" 2>&1
    rc=$?
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$logs/check.log"
    [ $rc -eq 0 ] || grep -E 'error:|Error [0-9]' "$logs/check.log" | head -n 20
    tally_make_check "$build/tests" $rc
    phase_end "26.05 make check"

    [ "${OCTO_SKIP_INTEGRATION:-0}" = 1 ] && return
    phase "26.05: integration tests on a cluster of 26.05 daemons"
    for f in $RELEASE_LEG_FILES; do files+=("tests/integration/$f.bats"); done
    rm -rf "$logs/api"
    OCTO_API_RECORD_DIR=$logs/api OCTO_SLURM_PREFIX=$prefix OCTO_TEST_INSTANCE=s2605 \
        tests/run-integration "$build" "${files[@]}" \
        2> "$logs/integration.stderr" | tee "$logs/integration.tap"
    leg_integration_done "${PIPESTATUS[0]}" "$logs" 26.05
}
