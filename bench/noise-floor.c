/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * noise-floor - the tail this machine adds to any short piece of work.
 *
 * Busy-waits WORK_US microseconds COUNT times, sleeping GAP_US between
 * (like an RPC thread that wakes, works and sleeps), and prints the
 * p50/p99/max of the measured windows in the same format as the plugin's
 * latency report. Interrupts, hypervisor exits and other threads land in a
 * fraction of the windows proportional to their length, so the p99 of a
 * job_submit call can only be compared with the p99 of a window of the same
 * p50 measured on the same machine in the same run.
 *
 *   noise-floor WORK_US [COUNT [GAP_US]]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_COUNT 1000000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long work_us = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	long gap_us = argc > 3 ? strtol(argv[3], NULL, 10) : 200;
	struct timespec gap;
	uint64_t *d;

	if (argc < 2 || argc > 4 || work_us < 1 || work_us > 10000 || count < 100 || count > MAX_COUNT ||
	    gap_us < 0 || gap_us > 1000000) {
		fprintf(stderr, "usage: noise-floor WORK_US(1..10000) [COUNT(100..%d) [GAP_US]]\n", MAX_COUNT);
		return 2;
	}
	if (!(d = malloc((size_t)count * sizeof(*d)))) {
		perror("noise-floor");
		return 1;
	}
	gap.tv_sec = gap_us / 1000000;
	gap.tv_nsec = (gap_us % 1000000) * 1000;
	for (long i = 0; i < count; i++) {
		uint64_t start = now_ns(), end = start + (uint64_t)work_us * 1000u, t;

		while ((t = now_ns()) < end)
			;
		d[i] = t - start;
		nanosleep(&gap, NULL);
	}
	qsort(d, (size_t)count, sizeof(*d), cmp_u64);
	printf("n=%ld p50=%" PRIu64 "us p99=%" PRIu64 "us max=%" PRIu64 "us\n", count, d[count / 2] / 1000,
	       d[(size_t)count * 99 / 100] / 1000, d[count - 1] / 1000);
	free(d);
	return 0;
}
