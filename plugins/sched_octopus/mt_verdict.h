/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_verdict - what a job of `units` units of machine type t meets, given
 * the user's grant: its limit (units), the units in use, and when the grant
 * ends. job_submit/octopus decides with it in slurmctld, and octopus-bridge
 * before it submits (slurmrestd 22.05 drops job_submit's message, so the
 * bridge must give the same one line itself). Pure C: the callers look the
 * numbers up.
 */
#ifndef OCTOPUS_MT_VERDICT_H
#define OCTOPUS_MT_VERDICT_H

#include <stdint.h>

#include "mt_catalog.h"

#define MT_VERDICT_MSG_MAX 640
#define MT_NO_LIMIT UINT64_MAX          /* no grant at all */

typedef struct {
	int reject;                     /* 1: refuse the job with msg */
	char msg[MT_VERDICT_MSG_MAX];   /* may be empty (nothing to say) */
	int64_t deadline;               /* >0: the job must end by then */
	uint32_t time_cap;              /* >0: its time limit may not exceed this (minutes) */
} mt_grant_verdict_t;

/* time_limit_min: the job's limit in minutes, 0 for none/infinite. */
void mt_grant_verdict(const mt_catalog_t *cat, const mt_type_t *t, const char *account, uint32_t units,
		      uint64_t limit, uint64_t used, int64_t end, int64_t now, uint32_t time_limit_min,
		      mt_grant_verdict_t *v);

/* The "what to do next" text of the catalog (QuotaHint=, or the default). */
const char *mt_quota_hint(const mt_catalog_t *cat);

#endif
