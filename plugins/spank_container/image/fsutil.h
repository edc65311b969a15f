/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsutil - file-tree chores done by fd, never following a symlink: the
 * trees they touch (half-unpacked layers, old cache entries) hold whatever
 * an image put there.
 */
#ifndef OCTOPUS_FSUTIL_H
#define OCTOPUS_FSUTIL_H

#include <stdint.h>

/* Remove name (a file or a whole tree) under dirfd. 0, or -1 with errno. */
int fs_remove_at(int dirfd, const char *name);

/* Bytes of regular-file data under dirfd/name (st_blocks based, as du). */
uint64_t fs_disk_usage_at(int dirfd, const char *name);

/* mkdir -p of an absolute path, each created directory with mode; 0 or -1. */
int fs_mkdir_p(const char *path, unsigned mode);

#endif
