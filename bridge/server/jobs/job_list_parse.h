/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_list_parse - slurmrestd's job list (any data_parser version: a field
 * is read as v0.0.38 writes it, or as v0.0.40+ does, a state list's first
 * entry or a {"set","infinite","number"} that is set and finite) turned
 * into job_list records with yajl's event parser: only the job fields
 * the portal shows are copied, everything else is skipped without being
 * built. A full json-c parse of 1000 jobs (every field of every job, most
 * of them nested) cost the bridge ~50 ms per cache miss; this keeps the
 * miss close to slurmrestd's own time.
 *
 * Feed it in pieces (the bridge uses 16 KiB ones); finish once. The first entry of "errors" is
 * kept so the caller can answer with Slurm's reason. Bounded: nesting over
 * 64 levels, or more than JLP_MAX_JOBS jobs, stops the parse.
 */
#ifndef OCTOPUS_JOB_LIST_PARSE_H
#define OCTOPUS_JOB_LIST_PARSE_H

#include <stddef.h>

#include "job_list.h"

#define JLP_MAX_JOBS 1000000

typedef struct jlp jlp_t;

typedef struct {
	int present;                    /* errors[] held at least one entry */
	int number;                     /* its error_number */
	char message[256];              /* its description, else its error */
} jlp_error_t;

jlp_t *jlp_new(void);
/* 0, or -1 once the document is not JSON or breaks a bound (jlp_finish says why). */
int jlp_feed(jlp_t *p, const char *data, size_t len);
/* The list (one reference, the caller's) or NULL with why; *err gets the
 * first errors[] entry either way. Frees p. */
job_list_t *jlp_finish(jlp_t *p, jlp_error_t *err, char *why, size_t whylen);

/* One whole document, for callers that hold it already. */
job_list_t *job_list_parse(const char *body, size_t len, jlp_error_t *err, char *why, size_t whylen);

/*
 * slurmrestd's next answer, parsed against prev, the list made from the
 * answer before (job_list_reparse.c; prev may be NULL). slurmrestd prints
 * a job that did not change byte for byte as before, and between two
 * fetches few jobs change: a job object equal to the one prev had at the
 * same place (or one further: a job went) takes prev's record and view
 * without being parsed, found by memcmp at ~10 GB/s where yajl lexes
 * 0.5 GB/s. Every other byte goes through yajl as in job_list_parse, so
 * the list is the one a full parse makes, and so is any error; when the
 * answer's frame differs from prev's, it is parsed in full.
 *
 * Takes body (malloc'd): it becomes the list's src, for the next answer,
 * or is freed. *reused: how many jobs came from prev.
 */
job_list_t *job_list_reparse(char *body, size_t len, const job_list_t *prev, jlp_error_t *err, char *why,
			     size_t whylen, size_t *reused);

#endif
