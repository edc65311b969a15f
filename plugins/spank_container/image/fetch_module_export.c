/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one symbol image_fetch.so exports (see fetch_module.h). */
#include "fetch_module.h"

__attribute__((visibility("default"))) const fetch_module_t octopus_image_fetch = {
	.abi = FETCH_MODULE_ABI,
	.size = sizeof(fetch_module_t),
	.registry_new = registry_new,
	.registry_free = registry_free,
	.registry_manifest = registry_manifest,
	.registry_blob = registry_blob,
	.layer_unpack_fd = layer_unpack_fd,
	.layer_unpack_verified = layer_unpack_verified,
};
