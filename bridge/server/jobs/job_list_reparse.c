/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_list_parse_internal.h"

/* A full parse feeds yajl 16 KiB at a time: twice as fast as one 3 MB
 * piece (bench/bridge-parse), its buffers staying in the CPU's cache. */
#define PARSE_STEP 16384

static int json_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* The job object at body[at] parsed alone, by a yajl handle of its own
 * that stops after its closing brace: its record is appended to p's list
 * with its place in body. 0, or -1 when it is not one whole object. */
static int parse_one_job(jlp_t *p, const char *body, size_t len, size_t at)
{
	yajl_handle h = yajl_alloc(&jlp_callbacks, NULL, p);
	yajl_status st;

	if (!h)
		return -1;
	yajl_config(h, yajl_dont_validate_strings, 1);
	p->cur = h;
	p->base = at;
	p->one_job = 1;
	p->one_job_done = 0;
	st = yajl_parse(h, (const unsigned char *)body + at, len - at);
	p->cur = p->h;
	p->one_job = 0;
	yajl_free(h);
	return st == yajl_status_client_canceled && p->one_job_done && !p->why[0] ? 0 : -1;
}

/* prev's record for the job object at body[at]: the one at prev's place
 * k, or k + 1 (job k went), when its bytes are the same; *k moves past it. */
static const job_rec_t *same_job(const job_list_t *prev, size_t *k, const char *body, size_t len, size_t at)
{
	for (size_t j = *k; j < prev->n && j < *k + 2; j++) {
		const job_rec_t *r = &prev->rec[j];

		if (r->src_len <= len - at && !memcmp(body + at, prev->src + r->src_off, r->src_len)) {
			*k = j + 1;
			return r;
		}
	}
	return NULL;
}

/* The arenas prev's records keep their strings in, by prev's home index
 * (0 its own, i its shared[i - 1]), and how many of the new list's records
 * take their strings from each. */
typedef struct {
	str_arena_t *arena[JL_SHARED_MAX + 1];
	size_t uses[JL_SHARED_MAX + 1];
} homes_t;

/* The new list keeps at most JL_SHARED_MAX of those arenas: the records of
 * the least used ones are copied into its own (one job per fetch in a
 * queue where one job changes at a time), so an arena goes once few of
 * its jobs are left. 0, or -1 (out of memory). */
static int keep_homes(job_list_t *l, homes_t *h)
{
	unsigned used = 0, map[JL_SHARED_MAX + 2] = { 0 };

	for (unsigned c = 0; c <= JL_SHARED_MAX; c++)
		used += h->uses[c] > 0;
	while (used > JL_SHARED_MAX) {
		unsigned least = 0;

		for (unsigned c = 1; c <= JL_SHARED_MAX; c++)
			if (h->uses[c] && (!h->uses[least] || h->uses[c] < h->uses[least]))
				least = c;
		for (size_t i = 0; i < l->n; i++)
			if (l->rec[i].home == least + 1 && job_rec_copy(l->arena, &l->rec[i], &l->rec[i]))
				return -1;
		h->uses[least] = 0;
		used--;
	}
	for (unsigned c = 0; c <= JL_SHARED_MAX; c++)
		if (h->uses[c]) {
			l->shared[l->nshared++] = str_arena_ref(h->arena[c]);
			map[c + 1] = l->nshared;
		}
	for (size_t i = 0; i < l->n; i++)
		l->rec[i].home = (unsigned char)map[l->rec[i].home];
	return 0;
}

/*
 * The answer's frame (all before the first job, the separators, all after
 * the last) goes to the document's parser as it is; each job object
 * reaches it as "{}", its record appended beforehand: prev's, its strings
 * left where they are, or parsed alone. NULL when anything is not as prev
 * had it (the caller then parses in full, which also words any error).
 */
static job_list_t *parse_against(const char *body, size_t len, const job_list_t *prev, jlp_error_t *err,
				 size_t *reused)
{
	size_t head = prev->rec[0].src_off, at, k = 0, from;
	job_id_index_t ids = { 0 };
	homes_t homes = { .arena = { prev->arena } };
	int indexed = 0;
	job_list_t *l = NULL;
	char why[160];
	jlp_t *p;

	for (unsigned i = 0; i < prev->nshared; i++)
		homes.arena[i + 1] = prev->shared[i];
	if (head > len || memcmp(body, prev->src, head) || !(p = jlp_new()))
		return NULL;
	if (jlp_feed_at(p, body, head, 0) || p->depth != 2 || p->in != IN_JOBS || p->list->n)
		goto out;
	for (at = head;;) {
		const job_rec_t *same;

		if (at >= len || body[at] != '{')
			goto out;
		if ((same = same_job(prev, &k, body, len, at))) {
			job_rec_t *r = jlp_push(p);

			if (!r)
				goto out;
			*r = *same;
			r->src_off = at;
			r->home = (unsigned char)(same->home + 1);      /* homes' index + 1, until keep_homes */
			homes.uses[same->home]++;
			(*reused)++;
		} else {
			const job_rec_t *r;
			long j;

			if (parse_one_job(p, body, len, at))
				goto out;
			r = &p->list->rec[p->list->n - 1];
			/* prev's jobs before this one went: go on from its place */
			if (!indexed++)
				job_id_index_build(&ids, prev);
			if ((j = job_id_index_find(&ids, prev, r->f[JF_ID])) >= 0 && (size_t)j >= k)
				k = (size_t)j + 1;
		}
		at = p->list->rec[p->list->n - 1].src_off + p->list->rec[p->list->n - 1].src_len;
		p->placeholder = 1;
		if (jlp_feed_at(p, "{}", 2, at))
			goto out;
		from = at;
		while (at < len && json_space(body[at]))
			at++;
		if (at < len && body[at] == ',') {
			for (at++; at < len && json_space(body[at]); at++)
				;
			if (jlp_feed_at(p, body + from, at - from, from))
				goto out;
			continue;
		}
		/* the array's end and the rest, or whatever stands there */
		if (jlp_feed_at(p, body + from, len - from, from))
			goto out;
		break;
	}
	/* a second "jobs" array after the first one drops the records; no
	 * record left points into prev's arenas unless it came from them */
	l = jlp_finish(p, err, why, sizeof(why));
	p = NULL;
	if (l && keep_homes(l, &homes)) {
		job_list_unref(l);
		l = NULL;
	}
out:
	if (p)
		job_list_unref(jlp_finish(p, err, why, sizeof(why)));
	job_id_index_free(&ids);
	if (!l)
		*reused = 0;
	return l;
}

job_list_t *job_list_reparse(char *body, size_t len, const job_list_t *prev, jlp_error_t *err, char *why,
			     size_t whylen, size_t *reused)
{
	job_list_t *l = NULL;
	jlp_t *p;

	*reused = 0;
	if (prev && prev->src && prev->n && prev->arena)
		l = parse_against(body, len, prev, err, reused);
	if (!l) {
		if (!(p = jlp_new())) {
			memset(err, 0, sizeof(*err));
			snprintf(why, whylen, "out of memory");
			free(body);
			return NULL;
		}
		for (size_t off = 0; off < len; off += PARSE_STEP)
			if (jlp_feed(p, body + off, len - off < PARSE_STEP ? len - off : PARSE_STEP))
				break;
		l = jlp_finish(p, err, why, whylen);
	}
	if (!l) {
		free(body);
		return NULL;
	}
	l->src = body;
	l->src_len = len;
	return l;
}
