/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * submit-flood - submit N held one-GPU batch jobs through libslurm, one RPC
 * after another, and print the elapsed milliseconds.
 *
 * bench/sched-octopus uses it to fill slurmctld with 100k pending jobs in
 * minutes (sbatch pays a process start, plugin loads and a config read per
 * job) and to probe job_submit latency without a process start competing for
 * the CPU between two submissions. Same request as
 * `sbatch --hold -o /dev/null -p PART --gpus=1 --wrap true`.
 *
 *   submit-flood COUNT PARTITION     (as the submitting user, SLURM_CONF set)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#define MAX_JOBS 200000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	char cwd[4096];
	job_desc_msg_t desc;
	long count;
	long long t0;
	int failures = 0;

	if (argc != 3 || (count = strtol(argv[1], NULL, 10)) < 1 || count > MAX_JOBS) {
		fprintf(stderr, "usage: submit-flood COUNT(1..%d) PARTITION\n", MAX_JOBS);
		return 2;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		perror("submit-flood: getcwd");
		return 1;
	}
	slurm_init(NULL);

	slurm_init_job_desc_msg(&desc);
	desc.name = "flood";
	desc.partition = argv[2];
	desc.tres_per_job = "gres:gpu:1";
	desc.script = "#!/bin/sh\ntrue\n";
	desc.std_out = "/dev/null";
	desc.work_dir = cwd;
	desc.environment = env;
	desc.env_size = 1;
	desc.user_id = getuid();
	desc.group_id = getgid();
	desc.priority = 0;      /* --hold: nothing starts, the queue only grows */
	desc.min_nodes = 1;

	t0 = now_ms();
	for (long i = 0; i < count; i++) {
		submit_response_msg_t *resp = NULL;

		if (slurm_submit_batch_job(&desc, &resp) != SLURM_SUCCESS) {
			int err = slurm_get_errno();

			/* a busy controller asks clients to retry; anything else is fatal */
			if ((err == EAGAIN || err == ESLURM_ERROR_ON_DESC_TO_RECORD_COPY) && ++failures < 100) {
				usleep(100000);
				i--;
				continue;
			}
			fprintf(stderr, "submit-flood: job %ld: %s\n", i, slurm_strerror(err));
			return 1;
		}
		slurm_free_submit_response_response_msg(resp);
	}
	printf("%lld\n", now_ms() - t0);
	slurm_fini();
	return 0;
}
