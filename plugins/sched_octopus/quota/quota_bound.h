/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota_bound - keep jobs that queued before their grant inside it.
 *
 * job_submit/octopus gives every job admitted under a grant a deadline at
 * the grant's end. A job accepted with no grant (OnNoGrant=pend) has no end
 * to be held to; when `sync` raises its limit, this sets the deadline, a
 * capped time limit and TimeMin=1 on those pending jobs with scontrol, as
 * the plugin would have done at submission.
 */
#ifndef OCTOPUS_QUOTA_BOUND_H
#define OCTOPUS_QUOTA_BOUND_H

#include <stddef.h>
#include <stdint.h>

#include "mt_grantidx.h"

/* Bound user@account's pending jobs charging mt_<type> that have no deadline
 * or one past the grant's end. steps: the grant's UNITS@END steps.
 * Returns the number of jobs that could not be updated. */
int quota_bound_queued(const char *user, const char *account, const char *type, const gi_step_t *steps,
		       size_t nsteps, int64_t now);

/* "UNLIMITED", "[D-]HH:MM:SS", "MM:SS" -> minutes (UINT32_MAX: unlimited);
 * -1 if unreadable. */
int quota_parse_time_limit(const char *s, uint32_t *minutes);

#endif
