/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_plan - a prepared image written down (layer digests and the config),
 * for --container-name: a later step starts the kept container from this
 * node's cache, with no registry and no --container-image.
 */
#ifndef OCTOPUS_CT_PLAN_H
#define OCTOPUS_CT_PLAN_H

#include <stddef.h>

#include "ct_image.h"

/*
 * A prepared image as a plan (layer digests and the config) in a file only
 * root writes, so a named container can start again with no registry and no
 * --container-image: its layers come from the node's cache. image is the
 * reference as the user gave it, kept for messages.
 */
int ct_plan_write(const ct_image_t *img, const char *image, int dirfd, const char *name, char *err,
		  size_t errlen);
int ct_plan_load(int dirfd, const char *name, layer_cache_t *cache, ct_image_t *img, char *image,
		 size_t imagelen, char *err, size_t errlen);

#endif
