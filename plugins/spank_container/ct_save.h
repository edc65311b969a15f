/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_save - --container-save=PATH: when the step ends, the container's
 * root (the image with what the step changed, its own mounts left out) is
 * written to PATH as a squashfs image by the node's mksquashfs, the form
 * Pyxis saves and --container-image=PATH takes again. mksquashfs runs as
 * the user, in the node's filesystem, from a directory fd of the
 * container's root taken in its mount namespace: it reads only what the
 * user may read, and writes PATH with the user's rights. Files are stored
 * as root's (-all-root), like an image's. An OCI image's Env becomes the
 * saved image's /etc/environment, where enroot keeps it and where
 * --container-image reads it back.
 */
#ifndef OCTOPUS_CT_SAVE_H
#define OCTOPUS_CT_SAVE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
	const char *mksquashfs;         /* the node's, absolute */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
	char *const *env;               /* the image's Env for /etc/environment; NULL: keep the file */
	size_t nenv;
} ct_save_user_t;

/*
 * Save the root of ns_pid's mount namespace to path (relative: to cwd).
 * Blocks until mksquashfs ends. 0, or -1 with the reason (mksquashfs's
 * first line of output, or why it could not run) in err.
 */
int ct_save_squashfs(pid_t ns_pid, const char *path, const char *cwd, const ct_save_user_t *u, char *err,
		     size_t errlen);

#endif
