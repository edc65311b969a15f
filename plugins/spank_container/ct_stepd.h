/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_stepd - the slurmstepd half of spank_container: before any task of
 * the step exists (root), bring the image into the node's cache as the
 * user, gather the mounts, and start the step's container namespace.
 */
#ifndef OCTOPUS_CT_STEPD_H
#define OCTOPUS_CT_STEPD_H

#include <limits.h>

#include "ct_cdi.h"
#include "ct_config.h"
#include "ct_image.h"
#include "ct_named.h"
#include "ct_options.h"
#include "ns/hook_env.h"
#include "ns/rootfs.h"
#include "spank_shim.h"

#define CT_ERR_MAX 768

typedef struct {
	int active;
	char error[CT_ERR_MAX];         /* reported by every task */
	ct_image_t image;
	rootfs_holder_t holder;
	char runtime[PATH_MAX / 2];
	ct_named_t named;               /* --container-name */
	int attached;                   /* joined a running named container: no holder of its own */
	char warning[CT_ERR_MAX];       /* said once by the node's first task, the step goes on */
	int entry_fd;                   /* --container-entrypoint: octopus-entrypoint (O_PATH), or -1 */
	int cwd_mounted;                /* the job's working directory is bound in */
	hook_env_t hook_env;            /* what the site hooks set for the tasks ($OCTOPUS_ENVIRON) */
	ct_cdi_t cdi;                   /* the CDI devices of the step's GRES */
} ct_step_t;

/* A zeroed step (static storage) made ready: its fds to -1. Not an
 * initializer: that would put the ~0.5 MB struct in the plugin's data,
 * read in and copied page by page as each step touches it. */
void ct_step_init(ct_step_t *step);

/* A variable of the step's environment (arg: the spank_t), NULL if unset;
 * the value lasts until the next call. */
const char *ct_step_getenv(const char *name, void *arg);

/* At the end of the step: the holder, the named container's records, the layer locks. */
void ct_step_end(ct_step_t *step);

/* 0, or -1 with the reason in step->error (for the tasks to report). */
int ct_step_build(spank_t sp, const ct_config_t *cfg, const ct_options_t *opts, ct_step_t *step);

/* slurm_spank_user_init: srun --mpi=pmix's server directories into the running
 * container. 0, or -1 with step->error. */
int ct_step_pmix_binds(const ct_config_t *cfg, ct_step_t *step, spank_t sp);

#endif
