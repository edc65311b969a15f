# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/test's Slurm 24.11 leg: Debian 13's packages in a debootstrapped
# root (scripts/release-root, cached), this tree bind-mounted at /src and
# built in build-trixie/ with -Werror, then make check (unit tests, plugin
# symbols against 24.11's daemons and loader), then the integration files
# of every plugin and the bridge ($RELEASE_LEG_FILES) on a cluster of
# Debian 13's 24.11 daemons and MariaDB 11.8, booted by the harness inside
# the root. Sourced by scripts/test: uses its phase, tally and leg helpers.

leg_trixie() {
    local root tree rc build=$ROOT/build-trixie logs=$ROOT/build-trixie/test-logs
    phase "24.11: the Debian 13 root (debootstrap, install-deps, slurm-source; cached)"
    root=$(scripts/release-root trixie 2> "$LOGS/release-root.log") ||
        { tail -n 20 "$LOGS/release-root.log"; leg_fail 24.11 "scripts/release-root failed"; return; }
    tree=$(cd "$root" && ls -d var/cache/octopus-slurm/slurm-wlm-24.11* 2>/dev/null | tail -n1)
    [ -n "$tree" ] || { leg_fail 24.11 "no Slurm 24.11 source tree in $root"; return; }
    echo "root $root, Slurm internal headers /$tree"
    phase_end "24.11 root"

    . "$ROOT/scripts/lib/in-root.sh"
    mkdir -p "$logs"
    phase "24.11: build (-Werror) and make check in the Debian 13 root"
    OCTOPUS_IN_ROOT_BINDS="$ROOT:/src" in_root "$root" /bin/sh -c '
        cd /src/build-trixie || exit 1
        if [ ! -f config.status ] || [ ../configure -nt config.status ]; then
            ../configure --with-slurm-source=/'"$tree"' --enable-werror > configure.log 2>&1 ||
                { tail -n 30 configure.log; exit 2; }
        fi
        make -j2 > test-logs/make.log 2>&1 || { tail -n 40 test-logs/make.log; exit 3; }
        find . -name "*.trs" -delete
        make -j2 -k check > test-logs/check.log 2>&1' < /dev/null
    rc=$?
    case $rc in
        2) leg_fail 24.11 "configure failed in the Debian 13 root"; return ;;
        3) leg_fail 24.11 "make failed in the Debian 13 root"; return ;;
    esac
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$logs/check.log"
    [ $rc -eq 0 ] || grep -E 'error:|Error [0-9]' "$logs/check.log" | head -n 20
    tally_make_check "$build/tests" $rc
    phase_end "24.11 make check"

    [ "${OCTO_SKIP_INTEGRATION:-0}" = 1 ] && return
    phase "24.11: integration tests on a cluster of 24.11 daemons in the Debian 13 root"
    local f files=""
    for f in $RELEASE_LEG_FILES; do files="$files tests/integration/$f.bats"; done
    rm -rf "$logs/api"
    OCTOPUS_IN_ROOT_BINDS="$ROOT:/src" in_root "$root" /bin/sh -c '
        cd /src && OCTO_API_RECORD_DIR=/src/build-trixie/test-logs/api OCTO_TEST_INSTANCE=t2411 \
            tests/run-integration build-trixie '"$files"' 2> build-trixie/test-logs/integration.stderr' \
        < /dev/null | tee "$logs/integration.tap"
    leg_integration_done "${PIPESTATUS[0]}" "$logs" 24.11
}
