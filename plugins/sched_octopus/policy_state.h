/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_state - the catalog and grant index job_submit/octopus works from.
 *
 * Loaded at init; a watcher thread reloads octopus.conf when slurmctld
 * reconfigures and the grant index when its file changes. Both are swapped
 * by pointer: a broken file keeps the previous version in force and logs
 * the file, line and reason. Nothing here runs on the submit path except
 * policy_acquire()/policy_release(), which take a read lock.
 */
#ifndef OCTOPUS_POLICY_STATE_H
#define OCTOPUS_POLICY_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "mt_catalog.h"
#include "mt_grantidx.h"

typedef struct {
	mt_catalog_t *cat;
	size_t nexempt;
	uid_t exempt_uids[MT_MAX_EXEMPT];
} policy_t;

/* Load octopus.conf (failure is fatal at init only) and start the watcher. */
int policy_start(const char *conf_path);
void policy_stop(void);

/* Read access for one submission; pair every acquire with a release. The
 * policy may be NULL only before a first successful load. */
void policy_acquire(const policy_t **pol, const grantidx_t **gi);
void policy_release(void);

bool policy_uid_exempt(const policy_t *pol, uid_t uid);

#endif
