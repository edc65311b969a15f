/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "user_open.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* request: flags (int) + base length (u32) + path length (u32) + base + path */
typedef struct {
	int flags;
	unsigned blen, plen;
} req_t;

static int send_fd(int sock, int fd, int err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(err) ? 0 : -1;
}

static int read_full(int fd, void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static void serve(int sock)
{
	char base[PATH_MAX], path[PATH_MAX];
	req_t r;

	while (read_full(sock, &r, sizeof(r)) == 0) {
		int fd = -1, e = 0, dir = AT_FDCWD;

		if (r.blen >= sizeof(base) || r.plen >= sizeof(path) || read_full(sock, base, r.blen) ||
		    read_full(sock, path, r.plen))
			_exit(1);
		base[r.blen] = path[r.plen] = '\0';
		if (r.blen && (dir = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			e = errno;
		if (!e && (fd = openat(dir, path, (r.flags & ~O_CREAT) | O_CLOEXEC)) < 0)
			e = errno;
		if (dir >= 0)
			close(dir);
		if (send_fd(sock, fd, e))
			_exit(1);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

int user_opener_start(user_opener_t *o, uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, char *err,
		      size_t errlen)
{
	int sv[2];

	o->pid = -1;
	o->sock = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	o->pid = fork();
	if (o->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (o->pid == 0) {
		close(sv[0]);
		/* keep nothing of the parent's: it may be slurmstepd holding job I/O */
		if (sv[1] > 3 && close_range(3, (unsigned)sv[1] - 1, 0))
			_exit(1);
		close_range((unsigned)sv[1] + 1, ~0U, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* for good: real, effective and saved ids, groups first */
		if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid) ||
		    (uid != 0 && setresuid(0, 0, 0) == 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(1);
		serve(sv[1]);
	}
	close(sv[1]);
	o->sock = sv[0];
	return 0;
}

int user_opener_open(user_opener_t *o, const char *base, const char *path, int flags, char *err, size_t errlen)
{
	req_t r = { flags, base ? (unsigned)strlen(base) : 0, (unsigned)strlen(path) };
	char cbuf[CMSG_SPACE(sizeof(int))];
	int e = 0, fd = -1;
	struct iovec iov = { &e, sizeof(e) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	char msg[sizeof(r) + 2 * PATH_MAX];

	if (o->sock < 0 || r.blen >= PATH_MAX || r.plen >= PATH_MAX) {
		snprintf(err, errlen, "%.200s: path too long", path);
		return -1;
	}
	memcpy(msg, &r, sizeof(r));
	memcpy(msg + sizeof(r), base ? base : "", r.blen);
	memcpy(msg + sizeof(r) + r.blen, path, r.plen);
	if (write(o->sock, msg, sizeof(r) + r.blen + r.plen) != (ssize_t)(sizeof(r) + r.blen + r.plen) ||
	    recvmsg(o->sock, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(e)) {
		snprintf(err, errlen, "%.200s: the helper that opens files as the user is gone", path);
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0) {
		snprintf(err, errlen, "%s%s%.200s: %s", base ? base : "", base ? "/" : "", path, strerror(e ? e : EIO));
		errno = e ? e : EIO;
		return -1;
	}
	return fd;
}

void user_opener_stop(user_opener_t *o)
{
	if (o->sock >= 0)
		close(o->sock);
	if (o->pid > 0)
		waitpid(o->pid, NULL, 0);
	o->sock = -1;
	o->pid = -1;
}
