/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs_hooks - what runs in the holder once the image and its mounts are
 * in place, before pivot_root: the site's hooks (hooks_dir, with
 * $OCTOPUS_ENVIRON), then the CDI devices' createContainer hooks (the OCI
 * state on stdin, runtime/bundle/config.json naming the root). The holder's
 * cwd is the step's runtime directory.
 */
#ifndef OCTOPUS_ROOTFS_HOOKS_H
#define OCTOPUS_ROOTFS_HOOKS_H

#include <stddef.h>

#include "rootfs.h"

/* 0, or -1 with the first failure (the hook's first output line) in err. */
int rootfs_run_hooks(const rootfs_spec_t *s, char *err, size_t errlen);

#endif
