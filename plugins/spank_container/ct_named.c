/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_named.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errf.h"
#include "image/fsutil.h"
#include "ns/rootfs.h"

int ct_named_open(ct_named_t *n, const char *runtime_dir, uint32_t jobid, const char *name, uint32_t nodeid,
		  char *err, size_t errlen)
{
	snprintf(n->dir, sizeof(n->dir), "%s/%u.name.%s.%u", runtime_dir, jobid, name, nodeid);
	if (fs_mkdir_p(n->dir, 0700) ||
	    (n->dirfd = open(n->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errf(err, errlen, "--container-name %s: %.300s: %s", name, n->dir, strerror(errno));
	return 0;
}

int ct_named_exists(const ct_named_t *n)
{
	return !faccessat(n->dirfd, CT_NAMED_PLAN, F_OK, AT_SYMLINK_NOFOLLOW);
}

int ct_named_running(const ct_named_t *n, pid_t *pid, int *remap_root, int *unshare)
{
	char buf[96];
	unsigned long long start;
	ssize_t len;
	int fd, p, r, u;

	if ((fd = openat(n->dirfd, "running", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	/* a pid reused since (the step was killed before it could clean up) is not it */
	if (sscanf(buf, "%d %llu %d %d", &p, &start, &r, &u) != 4 || p <= 0 || rootfs_pid_start(p) != start)
		return 0;
	*pid = p;
	*remap_root = r;
	*unshare = u;
	return 1;
}

int ct_named_lock(ct_named_t *n)
{
	int fd = openat(n->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int busy = errno == EWOULDBLOCK;

		close(fd);
		return busy ? 1 : -1;
	}
	n->lock_fd = fd;
	return 0;
}

int ct_named_reset(ct_named_t *n)
{
	static const char *const parts[] = { "upper", "work", CT_NAMED_PLAN, "running" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (fs_remove_at(n->dirfd, parts[i]) && errno != ENOENT)
			return -1;
	return 0;
}

int ct_named_mark_running(ct_named_t *n, pid_t pid, int remap_root, int unshare)
{
	char line[96];
	int fd, len;

	len = snprintf(line, sizeof(line), "%d %llu %d %d\n", (int)pid, rootfs_pid_start(pid), remap_root ? 1 : 0,
		       unshare);
	if ((fd = openat(n->dirfd, "running.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (write(fd, line, (size_t)len) != len || close(fd) || renameat(n->dirfd, "running.tmp", n->dirfd, "running")) {
		unlinkat(n->dirfd, "running.tmp", 0);
		return -1;
	}
	n->marked = 1;
	return 0;
}

void ct_named_close(ct_named_t *n)
{
	if (n->marked && n->dirfd >= 0)
		unlinkat(n->dirfd, "running", 0);
	n->marked = 0;
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	n->lock_fd = -1;
	if (n->dirfd >= 0)
		close(n->dirfd);
	n->dirfd = -1;
}
