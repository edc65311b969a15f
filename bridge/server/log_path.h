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

#endif
