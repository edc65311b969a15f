/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer_unpack - extract one OCI image layer (a tar stream, gzip/zstd or
 * plain) into an empty directory, safely, in overlayfs form.
 *
 * Every entry is created relative to the layer directory's fd, walking
 * each path component with O_NOFOLLOW: nothing lands outside the layer,
 * whatever the tar says (".." components are refused, leading '/' is
 * relative to the layer, a symlink in the layer is never followed while
 * unpacking, hard links must point inside). Device nodes and sockets are
 * dropped, setuid/setgid bits stripped, xattrs (file capabilities among
 * them) not restored. AUFS whiteouts become overlayfs ones: ".wh.NAME" a
 * 0:0 character device NAME, ".wh..wh..opq" the parent's
 * trusted.overlay.opaque=y. A layer that tries to escape is refused as a
 * whole; the caller throws away the half-built directory.
 */
#ifndef OCTOPUS_LAYER_UNPACK_H
#define OCTOPUS_LAYER_UNPACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t max_bytes;     /* file data, uncompressed; 0: no limit */
	uint64_t max_entries;   /* 0: no limit */
	int keep_owner;         /* chown entries to their tar uid/gid (needs root) */
} layer_limits_t;

typedef struct {
	uint64_t entries, files, dirs, symlinks, hardlinks, fifos;
	uint64_t whiteouts, opaque_dirs;
	uint64_t dropped_devices, stripped_setid;
	uint64_t bytes;
} layer_stats_t;

/* Unpack the stream on fd into dirfd (an empty directory). 0 on success;
 * -1 with "entry PATH: reason" in err. */
int layer_unpack_fd(int fd, int dirfd, const layer_limits_t *lim, layer_stats_t *st, char *err, size_t errlen);

/* The same, checking that the blob's bytes (read to the end) match digest
 * and, if size is not 0, its size: a mismatch fails after unpacking. */
int layer_unpack_verified(int fd, const char *digest, uint64_t size, int dirfd, const layer_limits_t *lim,
			  layer_stats_t *st, char *err, size_t errlen);

/* The same from memory (fuzzing, tests). */
int layer_unpack_mem(const void *buf, size_t len, int dirfd, const layer_limits_t *lim, layer_stats_t *st,
		     char *err, size_t errlen);

#endif
