/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_daemon - podman:// and dockerd:// images (enroot's local daemons):
 * `podman image save --format oci-archive NAME` or `docker save NAME`,
 * run as the job's user with the job's groups, its output an OCI archive
 * on a pipe that the caller unpacks like oci-archive:. The user's own
 * podman storage, or what the node's Docker daemon lets the user's groups
 * reach: nothing root could read for them. Bounded by a timeout: a
 * watchdog process kills the tool's process group, children included.
 */
#ifndef OCTOPUS_CT_DAEMON_H
#define OCTOPUS_CT_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#include "image/image_ref.h"

#define CT_DAEMON_ENV_MAX 16

typedef struct ct_daemon_user {
	const char *podman, *docker;    /* the node's tools, absolute; "" or NULL: refused */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
	const char *home;
	char *const *job_env;           /* the job's environment: DOCKER_HOST, XDG_*, CONTAINERS_* come along */
	unsigned timeout_s;
} ct_daemon_user_t;

typedef struct {
	pid_t pid;
	pid_t watchdog;                 /* kills the tool's process group at timeout_s */
	int out;                        /* the archive stream (read end) */
	int errfd;                      /* what the tool said (an anonymous file) */
	unsigned timeout_s;
	char tool[16];                  /* "podman image save", for messages */
} ct_daemon_run_t;

/* Start the save of ref (IMG_PODMAN or IMG_DOCKERD). 0, or -1 with why in err. */
int ct_daemon_save_start(const img_ref_t *ref, const ct_daemon_user_t *u, ct_daemon_run_t *run, char *err,
			 size_t errlen);

/* Close the stream and wait: 0 if the tool exited 0; -1 with its last line in err. */
int ct_daemon_save_finish(ct_daemon_run_t *run, char *err, size_t errlen);

#endif
