/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The job-list parser's state, shared by job_list_parse.c (the events) and
 * job_list_reparse.c (which feeds it the answer's frame and stands in for
 * the jobs it takes from the list before). Private to those two files.
 */
#ifndef OCTOPUS_JOB_LIST_PARSE_INTERNAL_H
#define OCTOPUS_JOB_LIST_PARSE_INTERNAL_H

#include <yajl/yajl_parse.h>

#include "job_list_parse.h"

#define MAX_DEPTH 64

/* Where the parser is, by depth: 1 the document's object, 2 "jobs" or
 * "errors" (arrays), 3 one job or one error (objects), 4 a job field's
 * value when it is a list (v0.0.40+'s state arrays: the first scalar
 * counts) or an object (v0.0.40+'s {"set","infinite","number"}). Anything
 * deeper is skipped. */
enum { IN_OTHER, IN_JOBS, IN_ERRORS };
enum { SUB_NONE, SUB_LIST, SUB_NUMBER };
enum { NK_NONE, NK_SET, NK_INFINITE, NK_NUMBER };
enum { EK_NONE, EK_DESCRIPTION, EK_ERROR, EK_NUMBER };

struct jlp {
	yajl_handle h;                  /* the document's parser */
	yajl_handle cur;                /* whose events run now: h, or one job's parser */
	size_t base;                    /* where the bytes being parsed start in the answer */
	size_t fed;                     /* bytes given to jlp_feed so far */
	int depth;
	int top_key;                    /* which array the next value at depth 1 opens */
	int in;                         /* IN_* for depth >= 2 */
	int field;                      /* job field the next scalar at depth 3 fills, or -1 */
	int sub;                        /* SUB_*: the field's value is a list or an object at depth 4 */
	int sub_taken;                  /* SUB_LIST: its first scalar was taken */
	int num_key;                    /* SUB_NUMBER: NK_* of the next scalar */
	int num_unset, num_infinite;    /* SUB_NUMBER: "set": false, "infinite": true */
	char num[32];                   /* SUB_NUMBER: "number", "" when none */
	int err_key;                    /* EK_* for the next scalar of errors[0] */
	int job_open;                   /* a job object with a record of its own is open */
	int placeholder;                /* the next job object stands for a record already appended */
	int one_job, one_job_done;      /* stop when the open job object ends; it did */
	size_t nerrors;
	int saw_jobs;
	job_list_t *list;
	size_t cap;
	char why[160];
	jlp_error_t err;
};

extern const yajl_callbacks jlp_callbacks;

/* the bytes at offset at of the answer; 0, or -1 (jlp_finish says why) */
int jlp_feed_at(jlp_t *p, const char *data, size_t len, size_t at);
/* a zeroed record at the list's end, or NULL (the bound, or memory) */
job_rec_t *jlp_push(jlp_t *p);

#endif
