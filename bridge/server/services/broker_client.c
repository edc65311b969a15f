/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "broker_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* read until n bytes or EOF, each wait bounded */
static ssize_t read_some(int fd, char *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		if (poll(&p, 1, 25000) != 1 || (r = read(fd, buf + got, n - got)) < 0)
			return -1;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int broker_call(const char *socket_path, const char *line, char *head, size_t hl, char **data, size_t *dlen,
		size_t maxdata, char *why, size_t wl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t cap = hl + maxdata + 1, got;
	char *buf, *nl;
	ssize_t n;
	int fd;

	if (data)
		*data = NULL;
	if (dlen)
		*dlen = 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		snprintf(why, wl, "the file broker at %s: %s", socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	if (!(buf = malloc(cap))) {
		close(fd);
		snprintf(why, wl, "out of memory");
		return -1;
	}
	n = read_some(fd, buf, cap - 1);
	close(fd);
	if (n <= 0 || !(nl = memchr(buf, '\n', (size_t)n)) || (size_t)(nl - buf) >= hl) {
		free(buf);
		snprintf(why, wl, "the file broker at %s gave no answer", socket_path);
		return -1;
	}
	got = (size_t)n;
	memcpy(head, buf, (size_t)(nl - buf));
	head[nl - buf] = '\0';
	if (data) {
		size_t k = got - (size_t)(nl + 1 - buf);

		memmove(buf, nl + 1, k);
		buf[k] = '\0';
		*data = buf;
		*dlen = k;
	} else {
		free(buf);
	}
	return 0;
}
