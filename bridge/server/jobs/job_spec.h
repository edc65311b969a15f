/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_spec - a portal job request ({name, machine_type, units, command or
 * script, hours, workdir, env, image}) checked field by field, and turned
 * into the bridge's canonical submit body (v0.0.38's shape, which
 * sr_submit_body turns into each version's); and a Slurm job (a jobs[] item
 * of any version) turned into the portal's view. Pure: json-c only, fuzzed.
 */
#ifndef OCTOPUS_JOB_SPEC_H
#define OCTOPUS_JOB_SPEC_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define JS_NAME_MAX 64
#define JS_PATH_MAX 1024
#define JS_MAX_ENV 32
#define JS_SCRIPT_MAX (64 * 1024)

typedef struct {
	char name[JS_NAME_MAX];
	char machine_type[32];
	uint32_t units;
	char *script;                   /* malloc'd: the script, or "#!/bin/bash\n<command>\n" */
	uint32_t minutes;               /* from hours */
	char workdir[JS_PATH_MAX];      /* "" = the user's home */
	char image[512];                /* "" = none */
	size_t nenv;
	char env_name[JS_MAX_ENV][64];
	char *env_value[JS_MAX_ENV];    /* malloc'd */
} job_spec_t;

typedef struct {
	const char *env_allow;          /* "OMP_*,HF_*,..." (fnmatch patterns) */
	uint32_t max_hours;
} job_spec_rules_t;

/* Parse and check a request body. 0, or -1 with field (the JSON key at
 * fault) and why. Frees nothing on error: call job_spec_free either way. */
int job_spec_parse(const char *body, size_t len, const job_spec_rules_t *rules, job_spec_t *spec, char *field,
		   size_t fieldlen, char *why, size_t whylen);
void job_spec_free(job_spec_t *spec);

/* The v0.0.38 submit body for user (home, workdir already resolved),
 * partition from the machine type, comment "portal:<kind>[:<id>]". The
 * caller owns the result. */
json_object *job_spec_submit_body(const job_spec_t *spec, const char *user, const char *home, const char *workdir,
				  const char *partition, const char *comment);



#endif
