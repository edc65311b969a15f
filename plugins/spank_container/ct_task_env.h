/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The task's environment and command inside the container (slurmstepd, task_init). */
#ifndef OCTOPUS_CT_TASK_ENV_H
#define OCTOPUS_CT_TASK_ENV_H

#include <stddef.h>

#include "ct_options.h"
#include "ct_stepd.h"
#include "spank_shim.h"

/* The submit host's locale variables, but those --container-env names. */
void ct_task_drop_locale(spank_t sp, const ct_options_t *opts);

/* NAME=VALUE entries over the job's (expand: "${SLURM_...}" from the task's
 * own); what --container-env names and the job has stays. -1 when an
 * expanded value does not fit. */
int ct_task_set_env(spank_t sp, const ct_options_t *opts, char *const *env, size_t n, int expand);

/* --container-entrypoint: the task's argv[0] becomes octopus-entrypoint with
 * the plan in the environment. -1 after saying why on stderr (label names
 * the container). */
int ct_task_through_entrypoint(spank_t sp, const ct_step_t *step, const ct_options_t *opts, const char *label);

/* srun --mpi=pmix: PMIX_MCA_ptl/psec/gds from the server's PMIX_*_MODULE/MODE, where unset. */
void ct_task_pmix_env(spank_t sp);

#endif
