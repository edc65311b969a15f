/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The octopus-quota commands that talk to Slurm: sync (ledger -> slurmdbd
 * and the grant index), show and why (a user's view).
 */
#ifndef OCTOPUS_QUOTA_CMDS_H
#define OCTOPUS_QUOTA_CMDS_H

#include <stdint.h>

#include "grant_ledger.h"
#include "mt_catalog.h"

/* Apply the ledger as of `now`. 0 when slurmdbd and the index match it. */
int quota_sync(ledger_t *l, const mt_catalog_t *cat, int noop, int64_t now);

int quota_show(const mt_catalog_t *cat, const char *user);
int quota_why(const mt_catalog_t *cat, const char *jobid);

#endif
