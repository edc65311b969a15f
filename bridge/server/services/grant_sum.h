/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * grant_sum - what a user's ledger grants add up to now, for one account
 * and machine type: the units granted (the association limit octopus-quota
 * sync sets) and until when at least `units` of them last. Pure.
 */
#ifndef OCTOPUS_GRANT_SUM_H
#define OCTOPUS_GRANT_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "grant_ledger.h"

/* *limit: UINT64_MAX when no grant is active now. *end: 0 when the active
 * grants hold fewer than units. */
void grant_sum(const gl_grant_t *g, size_t n, const char *account, const char *type, int64_t now, uint32_t units,
	       uint64_t *limit, int64_t *end);

#endif
