/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sr_fixture - the answers recorded from real slurmrestd releases
 * (tests/fixtures/slurmrestd/, named WHAT-VERSION-RELEASE.json), for the
 * Slurm REST layer's unit tests. Each fails the running cmocka test when
 * the file is missing or not what is asked for.
 */
#ifndef OCTOPUS_TEST_SR_FIXTURE_H
#define OCTOPUS_TEST_SR_FIXTURE_H

#include <stddef.h>
#include <json-c/json.h>

/* The file's bytes, NUL-terminated, its length in *len; free() it. */
char *fixture_slurp(const char *name, size_t *len);

/* The file as JSON (a new reference). */
json_object *fixture_load(const char *name);

/* The i-th element of the array at key (a borrowed reference). */
json_object *fixture_item(json_object *doc, const char *key, size_t i);

#endif
