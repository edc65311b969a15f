/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_stepd_named - the slurmstepd steps of --container-name, for
 * ct_step_build: join the running container of that name, or take its
 * lock and go on from what it kept (ct_named records, ct_plan images),
 * and the upper directory the new mount uses.
 */
#ifndef OCTOPUS_CT_STEPD_NAMED_H
#define OCTOPUS_CT_STEPD_NAMED_H

#include <stddef.h>
#include <stdint.h>

#include "ct_stepd.h"

/* Before the image: 1 joined a running container (nothing to build), 0 go
 * on (*img_from_plan: the image comes from the kept plan), -1 error in step. */
int ct_stepd_open_named(const ct_config_t *cfg, const ct_options_t *opts, ct_step_t *step, uint32_t jobid,
			uint32_t nodeid, layer_cache_t *cache, int *img_from_plan);

/* A kept container made from another image is refused: -1 with step->error. */
int ct_stepd_named_same_image(const ct_options_t *opts, ct_step_t *step, layer_cache_t *cache);

/* After the image: the kept upper dir for spec (upper_ro: its path when another step owns it). */
int ct_stepd_use_named(const ct_options_t *opts, ct_step_t *step, rootfs_spec_t *spec, char *upper_ro, size_t len);

#endif
