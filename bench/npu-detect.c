/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/npu-detect.c - gres_npu detection + merge time on a fake node:
 *   npu-detect ROOT ROUNDS
 * runs every npu backend over ROOT/{sys,dev,proc} and merges the result
 * (autodetect, as with an empty gres.conf) ROUNDS times; prints the device
 * count and p50/p99/max in ms. The baseline of the
 * same run is a bare stat() of every device node found (the floor of any
 * detection that checks its nodes).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "detect.h"
#include "npu_merge.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static npu_scan_t scan;
	static npu_merged_t merged;
	npu_roots_t r;
	int rounds;
	double *t, *base;
	char err[256];

	if (argc != 3 || (rounds = atoi(argv[2])) < 1 || rounds > 10000) {
		fprintf(stderr, "usage: npu-detect ROOT ROUNDS(1-10000)\n");
		return 2;
	}
	snprintf(r.sys, sizeof(r.sys), "%s/sys", argv[1]);
	snprintf(r.dev, sizeof(r.dev), "%s/dev", argv[1]);
	snprintf(r.proc, sizeof(r.proc), "%s/proc", argv[1]);
	t = calloc((size_t)rounds, sizeof(*t));
	base = calloc((size_t)rounds, sizeof(*base));
	if (!t || !base)
		return 1;
	for (int i = 0; i < rounds; i++) {
		double t0 = now_ms();
		struct stat sb;

		if (npu_detect(&r, NPU_KIND_NPU, "all", &scan, err, sizeof(err))) {
			fprintf(stderr, "npu-detect: %s\n", err);
			return 1;
		}
		npu_merge(NULL, 0, &scan, &merged);
		t[i] = now_ms() - t0;
		t0 = now_ms();
		for (size_t k = 0; k < scan.n; k++)
			if (stat(scan.dev[k].path, &sb))
				return 1;
		base[i] = now_ms() - t0;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp);
	qsort(base, (size_t)rounds, sizeof(*base), cmp);
	printf("devices=%zu rounds=%d detect+merge p50 %.3f p99 %.3f max %.3f ms | stat-only baseline p50 %.3f ms\n", scan.n,
	       rounds, t[rounds / 2], t[(rounds * 99) / 100], t[rounds - 1], base[rounds / 2]);
	free(t);
	free(base);
	return 0;
}
