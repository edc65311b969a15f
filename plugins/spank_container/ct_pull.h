/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_pull - an image's layers from its registry into the layer cache,
 * several at once: each worker thread has its own registry connection and
 * takes the next layer, downloading it to an unnamed file in the cache's
 * tmp dir and unpacking it (layer_cache_get). Unpacking is CPU-bound
 * (gunzip, SHA-256), so layers unpack side by side on the node's cores
 * while others download. A layer two workers want waits on the cache's own
 * per-layer lock, as two steps pulling it would.
 */
#ifndef OCTOPUS_CT_PULL_H
#define OCTOPUS_CT_PULL_H

#include <stddef.h>

#include "ct_image.h"

#define CT_PULL_WORKERS_MAX 8

/*
 * Every layer of m into img->layers (in the manifest's order, each held),
 * with reg_ref/ro saying where from. -1 with the first failing layer's
 * reason in err; whatever was got is in img (nlayers) for ct_image_release.
 */
int ct_pull_layers(layer_cache_t *cache, const oci_manifest_t *m, const img_ref_t *reg_ref, const registry_opts_t *ro,
		   unsigned workers, ct_image_t *img, char *err, size_t errlen);

#endif
