/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/task-join.c - what each container task pays to enter its step's
 * namespace: rootfs_join (setns) plus the chdir and no_new_privs that
 * follow, timed inside forked tasks that all start at once, as slurmstepd
 * forks a node's tasks. Also the per-node build (rootfs_start).
 *
 *   task-join ROOTFS RUNTIME_DIR TASKS ROUNDS
 *
 * ROOTFS is an unpacked image directory (one lower layer). Prints one line:
 * build p50/max, join p50/p99/max, and the same tasks' fork-to-ready time
 * without a join as the baseline of this machine. Targets (anchors,
 * containers.md e): join p99 <= 5 ms at 1 task per node, <= 20 ms at 128;
 * build <= 50 ms. Bounded: TASKS <= 256, ROUNDS <= 200.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ns/rootfs.h"

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i < n ? i : n - 1] / 1e6;
}

/* One round: TASKS children released together; each reports its own cost. */
static int round_of(const rootfs_holder_t *h, int tasks, int join, uint64_t *out)
{
	int go[2], res[2];
	char err[256];
	pid_t pids[256];

	if (pipe(go) || pipe(res))
		return -1;
	for (int i = 0; i < tasks; i++) {
		pid_t pid = pids[i] = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			char c;
			uint64_t t0, dt;

			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			t0 = now_ns();
			if (join && (rootfs_join(h, err, sizeof(err)) || chdir("/")))
				_exit(2);
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			dt = now_ns() - t0;
			_exit(write(res[1], &dt, sizeof(dt)) == sizeof(dt) ? 0 : 3);
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]);           /* every child's read returns at once */
	for (int i = 0; i < tasks; i++)
		if (read(res[0], &out[i], sizeof(out[i])) != sizeof(out[i]))
			return -1;
	close(res[0]);
	for (int i = 0; i < tasks; i++)         /* not wait(): the holder is a child too */
		waitpid(pids[i], NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *lower[1];
	rootfs_spec_t *spec;
	rootfs_holder_t h;
	char err[512];
	int tasks, rounds;
	uint64_t *join, *base, build[200];
	size_t nj = 0;

	if (argc != 5 || (tasks = atoi(argv[3])) < 1 || tasks > 256 || (rounds = atoi(argv[4])) < 1 || rounds > 200) {
		fprintf(stderr, "usage: task-join ROOTFS RUNTIME_DIR TASKS(1-256) ROUNDS(1-200)\n");
		return 2;
	}
	lower[0] = argv[1];
	join = calloc((size_t)tasks * (size_t)rounds, sizeof(*join));
	base = calloc((size_t)tasks * (size_t)rounds, sizeof(*base));
	spec = calloc(1, sizeof(*spec));
	if (!join || !base || !spec)
		return 1;
	spec->lower = lower;
	spec->nlower = 1;
	spec->writable = 1;
	spec->hooks_dir = "";
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns();

		snprintf(spec->runtime, sizeof(spec->runtime), "%s/step.%d", argv[2], r);
		if (rootfs_start(spec, &h, err, sizeof(err))) {
			fprintf(stderr, "task-join: %s\n", err);
			return 1;
		}
		build[r] = now_ns() - t0;
		if (round_of(&h, tasks, 1, join + nj) || round_of(&h, tasks, 0, base + nj)) {
			fprintf(stderr, "task-join: a round failed: %s\n", strerror(errno));
			return 1;
		}
		nj += (size_t)tasks;
		rootfs_stop(&h, spec->runtime);
	}
	qsort(join, nj, sizeof(*join), cmp);
	qsort(base, nj, sizeof(*base), cmp);
	qsort(build, (size_t)rounds, sizeof(*build), cmp);
	printf("tasks=%d rounds=%d build p50 %.2f max %.2f ms | join p50 %.3f p99 %.3f max %.3f ms | "
	       "no-join baseline p50 %.3f p99 %.3f ms\n",
	       tasks, rounds, pct(build, (size_t)rounds, 0.5), pct(build, (size_t)rounds, 1.0), pct(join, nj, 0.5),
	       pct(join, nj, 0.99), pct(join, nj, 1.0), pct(base, nj, 0.5), pct(base, nj, 0.99));
	free(join);
	free(base);
	free(spec);
	return 0;
}
