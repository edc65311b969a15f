/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_list - slurmrestd's job list copied into plain C strings, immutable
 * once built and reference-counted (atomically), so that many request
 * threads can read one cached list at once. json-c objects cannot be
 * shared that way: their reference counts are not atomic. Each request
 * builds its own JSON from the records. Pure.
 */
#ifndef OCTOPUS_JOB_LIST_H
#define OCTOPUS_JOB_LIST_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "str_arena.h"

typedef enum {
	JF_ID, JF_NAME, JF_USER, JF_STATE, JF_REASON, JF_ACCOUNT, JF_PARTITION, JF_NODES, JF_SUBMIT, JF_START,
	JF_END, JF_LIMIT, JF_WORKDIR, JF_STDOUT, JF_STDERR, JF_TRES_REQ, JF_TRES_ALLOC, JF_COMMENT, JF_BATCH_HOST,
	JF_BATCH, JF_ARRAY_JOB, JF_ARRAY_TASK,
	JF_N
} job_field_t;

typedef struct {
	char *f[JF_N];                  /* NULL when slurmrestd gave none */
	char *view;                     /* job_rec_view as JSON text, made once per list; may be NULL */
	size_t view_len;
	size_t src_off, src_len;        /* the job's object in the list's src, when it has one */
	unsigned char home;             /* where its strings are: 0 the list's arena, i its shared[i - 1] */
} job_rec_t;

/* How many earlier lists' arenas a list may keep strings in: what a list
 * holds stays within (1 + JL_SHARED_MAX) lists' strings. */
#define JL_SHARED_MAX 4

typedef struct {
	size_t n;
	job_rec_t *rec;
	str_arena_t *arena;             /* holds the strings of the records made with this list; NULL:
					 * each record owns its own */
	str_arena_t *shared[JL_SHARED_MAX];     /* a reference each to the arenas of earlier lists
						 * that its unchanged records' strings live in */
	unsigned nshared;
	char *src;                      /* slurmrestd's answer it was parsed from (owned), or NULL:
					 * the next answer is parsed against it (job_list_parse.h) */
	size_t src_len;
	int refs;
} job_list_t;

/* The field a v0.0.38 job key fills (key need not end in NUL), or -1. */
int job_field_by_key(const char *key, size_t len);
/* The v0.0.38 key of a field. */
const char *job_field_key(int field);
job_list_t *job_list_ref(job_list_t *l);
void job_list_unref(job_list_t *l);

/* One record from one job object of any data_parser version (read as
 * job_list_parse reads it); 0, or -1 (out of memory). */
int job_rec_from_json(json_object *j, job_rec_t *out);
void job_rec_free(job_rec_t *r);

/* The file a batch job's stream (JF_STDOUT or JF_STDERR) goes to, as
 * slurmd opens it, whichever way slurmrestd wrote it (22.05: the pattern
 * or "" for Slurm's default; 26.05's v0.0.42: expanded; its v0.0.43+:
 * the pattern, relative; 24.11: expanded, stderr stdout's when not
 * split): an empty stderr goes with stdout, the default
 * is slurm-%j.out, a relative pattern is in the working directory, and
 * the pattern is expanded (log_path.h). 0; -1 when the job is not a batch
 * job or the file cannot be named. */
int job_rec_out_path(const job_rec_t *r, job_field_t field, char *out, size_t len);

/* The portal's view of a record (a new object). */
json_object *job_rec_view(const job_rec_t *r);

/* Whether two records hold the same fields. */
int job_rec_equal(const job_rec_t *a, const job_rec_t *b);

/* src with its fields and view copied into arena a (home 0); dst may be
 * src. 0, or -1 (out of memory; dst as it was). */
int job_rec_copy(str_arena_t *a, job_rec_t *dst, const job_rec_t *src);

/* A list's records by job id: open addressing, at most half full. */
typedef struct {
	size_t mask;
	size_t *slot;                   /* record index + 1; 0: empty */
} job_id_index_t;

/* 0, or -1 (out of memory; x is then empty and finds nothing) */
int job_id_index_build(job_id_index_t *x, const job_list_t *l);
/* the index of l's record with job id id, or -1 */
long job_id_index_find(const job_id_index_t *x, const job_list_t *l, const char *id);
void job_id_index_free(job_id_index_t *x);

/* Every record's view rendered to text once, for the list's whole life in
 * the cache: the many requests a cached list answers then only join
 * strings. A record that has a view already (copied by the parse) keeps
 * it; one equal to prev's record of the same job (prev may be NULL) takes
 * a copy of that view: between two fetches a few jobs change, and
 * rendering was a quarter of the bridge's work on a miss.
 * 0, or -1 when memory ran out (records without a view are rendered per
 * request instead). */
int job_list_render(job_list_t *l, const job_list_t *prev);

/* license/mt_<type>=N in the record's allocated (else requested) TRES */
uint64_t job_rec_units(const job_rec_t *r, const char *type);

/* The portal's word for a Slurm job_state ("queued", "running", ...). */
const char *job_portal_state(const char *slurm_state);
/* The portal's view of one slurmrestd job (either generation's shape); NULL when it is not an object. */
json_object *job_view(json_object *slurm_job);

#endif
