/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rootfs_overlay - the image's layers (or squashfs file) as the overlay at rootfs/, in the holder. */
#ifndef OCTOPUS_ROOTFS_OVERLAY_H
#define OCTOPUS_ROOTFS_OVERLAY_H

#include <stddef.h>

#include "rootfs.h"

/* 0, or -1 with the reason in err. */
int rootfs_overlay(const rootfs_spec_t *s, char *err, size_t errlen);

#endif
