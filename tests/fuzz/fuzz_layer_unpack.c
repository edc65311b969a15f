/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: layer tar streams (plain or compressed) unpacked into a
 * scratch directory. Nothing may appear beside the layer directory, whatever
 * the stream holds; memory and disk use are bounded by the limits. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer_unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[64];
static int topfd = -1;

/* Remove everything under dirfd (not dirfd itself); never follows symlinks. */
static void empty_dir(int dirfd)
{
	DIR *d = fdopendir(openat(dirfd, ".", O_RDONLY | O_DIRECTORY));  /* own offset, unlike dup() */
	struct dirent *e;

	if (!d)
		abort();
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

		if (sub < 0) {
			perror(e->d_name);
			abort();
		}
		fchmod(sub, 0700);
		empty_dir(sub);
		close(sub);
		if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR)) {
			perror(e->d_name);
			abort();
		}
	}
	closedir(d);
}

/* top holds exactly "layer" and "outside", and outside is empty */
static void check_contained(void)
{
	DIR *d = fdopendir(openat(topfd, ".", O_RDONLY | O_DIRECTORY));
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			n++;
			if (strcmp(e->d_name, "layer") && strcmp(e->d_name, "outside"))
				fprintf(stderr, "escaped: %s/%s\n", top, e->d_name);
		}
	if (!d || n != 2)
		abort();
	closedir(d);
	if (unlinkat(topfd, "outside", AT_REMOVEDIR) || mkdirat(topfd, "outside", 0755)) {
		fprintf(stderr, "escaped: something was written into %s/outside\n", top);
		abort();        /* removing fails on a non-empty directory */
	}
}

static void remove_scratch(void)
{
	empty_dir(topfd);
	rmdir(top);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	layer_limits_t lim = { 1 << 20, 2000, 0 };
	layer_stats_t st;
	char err[512];
	int layer;

	if (topfd < 0) {
		snprintf(top, sizeof(top), "/tmp/fuzz-unpack-XXXXXX");
		if (!mkdtemp(top) || (topfd = open(top, O_RDONLY | O_DIRECTORY)) < 0 ||
		    mkdirat(topfd, "layer", 0755) || mkdirat(topfd, "outside", 0755))
			abort();
		atexit(remove_scratch);
	}
	layer = openat(topfd, "layer", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (layer < 0)
		abort();
	layer_unpack_mem(data, size, layer, &lim, &st, err, sizeof(err));
	check_contained();
	empty_dir(layer);
	close(layer);
	return 0;
}
