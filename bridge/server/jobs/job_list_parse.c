/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "job_list_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "job_list_parse_internal.h"
#include "utf8_valid.h"

static job_rec_t *cur(jlp_t *p)
{
	return &p->list->rec[p->list->n - 1];
}

/* the field's value: copied into the list's arena, as UTF-8 */
static int set_field(jlp_t *p, const char *s, size_t len)
{
	size_t size = utf8_valid_size(s, len);
	char *copy = str_arena_alloc(p->list->arena, size + 1);

	if (!copy) {
		snprintf(p->why, sizeof(p->why), "out of memory");
		return 0;
	}
	utf8_valid_copy(copy, size, s, len);
	/* a repeated key: the last one wins, as in json-c (the first copy
	 * stays in the arena until the list goes) */
	cur(p)->f[p->field] = copy;
	return 1;
}

/* a scalar inside a field's list or number object (depth 4) */
static int sub_scalar(jlp_t *p, const char *s, size_t len, int is_number, int is_bool)
{
	if (p->sub == SUB_LIST) {
		if (p->sub_taken)
			return 1;
		p->sub_taken = 1;
		return set_field(p, s, len);
	}
	if (p->num_key == NK_SET && is_bool)
		p->num_unset = len == 5;        /* "false" */
	else if (p->num_key == NK_INFINITE && is_bool)
		p->num_infinite = len == 4;     /* "true" */
	else if (p->num_key == NK_NUMBER)
		snprintf(p->num, sizeof(p->num), "%.*s", is_number && len < sizeof(p->num) ? (int)len : 0, s);
	p->num_key = NK_NONE;
	return 1;
}

/* a scalar: kept if it is a wanted job field or part of errors[0] */
static int scalar(jlp_t *p, const char *s, size_t len, int is_number, int is_bool)
{
	if (p->depth == 4 && p->in == IN_JOBS && p->sub != SUB_NONE)
		return sub_scalar(p, s, len, is_number, is_bool);
	if (p->depth != 3)
		return 1;
	if (p->in == IN_JOBS && p->field >= 0) {
		if (!set_field(p, s, len))
			return 0;
		p->field = -1;
	} else if (p->in == IN_ERRORS && p->nerrors == 1) {
		if (p->err_key == EK_NUMBER) {
			char num[24];

			/* yajl's text is not NUL-terminated (a string here may be anything) */
			snprintf(num, sizeof(num), "%.*s", (int)(len < sizeof(num) ? len : sizeof(num) - 1), s);
			p->err.number = atoi(num);
		}
		else if (p->err_key == EK_DESCRIPTION && len)
			snprintf(p->err.message, sizeof(p->err.message), "%.*s", (int)len, s);
		else if (p->err_key == EK_ERROR && len && !p->err.message[0])
			snprintf(p->err.message, sizeof(p->err.message), "%.*s", (int)len, s);
		p->err_key = EK_NONE;
	}
	return 1;
}

/* A value that is null, or an object or list with nothing to take, leaves
 * the field unset, also when an earlier copy of the key had set it: the
 * last key wins. */
static void clear_field(jlp_t *p)
{
	if (p->depth == 3 && p->in == IN_JOBS && p->field >= 0)
		cur(p)->f[p->field] = NULL;
	p->field = -1;
	p->err_key = EK_NONE;
}

static int on_null(void *ctx)
{
	jlp_t *p = ctx;

	if (p->depth == 4 && p->sub == SUB_NUMBER)
		p->num_key = NK_NONE;   /* "number": null is no number */
	else if (p->depth != 4 || p->sub == SUB_NONE)
		clear_field(ctx);
	return 1;
}

static int on_bool(void *ctx, int b)
{
	return scalar(ctx, b ? "true" : "false", b ? 4 : 5, 0, 1);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, s, len, 1, 0);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, (const char *)s, len, 0, 0);
}

static int open_nested(jlp_t *p, int is_map)
{
	if (++p->depth > MAX_DEPTH) {
		snprintf(p->why, sizeof(p->why), "nested deeper than %d levels", MAX_DEPTH);
		return 0;
	}
	if (p->depth == 1 && !is_map) {
		snprintf(p->why, sizeof(p->why), "the answer is not a JSON object");
		return 0;
	} else if (p->depth == 2) {
		p->in = is_map ? IN_OTHER : p->top_key;
		if (p->in == IN_JOBS && p->saw_jobs) {
			/* "jobs" twice: the last one counts (the first one's
			 * strings stay in the arena until the list goes) */
			p->list->n = 0;
		}
		p->saw_jobs |= p->in == IN_JOBS;
	} else if (p->depth == 3 && p->in == IN_JOBS && is_map) {
		job_rec_t *r;

		p->job_open = !p->placeholder;
		p->placeholder = 0;
		if (!p->job_open)
			return 1;       /* the caller appended this job's record */
		if (!(r = jlp_push(p)))
			return 0;
		r->src_off = p->base + yajl_get_bytes_consumed(p->cur) - 1;
		p->field = -1;
	} else if (p->depth == 3 && p->in == IN_ERRORS && is_map) {
		p->nerrors++;
		p->err.present = 1;
		p->err_key = EK_NONE;
	} else if (p->depth == 4 && p->in == IN_JOBS && p->field >= 0) {
		/* a field's list or number object: the field is what it holds
		 * when it closes (on_end) */
		p->sub = is_map ? SUB_NUMBER : SUB_LIST;
		p->sub_taken = 0;
		p->num_key = NK_NONE;
		p->num_unset = p->num_infinite = 0;
		p->num[0] = '\0';
		cur(p)->f[p->field] = NULL;
	} else if (p->depth == 4) {
		p->depth--;
		clear_field(p);
		p->depth++;
	} else if (p->depth == 5 && p->sub == SUB_NUMBER) {
		p->num_key = NK_NONE;   /* a nested value is no number */
	}
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_nested(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return open_nested(ctx, 0);
}

static int on_end(void *ctx)
{
	jlp_t *p = ctx;

	if (--p->depth == 1)
		p->in = IN_OTHER;
	if (p->depth == 3 && p->sub != SUB_NONE) {
		/* v0.0.40+: a number that is set and finite, as v0.0.38 wrote it */
		if (p->sub == SUB_NUMBER && p->num[0] && !p->num_unset && !p->num_infinite &&
		    !set_field(p, p->num, strlen(p->num)))
			return 0;
		p->sub = SUB_NONE;
		p->field = -1;
	}
	if (p->depth == 2 && p->in == IN_JOBS && p->job_open) {
		job_rec_t *r = cur(p);

		p->job_open = 0;
		r->src_len = p->base + yajl_get_bytes_consumed(p->cur) - r->src_off;
		if (p->one_job) {
			p->one_job_done = 1;
			return 0;       /* yajl stops right after this job's '}' */
		}
	}
	return 1;
}

static int on_key(void *ctx, const unsigned char *k, size_t len)
{
	jlp_t *p = ctx;

	if (p->depth == 1)
		p->top_key = len == 4 && !memcmp(k, "jobs", 4)     ? IN_JOBS
			     : len == 6 && !memcmp(k, "errors", 6) ? IN_ERRORS
								   : IN_OTHER;
	else if (p->depth == 3 && p->in == IN_JOBS)
		p->field = job_field_by_key((const char *)k, len);
	else if (p->depth == 4 && p->sub == SUB_NUMBER)
		p->num_key = len == 3 && !memcmp(k, "set", 3)          ? NK_SET
			     : len == 8 && !memcmp(k, "infinite", 8) ? NK_INFINITE
			     : len == 6 && !memcmp(k, "number", 6)   ? NK_NUMBER
								     : NK_NONE;
	else if (p->depth == 3 && p->in == IN_ERRORS)
		p->err_key = len == 11 && !memcmp(k, "description", 11)    ? EK_DESCRIPTION
			     : len == 5 && !memcmp(k, "error", 5)          ? EK_ERROR
			     : len == 12 && !memcmp(k, "error_number", 12) ? EK_NUMBER
									   : EK_NONE;
	return 1;
}

const yajl_callbacks jlp_callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

jlp_t *jlp_new(void)
{
	jlp_t *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->field = -1;
	if (!(p->list = calloc(1, sizeof(*p->list))) || !(p->list->arena = str_arena_new()) ||
	    !(p->h = yajl_alloc(&jlp_callbacks, NULL, p))) {
		if (p->list)
			str_arena_unref(p->list->arena);
		free(p->list);
		free(p);
		return NULL;
	}
	/* strings are checked field by field (utf8_valid): yajl's own check
	 * would throw away everyone's list over one job's name */
	yajl_config(p->h, yajl_dont_validate_strings, 1);
	p->cur = p->h;
	p->list->refs = 1;
	return p;
}

static void syntax_error(jlp_t *p, const char *data, size_t len)
{
	unsigned char *msg;

	if (p->why[0])
		return;         /* a callback stopped it and said why */
	msg = yajl_get_error(p->h, 0, (const unsigned char *)data, len);
	snprintf(p->why, sizeof(p->why), "not JSON: %s", msg ? (char *)msg : "parse error");
	if (msg)
		yajl_free_error(p->h, msg);
}

job_rec_t *jlp_push(jlp_t *p)
{
	job_list_t *l = p->list;

	if (l->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		job_rec_t *rec;

		if (cap > JLP_MAX_JOBS || !(rec = realloc(l->rec, cap * sizeof(*rec)))) {
			snprintf(p->why, sizeof(p->why), "more than %d jobs, or out of memory", JLP_MAX_JOBS);
			return NULL;
		}
		l->rec = rec;
		p->cap = cap;
	}
	memset(&l->rec[l->n], 0, sizeof(job_rec_t));
	return &l->rec[l->n++];
}

int jlp_feed_at(jlp_t *p, const char *data, size_t len, size_t at)
{
	if (p->why[0])
		return -1;
	p->base = at;
	if (yajl_parse(p->h, (const unsigned char *)data, len) != yajl_status_ok) {
		syntax_error(p, data, len);
		return -1;
	}
	return 0;
}

int jlp_feed(jlp_t *p, const char *data, size_t len)
{
	int rc = jlp_feed_at(p, data, len, p->fed);

	p->fed += len;
	return rc;
}

job_list_t *jlp_finish(jlp_t *p, jlp_error_t *err, char *why, size_t whylen)
{
	job_list_t *l = NULL;

	if (!p->why[0] && yajl_complete_parse(p->h) != yajl_status_ok)
		syntax_error(p, NULL, 0);
	*err = p->err;
	if (p->why[0])
		snprintf(why, whylen, "%s", p->why);
	else if (!p->saw_jobs)
		snprintf(why, whylen, "no jobs array");
	else
		l = p->list;
	if (!l)
		job_list_unref(p->list);
	yajl_free(p->h);
	free(p);
	return l;
}

job_list_t *job_list_parse(const char *body, size_t len, jlp_error_t *err, char *why, size_t whylen)
{
	jlp_t *p = jlp_new();

	if (!p) {
		memset(err, 0, sizeof(*err));
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	jlp_feed(p, body, len);
	return jlp_finish(p, err, why, whylen);
}
