/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota_slurm - octopus-quota's view of Slurm, through the admin's own
 * client commands (sacctmgr, squeue): association limits in, limit changes
 * out. Commands run without a shell, with bounded output.
 */
#ifndef OCTOPUS_QUOTA_SLURM_H
#define OCTOPUS_QUOTA_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include "quota_plan.h"

/* Run argv, capture stdout (at most 16 MB) into *out (malloc'd, NUL-ended);
 * stderr is captured into err. Returns the exit status, -1 if it could not run. */
int qs_run(char *const argv[], char **out, char *err, size_t errlen);

/* Current license/mt_* GrpTRES limits of user associations (no partition). */
int qs_read_limits(plan_t *current, char *err, size_t errlen);

/* Set "license/mt_a=N,license/mt_b=M" on user@account. */
int qs_set_limits(const char *user, const char *account, const char *spec, char *err, size_t errlen);

/* mt_<type> units held by the user's running jobs, summed per type. */
int qs_running_units(const char *user, plan_t *used, char *err, size_t errlen);

#endif
