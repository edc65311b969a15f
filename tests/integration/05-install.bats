#!/usr/bin/env bats
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
    run "$OCTO_STAGE_PREFIX/share/octopus-slurm/cluster/cluster" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"cluster [-i INSTANCE] up"* ]]
}
