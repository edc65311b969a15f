/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A running container seen from outside: which process holds it, what is bound into it late. */
#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errf.h"
#include "mount_api.h"

unsigned long long rootfs_pid_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the name may hold spaces and ')': fields count from the last ')' */
	if (!(p = strrchr(buf, ')')))
		return 0;
	/* state is field 3, starttime field 22 */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/*
 * A directory bound into the running container after it was built (what
 * Slurm makes between the build and the tasks, like the PMIx server's),
 * from src (an fd of it, O_PATH) to dst. slurm_spank_user_init runs with
 * the effective uid dropped to the user's: the child takes root back
 * (the saved uid) for the clone of src and the attach in the container's
 * mount namespace, and makes the mount point where it is missing.
 */
int rootfs_bind_late(const rootfs_holder_t *h, int src, const char *dst, char *err, size_t errlen)
{
	int status = 0;
	pid_t pid;

	if (dst[0] != '/' || strstr(dst, "/../") || strstr(dst, "/./"))
		return errf(err, errlen, "%s: not a plain absolute path", dst);
	if ((pid = fork()) < 0)
		return errf(err, errlen, "fork: %s", strerror(errno));
	if (pid == 0) {
		char path[PATH_MAX];
		size_t len = strlen(dst);
		int tree;

		if ((geteuid() && seteuid(0)) || (getegid() && setegid(0)))
			_exit(5);
		if ((tree = rootfs_detach_source(src, 1)) < 0)
			_exit(6);
		if (setns(h->ns_fd, CLONE_NEWNS) || len >= sizeof(path))
			_exit(2);
		memcpy(path, dst, len + 1);
		/* each missing component, as root inside (the step's own upper dir) */
		for (char *p = path + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				if (mkdir(path, 0755) && errno != EEXIST)
					_exit(3);
				*p = '/';
			}
		if (mkdir(path, 0755) && errno != EEXIST)
			_exit(3);
		_exit(syscall(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) ? 4 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return errf(err, errlen, "%s", WIFEXITED(status) && WEXITSTATUS(status) == 3
						? "cannot make the mount point in the container (a read-only container needs it in the image)"
						: "cannot be mounted in the container");
	return 0;
}
