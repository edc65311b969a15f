/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unix_service.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t svc_stop;
static const char *prog_name = "octopus";

static void on_signal(int sig)
{
	(void)sig;
	svc_stop = 1;
}

void svc_init(const char *prog)
{
	struct sigaction sa = { .sa_handler = on_signal };

	prog_name = prog;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void svc_log(const char *fmt, ...)
{
	va_list ap;
	char t[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
	fprintf(stderr, "%sZ %s: ", t, prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void svc_say(int fd, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf) && write(fd, buf, (size_t)n) < 0)
		return;
}

int svc_listen(const char *path, uid_t owner)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		svc_log("--socket %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* a stale socket from a previous run, never any other file */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			svc_log("--socket %s exists and is not a socket; not touching it", path);
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc || chown(path, owner, (gid_t)-1) || chmod(path, 0600) || listen(fd, 64)) {
		svc_log("--socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int svc_peer_ok(int fd, uid_t owner, struct ucred *cred)
{
	socklen_t cl = sizeof(*cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &cl) && (cred->uid == owner || cred->uid == 0);
}

size_t svc_read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < cap - 1 && (!got || buf[got - 1] != '\n')) {
		ssize_t n;

		if (poll(&p, 1, timeout_ms) != 1 || (n = read(fd, buf + got, cap - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

void svc_loop(int lfd, const char *path, void (*serve)(int fd, void *arg), void (*tick)(void), void *arg)
{
	while (!svc_stop) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int fd;

		if (tick)
			tick();
		if (poll(&p, 1, tick ? 200 : 1000) != 1 || (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		serve(fd, arg);
		close(fd);
	}
	close(lfd);
	unlink(path);
}
