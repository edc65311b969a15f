/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job-list-parse - what the bridge itself spends on one job-list cache miss,
 * without slurmrestd: the answer for N jobs is built from one real v0.0.38
 * answer (bench/fixtures/jobs-v0.0.38-one.json, as slurmrestd 22.05 prints
 * it) with its job repeated N times, then timed, R rounds each:
 *   json-c     the old way: json_tokener_parse of the whole answer, then the
 *              records copied out of the tree
 *   yajl       job_list_parse (the bridge now), whole buffer
 *   yajl-16k   the same fed in 16 KiB chunks, as curl hands them over
 *   view       the portal's answer from the records: job_rec_view for each
 *              job and json-c's serialization (every miss and every hit)
 *   render     job_list_render: each job's view rendered to text once, as
 *              the bridge does for its first list
 *   rerender   job_list_render of the next list, one job changed: the
 *              other views are copied from the list before
 *   floor      yajl with no callbacks at all, 16 KiB chunks: what any
 *              yajl-based parse of the answer costs at least
 *   reparse    the next answer, one job's comment changed, parsed against
 *              the list before (job_list_reparse, as the bridge does) and
 *              rendered: the parse and render of a changed-queue miss
 *
 *   job-list-parse FIXTURE [N] [ROUNDS] [WRITE]
 *
 * Prints the answer's size and the median per phase, in ms. WRITE: the
 * built answer is also written there (for job-list-parse-simdjson).
 */
#define _GNU_SOURCE    /* memmem */
#include <json-c/json.h>
#include <stdio.h>
#include <yajl/yajl_parse.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job_list.h"
#include "job_list_parse.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) || !(s = malloc((size_t)n + 1)) ||
	    fread(s, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "job-list-parse: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

/* the answer with its one job repeated n times, job_id counting up (the
 * bridge indexes a list by job id when it renders the next one); job
 * number changed (if < n) has a comment, as after scontrol update */
static char *answer(const char *one, size_t n, size_t changed, size_t *len)
{
	const char *open = strstr(one, "\"jobs\": ["), *first, *last, *id, *after;
	size_t head, body, tail, cap;
	char *out, *p;

	if (!open || !(first = strchr(open, '{')) || !(last = strrchr(one, ']'))) {
		fprintf(stderr, "job-list-parse: the fixture has no jobs array\n");
		exit(2);
	}
	while (last > first && last[-1] != '}')
		last--;
	if (!(id = strstr(first, "\"job_id\": ")) || id > last) {
		fprintf(stderr, "job-list-parse: the fixture's job has no job_id\n");
		exit(2);
	}
	id += 10;
	after = id + strspn(id, "0123456789");
	head = (size_t)(first - one);
	body = (size_t)(last - first);
	tail = strlen(last);
	cap = head + n * (body + 6 + 20) + tail + 32;
	if (!(out = malloc(cap)))
		exit(2);
	memcpy(out, one, head);
	p = out + head;
	for (size_t i = 0; i < n; i++) {
		char *job;

		if (i) {
			memcpy(p, ",\n    ", 6);
			p += 6;
		}
		job = p;
		memcpy(p, first, (size_t)(id - first));
		p += id - first;
		p += sprintf(p, "%zu", 1000 + i);
		memcpy(p, after, (size_t)(last - after));
		p += last - after;
		if (i == changed) {
			static const char empty[] = "\"comment\": \"\"";
			char *c = memmem(job, (size_t)(p - job), empty, sizeof(empty) - 1);

			if (!c) {
				fprintf(stderr, "job-list-parse: the fixture's job has no empty comment\n");
				exit(2);
			}
			memmove(c + 19, c + 13, (size_t)(p - (c + 13)));
			memcpy(c + 11, "\"churn1\"", 8);
			p += 6;
		}
	}
	memcpy(p, last, tail + 1);
	*len = (size_t)(p - out) + tail;
	return out;
}

static job_list_t *by_json_c(const char *s)
{
	json_object *o = json_tokener_parse(s), *jobs;
	job_list_t *l = calloc(1, sizeof(*l));

	if (!o || !l || !json_object_object_get_ex(o, "jobs", &jobs))
		exit(3);
	l->refs = 1;
	l->rec = calloc(json_object_array_length(jobs) + 1, sizeof(*l->rec));
	for (size_t i = 0; i < json_object_array_length(jobs); i++)
		job_rec_from_json(json_object_array_get_idx(jobs, i), &l->rec[l->n++]);
	json_object_put(o);
	return l;
}

static job_list_t *by_yajl(const char *s, size_t len, size_t chunk)
{
	jlp_error_t e;
	char why[200];
	jlp_t *p = jlp_new();
	job_list_t *l;

	for (size_t off = 0; p && off < len; off += chunk)
		if (jlp_feed(p, s + off, len - off < chunk ? len - off : chunk))
			break;
	if (!(l = jlp_finish(p, &e, why, sizeof(why)))) {
		fprintf(stderr, "job-list-parse: %s\n", why);
		exit(3);
	}
	return l;
}

/* job_list_reparse of buf (it takes it) */
static job_list_t *reparse(char *buf, size_t len, const job_list_t *prev, size_t *reused)
{
	char why[200];
	jlp_error_t e;
	job_list_t *l;

	if (!(l = job_list_reparse(buf, len, prev, &e, why, sizeof(why), reused))) {
		fprintf(stderr, "job-list-parse: %s\n", why);
		exit(3);
	}
	return l;
}

/* a copy of s, as curl leaves it: a buffer of its own */
static char *dup_doc(const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		exit(2);
	memcpy(copy, s, len + 1);
	return copy;
}

static void floor_parse(const char *s, size_t len)
{
	static const yajl_callbacks none;
	yajl_handle h = yajl_alloc(&none, NULL, NULL);

	if (h)
		yajl_config(h, yajl_dont_validate_strings, 1);   /* as the bridge runs it */
	for (size_t off = 0; h && off < len; off += 16384)
		if (yajl_parse(h, (const unsigned char *)s + off, len - off < 16384 ? len - off : 16384) != yajl_status_ok)
			exit(3);
	if (!h || yajl_complete_parse(h) != yajl_status_ok)
		exit(3);
	yajl_free(h);
}

static size_t view(const job_list_t *l)
{
	json_object *out = json_object_new_object(), *arr = json_object_new_array();
	size_t n;

	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(arr, job_rec_view(&l->rec[i]));
	json_object_object_add(out, "jobs", arr);
	n = strlen(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return n;
}

int main(int argc, char **argv)
{
	size_t one_len, len, n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000, rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 31;
	static const char *const names[] = { "json-c", "yajl", "yajl-16k", "view", "render", "rerender", "floor",
					      "reparse" };
	double t[8][1000];
	static char changed[] = "changed";
	char *one, *doc, *next;
	size_t out_len = 0, next_len, reused = 0;

	if (argc < 2 || n < 1 || n > 100000 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: job-list-parse FIXTURE [N<=100000] [ROUNDS<=1000]\n");
		return 2;
	}
	one = slurp(argv[1], &one_len);
	doc = answer(one, n, n, &len);
	next = answer(one, n, n / 2, &next_len);
	if (argc > 4) {
		FILE *w = fopen(argv[4], "w");

		if (!w || fwrite(doc, 1, len, w) != len || fclose(w)) {
			fprintf(stderr, "job-list-parse: cannot write %s\n", argv[4]);
			return 2;
		}
	}
	for (size_t r = 0; r < rounds; r++) {
		job_list_t *a, *b, *c, *d, *e, *f;
		char *buf;
		double t0 = now_ms();

		a = by_json_c(doc);
		t[0][r] = now_ms() - t0;
		t0 = now_ms();
		b = by_yajl(doc, len, len);
		t[1][r] = now_ms() - t0;
		t0 = now_ms();
		c = by_yajl(doc, len, 16384);
		t[2][r] = now_ms() - t0;
		t0 = now_ms();
		out_len = view(b);
		t[3][r] = now_ms() - t0;
		t0 = now_ms();
		if (job_list_render(c, NULL))
			return 3;
		t[4][r] = now_ms() - t0;
		d = by_yajl(doc, len, 16384);
		d->rec[n / 2].f[JF_COMMENT] = changed;          /* not the arena's: it frees it not */
		t0 = now_ms();
		if (job_list_render(d, c) || !d->rec[n / 2].view || !strstr(d->rec[n / 2].view, "changed"))
			return 3;
		t[5][r] = now_ms() - t0;
		t0 = now_ms();
		floor_parse(doc, len);
		t[6][r] = now_ms() - t0;
		e = reparse(dup_doc(doc, len), len, NULL, &reused);
		if (job_list_render(e, NULL))
			return 3;
		buf = dup_doc(next, next_len);
		t0 = now_ms();
		f = reparse(buf, next_len, e, &reused);
		if (job_list_render(f, e))
			return 3;
		t[7][r] = now_ms() - t0;
		if (reused != n - 1 || !f->rec[n / 2].f[JF_COMMENT] || strcmp(f->rec[n / 2].f[JF_COMMENT], "churn1")) {
			fprintf(stderr, "job-list-parse: the reparse reused %zu jobs, not %zu\n", reused, n - 1);
			return 3;
		}
		if (a->n != n || b->n != n || c->n != n || d->n != n || f->n != n) {
			fprintf(stderr, "job-list-parse: %zu/%zu/%zu/%zu/%zu jobs, not %zu\n", a->n, b->n, c->n, d->n, f->n, n);
			return 3;
		}
		job_list_unref(e);
		job_list_unref(f);
		job_list_unref(a);
		job_list_unref(b);
		job_list_unref(c);
		job_list_unref(d);
	}
	printf("%zu jobs, answer %zu bytes, portal answer %zu bytes, %zu rounds; medians:", n, len, out_len, rounds);
	for (int k = 0; k < 8; k++) {
		qsort(t[k], rounds, sizeof(double), cmp);
		printf(" %s=%.2f ms", names[k], t[k][rounds / 2]);
	}
	printf("\n");
	free(doc);
	free(next);
	free(one);
	return 0;
}
