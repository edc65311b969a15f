/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_message - the one-line messages users read from sbatch/srun/salloc
 * (and from `sbatch --test-only`, which runs the same code): stable
 * key=value fields first, then what happened and what to do next.
 */
#ifndef OCTOPUS_MT_MESSAGE_H
#define OCTOPUS_MT_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const char *type;
	uint32_t units;
	uint64_t granted;       /* UINT64_MAX: no grant */
	uint64_t in_use;
	int64_t grant_end;      /* epoch seconds; 0 unknown */
} mt_quota_view_t;

/* "octopus: type=a100x1 units=2 granted=2 in_use=2 grant_end=2026-12-01T00:00Z <action>" */
void mt_message_quota(char *buf, size_t len, const mt_quota_view_t *v, const char *action);

/* "octopus: rejected: <reason>" for shape/normalisation errors. */
void mt_message_rejected(char *buf, size_t len, const char *reason);

/* UTC "YYYY-MM-DDTHH:MMZ", or "-" for 0. */
void mt_format_time(char *buf, size_t len, int64_t t);

#endif
