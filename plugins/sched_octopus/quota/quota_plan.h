/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota_plan - what slurmdbd should hold, computed from the ledger.
 *
 * Pure: grants in, per (user, account, type) unit totals and grant-index
 * steps out. The caller (quota_sync.c) diffs this against sacctmgr.
 */
#ifndef OCTOPUS_QUOTA_PLAN_H
#define OCTOPUS_QUOTA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "grant_ledger.h"
#include "mt_grantidx.h"

typedef struct {
	char user[GL_NAME_MAX];
	char account[GL_NAME_MAX];
	char type[GL_NAME_MAX];
	uint32_t units;                 /* granted now */
	size_t nsteps;                  /* when the units run out */
	gi_step_t steps[GI_MAX_STEPS];
} plan_entry_t;

typedef struct {
	size_t n, cap;
	plan_entry_t *e;
} plan_t;

/* Add one grant as of `now` (grants that are revoked, ended or not yet
 * started add nothing). -1 on allocation failure. */
int plan_add(plan_t *p, const gl_grant_t *g, int64_t now);
plan_entry_t *plan_find(plan_t *p, const char *user, const char *account, const char *type);
/* Make sure a key exists (units 0): a limit that must be set back. */
int plan_touch(plan_t *p, const char *user, const char *account, const char *type);
void plan_free(plan_t *p);

#endif
