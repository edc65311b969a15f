# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/lib/tally.sh - the test command's totals, sourced by scripts/test and
# by tests/tally-selftest.test. Every way a phase can go wrong must reach
# FAILED: a test that did not build, a TAP stream short of its plan or
# without one, a runner that exited non-zero with nothing counted.
#
# The functions add to PASSED, FAILED, SKIPPED and NOT_RUN (tests that never
# ran; also counted in FAILED) and explain each shortfall on stderr.

PASSED=${PASSED:-0} FAILED=${FAILED:-0} SKIPPED=${SKIPPED:-0} NOT_RUN=${NOT_RUN:-0}

tally_note() { echo "tally: $*" >&2; }

# tally_tap FILE [RC] : add a TAP stream's results. RC is the exit status of
# what wrote it; non-zero with no "not ok" and no shortfall is one failure.
tally_tap() {
    local file=$1 rc=${2:-0} p s f plan seen before=$FAILED
    p=$(grep -cE '^ok [0-9]+' "$file")
    s=$(grep -ciE '^ok [0-9]+.*# skip' "$file")
    f=$(grep -cE '^not ok [0-9]+' "$file")
    PASSED=$((PASSED + p - s)); SKIPPED=$((SKIPPED + s)); FAILED=$((FAILED + f))
    seen=$((p + f))
    plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$file" | head -n 1)
    if [ -z "$plan" ]; then
        FAILED=$((FAILED + 1))
        tally_note "$file: no TAP plan (1..N): the runner stopped before it said how many tests it has"
    elif [ "$seen" -lt "$plan" ]; then
        FAILED=$((FAILED + plan - seen)); NOT_RUN=$((NOT_RUN + plan - seen))
        tally_note "$file: plan 1..$plan but $seen results: $((plan - seen)) tests did not run"
    elif [ "$seen" -gt "$plan" ]; then
        FAILED=$((FAILED + 1))
        tally_note "$file: plan 1..$plan but $seen results"
    fi
    if grep -q '^Bail out!' "$file" && [ "$FAILED" -eq "$before" ]; then
        FAILED=$((FAILED + 1))
        tally_note "$file: $(grep -m1 '^Bail out!' "$file")"
    fi
    if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$before" ]; then
        FAILED=$((FAILED + 1))
        tally_note "$file: its runner exited $rc although every test it printed passed"
    fi
}

# tally_expected_tests MAKEDIR : the log basenames of every test that
# `make check` under MAKEDIR (and its SUBDIRS) is meant to run.
tally_expected_tests() {
    local mk d
    find "$1" -name Makefile -type f | while read -r mk; do
        d=$(dirname "$mk")
        grep -q '^TESTS = ' "$mk" || continue
        # a make of its own: inside make check, the parent's MAKEFLAGS
        # would have it print "Entering directory" lines
        env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$d" -f Makefile -f - \
            tally-print-tests 2>/dev/null <<'MK'
tally-print-tests:
	@for t in $(TESTS); do echo "TEST $(CURDIR)/$$t"; done
MK
    done | sed -n -E 's/^TEST (.*)/\1/p' | sed -E 's/\.(test|sh)$//'
}

# tally_make_check MAKEDIR RC : add automake's results under MAKEDIR. A test
# with no .trs did not build or did not run; RC is make check's status.
tally_make_check() {
    local dir=$1 rc=$2 r t missing=0 before=$FAILED
    r=$(find "$dir" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null | awk '{print $2}')
    PASSED=$((PASSED + $(grep -cx PASS <<< "$r")))
    SKIPPED=$((SKIPPED + $(grep -cx SKIP <<< "$r")))
    FAILED=$((FAILED + $(grep -cxE 'FAIL|ERROR|XPASS' <<< "$r")))
    while read -r t; do
        [ -n "$t" ] || continue
        if [ ! -f "$t.trs" ]; then
            missing=$((missing + 1))
            tally_note "${t#"$dir"/}: did not build or did not run"
        fi
    done < <(tally_expected_tests "$dir")
    FAILED=$((FAILED + missing)); NOT_RUN=$((NOT_RUN + missing))
    if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$before" ]; then
        FAILED=$((FAILED + 1))
        tally_note "$dir: make check exited $rc with no failing test counted (see its log)"
    fi
}
