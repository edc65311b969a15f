#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install DESTDIR=...` (run by tests/run-integration before the cluster
# boots, which loads plugins from that staged tree) lays files out for a
# Debian Slurm site.
load helpers

@test "no libtool archives or static libraries are installed" {
    [ "$(find "$OCTO_STAGE" -name '*.la' -o -name '*.a' | wc -l)" -eq 0 ]
}

@test "test fixtures are never installed" {
    [ "$(find "$OCTO_STAGE" -path "$OCTO_STAGE/fixtures" -prune -o -name '*octotest*' -print | wc -l)" -eq 0 ]
}

@test "the installed octopus-cluster runs the installed harness" {
    # the wrapper points at the final prefix, not the staging dir
    grep -q "exec ${OCTO_STAGE_PREFIX#$OCTO_STAGE}/share/octopus-slurm/cluster/cluster" "$OCTO_STAGE_PREFIX/bin/octopus-cluster"
    [ -x "$OCTO_STAGE_PREFIX/share/octopus-slurm/cluster/cluster" ]
    [ -f "$OCTO_STAGE_PREFIX/share/octopus-slurm/cluster/templates/slurm.conf.in" ]
    # every file the harness sources ships with it (a missing one breaks --help)
    for f in "$BATS_TEST_DIRNAME"/../cluster/lib/* "$BATS_TEST_DIRNAME"/../cluster/templates/*; do
        rel=${f#"$BATS_TEST_DIRNAME"/../}
        [ -e "$OCTO_STAGE_PREFIX/share/octopus-slurm/$rel" ] || { echo "not installed: $rel" >&3; return 1; }
    done
    run "$OCTO_STAGE_PREFIX/share/octopus-slurm/cluster/cluster" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"cluster [-i INSTANCE] up"* ]]
}

@test "the grant ledger: one default path everywhere, and init makes it writable by the bridge's group" {
    q=$OCTO_STAGE_PREFIX/bin/octopus-quota
    # the command's default, the sync unit's and the bridge example's are one file
    run "$q" --help
    [[ "$output" == *"--ledger /var/lib/octopus/grants.db"* ]]
    unit=$OCTO_STAGE_PREFIX/share/octopus-slurm/contrib/systemd/octopus-quota-sync.service
    grep -q 'octopus-quota --ledger /var/lib/octopus/grants.db sync' "$unit"
    refute grep -q '^StateDirectory' "$unit"
    grep -q '^Ledger=/var/lib/octopus/grants.db' "$OCTO_STAGE_PREFIX/share/octopus-slurm/contrib/bridge/bridge.conf.example"
    # init, as a site runs it once
    getent group octopus >/dev/null || groupadd --system octopus
    t=$(mktemp -d)
    run "$q" --ledger "$t/lib/octopus/grants.db" init --group octopus
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    [ "$(stat -c '%a %U %G' "$t/lib/octopus")" = "2770 root octopus" ]
    [ "$(stat -c '%a %U %G' "$t/lib/octopus/grants.db")" = "660 root octopus" ]
    chmod 755 "$t" "$t/lib"
    # a member of the group (not root) records a grant: what the bridge does
    run setpriv --reuid=nobody --regid=nogroup --groups="$(getent group octopus | cut -d: -f3)" -- \
        sqlite3 "$t/lib/octopus/grants.db" "INSERT INTO applied (user, account, machine_type, units) VALUES ('probe', 'probe', 'probe', 1)"
    [ "$status" -eq 0 ] || { echo "$output" >&3; return 1; }
    # and a second init changes nothing it should not
    run "$q" --ledger "$t/lib/octopus/grants.db" init --group octopus
    [ "$status" -eq 0 ]
    run "$q" --ledger "$t/lib/octopus/grants.db" init --group no-such-group-here
    [ "$status" -ne 0 ]
    [[ "$output" == *"groupadd --system no-such-group-here"* ]]
    rm -rf "$t"
}
