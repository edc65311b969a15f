/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_grantidx - the grant index: when each user's machine-type grants end.
 *
 * slurmdbd holds the limit (how many units); it has no field for when a
 * grant ends. `octopus-quota sync` writes that into a small text file, which
 * the plugin reloads off the submit path and consults to keep a job from
 * outliving its grant and to say "grant_end=..." in its messages.
 *
 * Format, one line per (uid, account, machine type), '#' comments:
 *   UID ACCOUNT TYPE UNITS@END [UNITS@END ...]
 * UNITS@END steps are ordered by END (epoch seconds) and mean "UNITS units
 * are granted until END"; units never rise along the steps.
 */
#ifndef OCTOPUS_MT_GRANTIDX_H
#define OCTOPUS_MT_GRANTIDX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define GI_MAX_ENTRIES  200000
#define GI_MAX_STEPS    16
#define GI_NAME_MAX     64

typedef struct {
	uint32_t units;
	int64_t end;
} gi_step_t;

typedef struct gi_entry {
	uint32_t uid;
	char account[GI_NAME_MAX];
	char type[GI_NAME_MAX];
	size_t nsteps;
	gi_step_t steps[GI_MAX_STEPS];
} gi_entry_t;

typedef struct grantidx grantidx_t;

/* Parse; NULL with a message (naming the line) in err on failure. */
grantidx_t *gi_parse(const char *text, size_t len, char *err, size_t errlen);
grantidx_t *gi_load(const char *path, char *err, size_t errlen);
void gi_free(grantidx_t *gi);
size_t gi_count(const grantidx_t *gi);

const gi_entry_t *gi_find(const grantidx_t *gi, uint32_t uid, const char *account, const char *type);

/* The latest time until which at least `units` are granted; 0 if never. */
int64_t gi_end_for_units(const gi_entry_t *e, uint32_t units);

/* Write one entry line (used by the writer in octopus-quota). */
int gi_write_entry(FILE *f, const gi_entry_t *e);

#endif
