/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The new mount API's constants and struct mount_attr, for the holder's files. */
#ifndef OCTOPUS_MOUNT_API_H
#define OCTOPUS_MOUNT_API_H

#include <fcntl.h>

/* <linux/mount.h> clashes with <sys/mount.h> on glibc 2.36 */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

struct octo_mount_attr {        /* struct mount_attr, which <sys/mount.h> of glibc 2.36 lacks */
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

#endif
