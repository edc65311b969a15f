/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log_path - the file a job's output went to: Slurm keeps the pattern the
 * user gave (%x-%j.out) and expands it on the node, so the bridge expands
 * it the same way (sbatch(1) "filename pattern"): %% %A %a %j %J %N %n %s
 * %t %u %x. Pure.
 */
#ifndef OCTOPUS_LOG_PATH_H
#define OCTOPUS_LOG_PATH_H

#include <stddef.h>

typedef struct {
	const char *job_id;             /* "123" */
	const char *array_job_id;       /* "" when not an array */
	const char *array_task_id;      /* "" */
	const char *name;
	const char *user;
	const char *first_node;         /* the batch host */
} log_job_t;

/* 0, or -1 when the result does not fit or the pattern is not absolute. */
int log_path_expand(const char *pattern, const log_job_t *j, char *out, size_t len);

/* The pattern slurmd opens for a batch job's output, from what slurmrestd
 * says the job asked for (given): Slurm's default when none was given
 * (slurm-%j.out; slurm-%A_%a.out for an array task); a relative one
 * inside the job's working directory (26.05's v0.0.43+ write the default
 * as given, "slurm-%j.out"). 0, or -1 when it does not fit or a relative
 * pattern has no absolute working directory to be in. */
int log_path_pattern(const char *given, const char *workdir, int array_task, char *out, size_t len);

#endif
