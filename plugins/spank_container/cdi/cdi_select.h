/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cdi_select - which CDI devices a step holds: the site maps GRES names
 * to CDI kinds (cdi_devices=gpu=nvidia.com/gpu,npu=example.com/npu), and
 * Slurm says which devices of each GRES the step was given
 * (SLURM_STEP_GPUS=0,2 in a step, SLURM_JOB_GPUS in the batch step; the
 * gres_npu plugin sets SLURM_STEP_NPUS and SLURM_STEP_FPGAS the same way):
 * gpu 0 and 2 become nvidia.com/gpu=0 and nvidia.com/gpu=2.
 */
#ifndef OCTOPUS_CDI_SELECT_H
#define OCTOPUS_CDI_SELECT_H

#include <stddef.h>

#define CDI_NAME_MAX 256
#define CDI_MAP_MAX 16

/* "vendor.com/class=name" as CDI defines it: 1 valid, 0 not. */
int cdi_name_valid(const char *name);

/* A cdi_devices= value: 0, or -1 with the bad entry and the form in err. */
int cdi_map_check(const char *map, char *err, size_t errlen);

/*
 * The names of the devices the step holds into names (max of them), *n set.
 * get reads the step's environment. 0, or -1 with the reason in err (more
 * devices than max, an index list Slurm would not write).
 */
int cdi_select(const char *map, int batch_step, const char *(*get)(const char *name, void *arg), void *arg,
	       char (*names)[CDI_NAME_MAX], size_t max, size_t *n, char *err, size_t errlen);

#endif
