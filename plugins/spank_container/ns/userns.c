/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int userns_map_one(pid_t pid, uid_t uid, gid_t gid)
{
	static const char *const file[3] = { "setgroups", "uid_map", "gid_map" };
	char path[64], map[64];

	for (int i = 0; i < 3; i++) {
		int fd, saved;

		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file[i]);
		if (i == 0)
			snprintf(map, sizeof(map), "deny");
		else
			snprintf(map, sizeof(map), "0 %u 1\n", i == 1 ? (unsigned)uid : (unsigned)gid);
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			return -1;
		if (write(fd, map, strlen(map)) != (ssize_t)strlen(map)) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* The namespace's only member: waits to be killed. */
static int idle_in_userns(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

/*
 * A user namespace mapping 0 to the job's user, for idmapped mounts: the
 * shared layer cache stays root's on disk, and in this step's overlay the
 * image's root-owned files are the user's, as enroot's per-user unpack makes
 * them. The member is cloned into the namespace sharing this process's
 * memory: no copy of the address space and no handshake, where a fork and
 * unshare() cost a step ~1 ms. -1 with errno.
 */
int userns_idmap(uid_t uid, gid_t gid)
{
	static char stack[16384] __attribute__((aligned(16)));
	int fd = -1, saved;
	char path[64];
	pid_t pid;

	pid = clone(idle_in_userns, stack + sizeof(stack), CLONE_NEWUSER | CLONE_VM | SIGCHLD, NULL);
	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (!userns_map_one(pid, uid, gid))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	saved = errno;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	errno = saved;
	return fd;
}
