/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetch_module - the image pipeline's heavy half (the registry client on
 * libcurl, layer unpacking on libarchive) as a module of its own, which the
 * SPANK plugin loads only when a step must pull or unpack.
 *
 * Every srun, sbatch and slurmstepd loads the plugin; libcurl and
 * libarchive with their dependency trees (TLS, Kerberos, LDAP, ICU, ...)
 * cost ~17 ms of dynamic linking each time, while a step on a warm cache
 * needs neither. The table is versioned: a module from another build is
 * refused rather than called through a mismatched layout.
 */
#ifndef OCTOPUS_FETCH_MODULE_H
#define OCTOPUS_FETCH_MODULE_H

#include "layer_unpack.h"
#include "registry.h"

#define FETCH_MODULE_ABI 1
#define FETCH_MODULE_SYMBOL "octopus_image_fetch"
/* where the module lives, next to the plugin that loads it */
#define FETCH_MODULE_SUBPATH "octopus/image_fetch.so"

typedef struct {
	unsigned abi;
	size_t size;            /* sizeof(fetch_module_t) of the build that made it */
	registry_t *(*registry_new)(const img_ref_t *ref, const registry_opts_t *o, char *err, size_t errlen);
	void (*registry_free)(registry_t *r);
	int (*registry_manifest)(registry_t *r, const char *reference, char **body, size_t *len, char *media,
				 size_t medialen, char *err, size_t errlen);
	int (*registry_blob)(registry_t *r, const char *digest, int fd, uint64_t max, char *err, size_t errlen);
	int (*layer_unpack_fd)(int fd, int dirfd, const layer_limits_t *lim, layer_stats_t *st, char *err,
			       size_t errlen);
	int (*layer_unpack_verified)(int fd, const char *digest, uint64_t size, int dirfd, const layer_limits_t *lim,
				     layer_stats_t *st, char *err, size_t errlen);
} fetch_module_t;

#endif
