/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_open - open files with a user's permissions, from a root process.
 *
 * A helper is forked that drops to the user's uid, gid and groups for good;
 * the root side sends it a path and gets an fd back over a socketpair
 * (SCM_RIGHTS). Whatever a user names (an OCI layout, a mount source) is
 * opened by the user: root never reads a file for them that they could not
 * read themselves, and no symlink a user plants is followed with root's
 * rights.
 */
#ifndef OCTOPUS_USER_OPEN_H
#define OCTOPUS_USER_OPEN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
	pid_t pid;
	int sock;
} user_opener_t;

int user_opener_start(user_opener_t *o, uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, char *err,
		      size_t errlen);

/* openat(dirfd_of_the_helper_cwd, path, flags) as the user: path is absolute,
 * or relative to base (an absolute directory) when base is not NULL.
 * Returns the fd, or -1 with err ("PATH: Permission denied"). */
int user_opener_open(user_opener_t *o, const char *base, const char *path, int flags, char *err, size_t errlen);

void user_opener_stop(user_opener_t *o);

#endif
