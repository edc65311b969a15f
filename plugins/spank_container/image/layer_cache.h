/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer_cache - the node's unpacked image layers, shared by every user and
 * job, keyed by digest:
 *
 *   ROOT/layers/sha256/<hex>/        an unpacked layer (an overlayfs lowerdir)
 *   ROOT/layers/sha256/<hex>.lock    flock: shared while in use, exclusive to
 *                                    unpack or remove
 *   ROOT/tmp/                        unpacking happens here, then rename()
 *
 * The warm path takes a shared lock and a stat; only a miss unpacks, under
 * the exclusive lock, so two jobs never unpack the same layer twice. The
 * directory's mtime is its last use, for LRU collection. ROOT is root's:
 * it must not be group- or world-writable.
 */
#ifndef OCTOPUS_LAYER_CACHE_H
#define OCTOPUS_LAYER_CACHE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "layer_unpack.h"
#include "oci_json.h"

typedef struct {
	char root[PATH_MAX / 2];
	layer_limits_t limits;
} layer_cache_t;

/* Create or check ROOT and its subdirectories. */
int layer_cache_open(layer_cache_t *c, const char *root, char *err, size_t errlen);

/* Called on a miss: an fd of the blob's bytes (closed by the cache), or -1
 * with err set. */
typedef int (*layer_blob_fn)(void *arg, const oci_blob_t *blob, char *err, size_t errlen);

typedef struct {
	char path[PATH_MAX];    /* the unpacked layer */
	int lock_fd;            /* holds it in use (shared lock) until closed */
	int unpacked;           /* 1: this call unpacked it (a miss) */
	layer_stats_t stats;    /* when unpacked */
} layer_ref_t;

int layer_cache_get(layer_cache_t *c, const oci_blob_t *blob, layer_blob_fn open_blob, void *arg,
		    layer_ref_t *ref, char *err, size_t errlen);

typedef struct {
	uint64_t layers, bytes;         /* what is cached */
	uint64_t removed, freed;        /* what a collection removed */
	uint64_t busy;                  /* skipped: in use */
} layer_cache_usage_t;

typedef void (*layer_cache_each_fn)(void *arg, const char *digest, uint64_t bytes, int64_t last_used, int busy);

/* Call each for every cached layer, least recently used first. */
int layer_cache_list(layer_cache_t *c, layer_cache_each_fn each, void *arg, layer_cache_usage_t *u, char *err,
		     size_t errlen);

/* Remove least-recently-used layers not in use until at most keep_bytes
 * remain (keep_bytes = UINT64_MAX: only measure). Stale tmp/ entries go too. */
int layer_cache_collect(layer_cache_t *c, uint64_t keep_bytes, layer_cache_usage_t *u, char *err, size_t errlen);

#endif
