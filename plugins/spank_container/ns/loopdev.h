/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopdev - an image file on a free loop device (LOOP_CONFIGURE, so the
 * file and its flags are set in one call), read-only and AUTOCLEAR: the
 * device frees itself with its last mount, so a step that dies leaves no
 * loop device behind.
 */
#ifndef OCTOPUS_LOOPDEV_H
#define OCTOPUS_LOOPDEV_H

#include <stddef.h>

/* The device's fd, its path in dev; -1 with errno. */
int loopdev_attach(int fd, char *dev, size_t devlen);

#endif
