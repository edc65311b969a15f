/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_cdi - the CDI devices of the GRES a step holds, in its container: the
 * site's cdi_devices= map and Slurm's SLURM_STEP_<GRES>S pick the devices
 * (cdi/cdi_select), their specs say what each needs (cdi/cdi_spec), and
 * here that becomes binds of the device nodes and the vendor's files,
 * variables for the tasks and createContainer hooks for the holder.
 * A device node is bound only where the container's /dev (the node's own)
 * does not already show it; who may open it is still the device cgroup's
 * call (ConstrainDevices), as for every device in /dev.
 */
#ifndef OCTOPUS_CT_CDI_H
#define OCTOPUS_CT_CDI_H

#include <stddef.h>

#include "cdi/cdi_spec.h"
#include "ct_config.h"
#include "ns/rootfs.h"

typedef struct {
	cdi_edits_t *edits;             /* NULL: no CDI device in this step */
	rootfs_hook_t hooks[CDI_MAX_ITEMS];
	size_t ndevices;
	char names[512];                /* the devices, for the log */
} ct_cdi_t;

/*
 * Add the step's CDI devices to spec (binds, hooks). get reads the step's
 * environment. 0 (also when the site maps no GRES or the step holds
 * none), or -1 with the reason, naming the device and its spec, in err.
 */
int ct_cdi_apply(const ct_config_t *cfg, int batch_step, const char *(*get)(const char *name, void *arg), void *arg,
		 ct_cdi_t *cdi, rootfs_spec_t *spec, char *err, size_t errlen);

/* The variables the devices' specs set ("NAME=VALUE"), for the tasks. */
char *const *ct_cdi_env(const ct_cdi_t *cdi, size_t *n);

void ct_cdi_free(ct_cdi_t *cdi);

#endif
