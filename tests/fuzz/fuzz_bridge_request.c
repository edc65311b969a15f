/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: what any portal user controls in one request -- the
 * path the router splits and the job body job_spec parses (then turns into
 * a v0.0.38 body), and the job-list parser fed slurmrestd's answer.
 * Invariants: parameters are clean single segments; a parsed spec always
 * has a script starting "#!" and units >= 1; the job list parsed in two
 * chunks is the list parsed whole, and where json-c reads the same
 * document, every string field matches json-c's. The same bytes as the
 * first bytes of a connection (http_head_check): a head accepted whole is
 * never refused on a prefix (only "more"), a refusal always has a 4xx/5xx
 * status and a code, and an accepted head ends within the limit. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_head_check.h"
#include "job_list_parse.h"
#include "slurm_rest.h"
#include "sr_adapt.h"
#include "job_spec.h"
#include "router.h"
#include "utf8_valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const route_t table[] = {
	{ "GET", "/api/v1/jobs", "a" }, { "GET", "/api/v1/jobs/{}", "b" }, { "GET", "/api/v1/jobs/{}/log", "c" },
	{ "POST", "/api/v1/quota-requests/{}/approve", "d" },
};

/* the string a field holds: itself, or (v0.0.40+'s state lists) its
 * list's first scalar when that is a string; else NULL */
static json_object *string_in(json_object *v)
{
	if (json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *x = json_object_array_get_idx(v, i);

			if (x && !json_object_is_type(x, json_type_object) && !json_object_is_type(x, json_type_array)) {
				v = x;
				break;
			}
		}
	return json_object_is_type(v, json_type_string) ? v : NULL;
}

/* json-c's view of the list (strings only: numbers print differently) */
static void against_json_c(const char *s, const job_list_t *l)
{
	json_object *o = json_tokener_parse(s), *jobs, *v;
	size_t k = 0;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "jobs", &jobs) ||
	    !json_object_is_type(jobs, json_type_array))
		goto out;
	for (size_t i = 0; i < json_object_array_length(jobs); i++) {
		json_object *j = json_object_array_get_idx(jobs, i);
		job_rec_t r;

		if (!json_object_is_type(j, json_type_object))
			continue;
		if (k >= l->n || job_rec_from_json(j, &r))
			abort();
		for (int f = 0; f < JF_N; f++) {
			if (!r.f[f] || !json_object_object_get_ex(j, job_field_key(f), &v) || !(v = string_in(v)) ||
			    memchr(json_object_get_string(v), 0, (size_t)json_object_get_string_len(v)))
				continue;
			{
				/* json-c keeps any bytes; the bridge answers valid UTF-8 */
				char *want = utf8_valid_dup(r.f[f], strlen(r.f[f]));

				if (!want || !l->rec[k].f[f] || strcmp(want, l->rec[k].f[f]))
					abort();
				free(want);
			}
		}
		job_rec_free(&r);
		k++;
	}
	if (k != l->n)
		abort();
out:
	json_object_put(o);
}

static char *dup_bytes(const char *s, size_t size)
{
	char *c = malloc(size + 1);

	if (!c)
		abort();
	memcpy(c, s, size);
	c[size] = '\0';
	return c;
}

/* next parsed against prev must make what a full parse of next makes */
static void reparse_check(const job_list_t *prev, const char *next, size_t size)
{
	jlp_error_t e1, e2;
	char why1[200], why2[200];
	size_t reused;
	job_list_t *full = job_list_parse(next, size, &e1, why1, sizeof(why1));
	job_list_t *re = job_list_reparse(dup_bytes(next, size), size, prev, &e2, why2, sizeof(why2), &reused);

	if (!full != !re || e1.present != e2.present || e1.number != e2.number || strcmp(e1.message, e2.message) ||
	    (!full && strcmp(why1, why2)))
		abort();
	if (full) {
		if (full->n != re->n || reused > re->n || re->nshared > JL_SHARED_MAX)
			abort();
		for (size_t i = 0; i < full->n; i++)
			if (!job_rec_equal(&full->rec[i], &re->rec[i]) || full->rec[i].src_off != re->rec[i].src_off ||
			    full->rec[i].src_len != re->rec[i].src_len)
				abort();
	}
	job_list_unref(full);
	job_list_unref(re);
}

static void job_list_check(const char *s, size_t size)
{
	jlp_error_t e1, e2;
	char why[200];
	job_list_t *whole = job_list_parse(s, size, &e1, why, sizeof(why)), *split;
	size_t cut = size ? (unsigned char)s[0] % size : 0;
	jlp_t *p = jlp_new();

	if (!p)
		abort();
	if (!jlp_feed(p, s, cut))
		jlp_feed(p, s + cut, size - cut);
	split = jlp_finish(p, &e2, why, sizeof(why));
	if (!whole != !split || e1.present != e2.present || e1.number != e2.number || strcmp(e1.message, e2.message))
		abort();
	if (whole) {
		if (whole->n != split->n)
			abort();
		for (size_t i = 0; i < whole->n; i++)
			if (!job_rec_equal(&whole->rec[i], &split->rec[i]))
				abort();
		if (strlen(s) == size)
			against_json_c(s, whole);
	}
	job_list_unref(whole);
	job_list_unref(split);
	/* the same answer again, and with one byte changed, against this one */
	if ((whole = job_list_reparse(dup_bytes(s, size), size, NULL, &e1, why, sizeof(why), &cut))) {
		char *next = dup_bytes(s, size);

		job_list_render(whole, NULL);
		reparse_check(whole, s, size);
		if (size) {
			next[size - 1 - (unsigned char)s[0] % size] ^= 1;
			reparse_check(whole, next, size);
		}
		free(next);
		job_list_unref(whole);
	}
}

static void head_check(const char *s, size_t size)
{
	static const head_limits_t lim = { .max_head = 512, .max_line = 256, .max_fields = 8 };
	head_verdict_t v;
	int whole = http_head_check(s, size, &lim, &v);

	if (whole == HEAD_REFUSE && (v.status < 400 || v.status > 599 || !v.code || !v.message[0]))
		abort();
	if (whole == HEAD_OK && (!memmem(s, size < 520 ? size : 520, "\n\r\n", 3) && !memmem(s, size < 520 ? size : 520, "\n\n", 2)))
		abort();
	for (size_t cut = 0; whole == HEAD_OK && cut < size; cut += 1 + size / 16)
		if (http_head_check(s, cut, &lim, &v) == HEAD_REFUSE)
			abort();
}

/* The Slurm REST layer on any document: the adapters never crash, a
 * picked version is one the bridge knows, and a path built from the
 * input is either refused or one path with nothing added to it. */
static void slurm_rest(const char *s, size_t size)
{
	sr_version_t v38, v42, picked, again;
	json_object *o = json_tokener_parse(s), *x;
	char why[200], path[96], arg[40];

	sr_version_by_name("v0.0.38", &v38);
	sr_version_by_name("v0.0.42", &v42);
	if (!sr_pick(s, size, &picked, why, sizeof(why)) &&
	    (sr_version_by_name(picked.name, &again) || again.gen != picked.gen))
		abort();
	for (int g = 0; g < 2; g++) {
		const sr_version_t *v = g ? &v42 : &v38;

		json_object_put(sr_node(v, o));
		json_object_put(sr_partition(v, o));
		x = sr_submit_body(v, json_tokener_parse(s));
		json_object_put(x);
	}
	json_object_put(o);
	snprintf(arg, sizeof(arg), "%.*s", (int)(size < 39 ? size : 39), s);
	if (!sr_path(&v42, SR_JOB, arg, path, sizeof(path)) &&
	    (strncmp(path, "/slurm/v0.0.42/job/", 19) || strcmp(path + 19, arg) || strpbrk(path + 19, "/?&#% \\")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	job_spec_rules_t rules = { .env_allow = "OMP_*,HF_*", .max_hours = 72 };
	char *s = malloc(size + 1), field[64], why[512];
	route_match_t m;
	job_spec_t spec;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	head_check(s, size);
	route_find(table, sizeof(table) / sizeof(table[0]), "GET", s, &m);
	for (size_t i = 0; !m.status && i < m.nparams; i++)
		if (!m.params[i][0] || strchr(m.params[i], '/') || strchr(m.params[i], '%') || !strcmp(m.params[i], ".."))
			abort();
	if (!job_spec_parse((const char *)data, size, &rules, &spec, field, sizeof(field), why, sizeof(why))) {
		json_object *b;

		if (!spec.script || strncmp(spec.script, "#!", 2) || spec.units < 1 || !spec.minutes)
			abort();
		b = job_spec_submit_body(&spec, "alice", "/home/alice", "/home/alice", "gpu", "portal:job");
		if (!b || !json_object_to_json_string(b))
			abort();
		json_object_put(b);
	}
	job_spec_free(&spec);
	job_list_check(s, size);
	slurm_rest(s, size);
	free(s);
	return 0;
}
