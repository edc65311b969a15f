/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "loopdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int loopdev_attach(int fd, char *dev, size_t devlen)
{
	int lc = open("/dev/loop-control", O_RDWR | O_CLOEXEC), saved = ENODEV;

	for (int tries = 0; lc >= 0 && tries < 16; tries++) {
		struct loop_config cfg;
		int n = ioctl(lc, LOOP_CTL_GET_FREE), lfd;

		if (n < 0)
			break;
		snprintf(dev, devlen, "/dev/loop%d", n);
		if ((lfd = open(dev, O_RDONLY | O_CLOEXEC)) < 0)
			break;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = (unsigned)fd;
		cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		if (!ioctl(lfd, LOOP_CONFIGURE, &cfg)) {
			close(lc);
			return lfd;
		}
		saved = errno;
		close(lfd);
		if (saved != EBUSY)     /* another process took it first: ask again */
			break;
	}
	if (lc >= 0)
		close(lc);
	errno = lc < 0 ? errno : saved;
	return -1;
}

