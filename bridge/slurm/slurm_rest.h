/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurm_rest - which slurmrestd API the bridge speaks, and its paths.
 * slurmrestd serves one set of paths per data_parser version (22.05:
 * v0.0.38; 24.11: v0.0.40-42; 26.05: v0.0.42-45); the bridge asks it
 * which (its /openapi/v3 document) and takes the newest one it has an
 * adapter for. Everything else in the bridge sees Slurm through the
 * canonical shapes sr_adapt.h makes, whatever the version. Pure.
 */
#ifndef OCTOPUS_SLURM_REST_H
#define OCTOPUS_SLURM_REST_H

#include <stddef.h>

/* a data_parser generation: how values are written */
typedef enum {
	SR_GEN_NONE = 0,
	SR_GEN_38,      /* v0.0.38: plain numbers, state strings, flat partitions */
	SR_GEN_4X,      /* v0.0.40+: {set,infinite,number}, state arrays, nested partitions */
} sr_gen_t;

typedef struct {
	char name[16];  /* "v0.0.42" */
	sr_gen_t gen;
} sr_version_t;

typedef enum {
	SR_JOBS,        /* the job list */
	SR_JOBS_SINCE,  /* the job list if changed since arg (a Unix time) */
	SR_JOB,         /* one job: arg its id */
	SR_JOB_SUBMIT,
	SR_NODES,
	SR_NODE,        /* one node: arg its name */
	SR_PARTITIONS,
	SR_DB_USER,     /* a user's accounting record: arg the user */
	SR_DB_ASSOCS,   /* a user's associations: arg the user */
} sr_path_t;

/* The versions this bridge has adapters for, newest first, as one line
 * ("v0.0.42, v0.0.41, ...") in buf, for messages; returns buf. */
const char *sr_known_versions(char *buf, size_t len);

/* The newest known version whose job paths the OpenAPI document (slurmrestd's
 * /openapi/v3 answer) lists: 0; or -1 with why (not JSON, no paths, or only
 * versions this bridge does not know: why names them). */
int sr_pick(const char *openapi, size_t len, sr_version_t *out, char *why, size_t wl);

/* The version of that name, if known: 0, or -1. */
int sr_version_by_name(const char *name, sr_version_t *out);

/* The path of what in version v (arg: see sr_path_t; NULL for those that
 * take none). 0; or -1 when arg is missing, not wanted, or holds anything
 * but letters, digits, '.', '_', '-' and '@' (nothing in a path may need
 * escaping), or the path does not fit. */
int sr_path(const sr_version_t *v, sr_path_t what, const char *arg, char *out, size_t len);

#endif
