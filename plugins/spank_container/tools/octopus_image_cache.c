/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-image-cache - the admin's view of a node's container layer cache.
 *
 *   octopus-image-cache [--cache DIR] list
 *   octopus-image-cache [--cache DIR] prune --keep SIZE     (e.g. 50G, 0)
 *
 * prune removes least-recently-used layers until at most SIZE remain,
 * never a layer a running container uses, plus unpacks that died halfway.
 * Run it from cron or a systemd timer on each node.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/layer_cache.h"

#define DEFAULT_CACHE "/var/lib/octopus/containers"

static int usage(void)
{
	fprintf(stderr, "usage: octopus-image-cache [--cache DIR] list\n"
			"       octopus-image-cache [--cache DIR] prune --keep SIZE   (bytes, or with K/M/G/T)\n"
			"The default DIR is " DEFAULT_CACHE " (cache_dir= in plugstack.conf).\n");
	return 2;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case 'T': case 't': shift = 40; break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void human(uint64_t b, char *buf, size_t len)
{
	const char *unit = "B";
	double v = (double)b;

	if (b >= 1ull << 30) { v /= (double)(1ull << 30); unit = "G"; }
	else if (b >= 1ull << 20) { v /= (double)(1ull << 20); unit = "M"; }
	else if (b >= 1ull << 10) { v /= (double)(1ull << 10); unit = "K"; }
	snprintf(buf, len, "%.1f%s", v, unit);
}

static void print_layer(void *arg, const char *digest, uint64_t bytes, int64_t used, int busy)
{
	char size[32], when[32];
	time_t t = (time_t)used;
	struct tm tm;

	(void)arg;
	human(bytes, size, sizeof(size));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime_r(&t, &tm));
	printf("%-73s %9s  %s  %s\n", digest, size, when, busy ? "in use" : "-");
}

int main(int argc, char **argv)
{
	const char *dir = DEFAULT_CACHE;
	layer_cache_t c;
	layer_cache_usage_t u;
	char err[512], total[32], freed[32];
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "--cache"))
		dir = argv[i + 1], i += 2;
	if (i >= argc)
		return usage();
	if (layer_cache_open(&c, dir, err, sizeof(err))) {
		fprintf(stderr, "octopus-image-cache: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[i], "list") && i + 1 == argc) {
		printf("%-73s %9s  %-19s  %s\n", "LAYER", "SIZE", "LAST USED", "STATE");
		if (layer_cache_list(&c, print_layer, NULL, &u, err, sizeof(err))) {
			fprintf(stderr, "octopus-image-cache: %s\n", err);
			return 1;
		}
		human(u.bytes, total, sizeof(total));
		printf("%" PRIu64 " layer(s), %s, %" PRIu64 " in use\n", u.layers, total, u.busy);
		return 0;
	}
	if (!strcmp(argv[i], "prune") && i + 3 == argc && !strcmp(argv[i + 1], "--keep")) {
		uint64_t keep;

		if (parse_size(argv[i + 2], &keep)) {
			fprintf(stderr, "octopus-image-cache: --keep %s: not a size (bytes, or with K/M/G/T)\n", argv[i + 2]);
			return 2;
		}
		if (layer_cache_collect(&c, keep, &u, err, sizeof(err))) {
			fprintf(stderr, "octopus-image-cache: %s\n", err);
			return 1;
		}
		human(u.freed, freed, sizeof(freed));
		human(u.bytes, total, sizeof(total));
		printf("removed %" PRIu64 " layer(s), %s; %" PRIu64 " layer(s), %s left, %" PRIu64 " in use\n", u.removed,
		       freed, u.layers, total, u.busy);
		return 0;
	}
	return usage();
}
