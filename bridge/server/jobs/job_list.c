/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "job_list.h"
#include "log_path.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const struct {
	const char *slurm;      /* v0.0.38 key */
	const char *portal;     /* the view's key; NULL: not shown */
	int number;
	size_t slurm_len;
} fields[JF_N] = {
#define F(id, slurm, portal, number) [id] = { slurm, portal, number, sizeof(slurm) - 1 }
	F(JF_ID, "job_id", "id", 1),
	F(JF_NAME, "name", "name", 0),
	F(JF_USER, "user_name", "user", 0),
	F(JF_STATE, "job_state", "slurm_state", 0),
	F(JF_REASON, "state_reason", "reason", 0),
	F(JF_ACCOUNT, "account", "account", 0),
	F(JF_PARTITION, "partition", "partition", 0),
	F(JF_NODES, "nodes", "nodes", 0),
	F(JF_SUBMIT, "submit_time", "submit_time", 1),
	F(JF_START, "start_time", "start_time", 1),
	F(JF_END, "end_time", "end_time", 1),
	F(JF_LIMIT, "time_limit", "time_limit_minutes", 1),
	F(JF_WORKDIR, "current_working_directory", "workdir", 0),
	F(JF_STDOUT, "standard_output", "stdout", 0),
	F(JF_STDERR, "standard_error", "stderr", 0),
	F(JF_TRES_REQ, "tres_req_str", "tres", 0),
	F(JF_TRES_ALLOC, "tres_alloc_str", NULL, 0),
	F(JF_COMMENT, "comment", "comment", 0),
	F(JF_BATCH_HOST, "batch_host", "batch_host", 0),
	/* for the output files' names (std_path) */
	F(JF_BATCH, "batch_flag", NULL, 0),
	F(JF_ARRAY_JOB, "array_job_id", NULL, 0),
	F(JF_ARRAY_TASK, "array_task_id", NULL, 0),
#undef F
};

void job_rec_free(job_rec_t *r)
{
	for (int i = 0; i < JF_N; i++)
		free(r->f[i]);
	free(r->view);
	memset(r, 0, sizeof(*r));
}

/* What a field's value says, in either generation (job_list_parse.c reads
 * the same): a scalar; a list's first scalar (v0.0.40+'s state arrays); an
 * object's "number" when it is set and finite (v0.0.40+'s numbers). */
static json_object *field_value(json_object *v)
{
	json_object *x;

	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			x = json_object_array_get_idx(v, i);
			if (x && !json_object_is_type(x, json_type_object) && !json_object_is_type(x, json_type_array))
				return x;
		}
		return NULL;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object *set, *inf;

		/* "set": false or "infinite": true (booleans only) make it none */
		if (!json_object_object_get_ex(v, "number", &x) ||
		    !(json_object_is_type(x, json_type_int) || json_object_is_type(x, json_type_double)) ||
		    (json_object_object_get_ex(v, "set", &set) && json_object_is_type(set, json_type_boolean) &&
		     !json_object_get_boolean(set)) ||
		    (json_object_object_get_ex(v, "infinite", &inf) && json_object_is_type(inf, json_type_boolean) &&
		     json_object_get_boolean(inf)))
			return NULL;
		return x;
	}
	return v;
}

int job_rec_from_json(json_object *j, job_rec_t *out)
{
	json_object *v;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(j, json_type_object))
		return 0;
	for (int i = 0; i < JF_N; i++) {
		if (!json_object_object_get_ex(j, fields[i].slurm, &v) || !(v = field_value(v)))
			continue;
		if (!(out->f[i] = strdup(json_object_get_string(v)))) {
			job_rec_free(out);
			return -1;
		}
	}
	return 0;
}

const char *job_field_key(int field)
{
	return field >= 0 && field < JF_N ? fields[field].slurm : NULL;
}

/* The fields by key length: slurmrestd sends ~100 keys per job, the portal
 * wants 19, and the length alone rules out most keys (a scan of all 19
 * was a tenth of the parse, bench/bridge-parse). Each length has at most
 * BY_LEN_MAX fields; -1 ends a row. */
#define KEY_LEN_MAX 32
#define BY_LEN_MAX 4
static signed char by_len[KEY_LEN_MAX][BY_LEN_MAX];
static pthread_once_t by_len_once = PTHREAD_ONCE_INIT;

static void by_len_build(void)
{
	memset(by_len, -1, sizeof(by_len));
	for (int i = 0; i < JF_N; i++)
		for (int k = 0; k < BY_LEN_MAX; k++)
			if (by_len[fields[i].slurm_len][k] < 0) {
				by_len[fields[i].slurm_len][k] = (signed char)i;
				break;
			}
}

int job_field_by_key(const char *key, size_t len)
{
	if (len >= KEY_LEN_MAX)
		return -1;
	pthread_once(&by_len_once, by_len_build);
	for (int k = 0; k < BY_LEN_MAX && by_len[len][k] >= 0; k++) {
		const char *s = fields[by_len[len][k]].slurm;

		/* the first and last bytes rule out most keys without a call */
		if (s[0] == key[0] && s[len - 1] == key[len - 1] && !memcmp(s, key, len))
			return by_len[len][k];
	}
	return -1;
}

job_list_t *job_list_ref(job_list_t *l)
{
	if (l)
		__atomic_add_fetch(&l->refs, 1, __ATOMIC_RELAXED);
	return l;
}

void job_list_unref(job_list_t *l)
{
	if (!l || __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < l->nshared; i++)
		str_arena_unref(l->shared[i]);
	if (l->arena)
		str_arena_unref(l->arena);
	else
		for (size_t i = 0; i < l->n; i++)
			job_rec_free(&l->rec[i]);
	free(l->rec);
	free(l->src);
	free(l);
}

int job_rec_equal(const job_rec_t *a, const job_rec_t *b)
{
	for (int i = 0; i < JF_N; i++)
		if (!a->f[i] != !b->f[i] || (a->f[i] && strcmp(a->f[i], b->f[i])))
			return 0;
	return 1;
}

/* 22.05 writes "not an array task" as array_job_id 0, 24.11 and later as
 * an unset number (no field) */
static int rec_is_array_task(const job_rec_t *r)
{
	return r->f[JF_ARRAY_JOB] && strcmp(r->f[JF_ARRAY_JOB], "0") && r->f[JF_ARRAY_TASK] &&
	       strcmp(r->f[JF_ARRAY_TASK], "4294967294");
}

int job_rec_out_path(const job_rec_t *r, job_field_t field, char *out, size_t len)
{
	const char *given = field == JF_STDERR && r->f[JF_STDERR] && r->f[JF_STDERR][0] ? r->f[JF_STDERR] : r->f[JF_STDOUT];
	char pat[1100], aj[32] = "", at[32] = "";
	int array = rec_is_array_task(r);
	log_job_t lj;

	if ((field != JF_STDOUT && field != JF_STDERR) || !r->f[JF_BATCH] || strcmp(r->f[JF_BATCH], "true") ||
	    log_path_pattern(given, r->f[JF_WORKDIR], array, pat, sizeof(pat)))
		return -1;
	if (array) {
		snprintf(aj, sizeof(aj), "%s", r->f[JF_ARRAY_JOB]);
		snprintf(at, sizeof(at), "%s", r->f[JF_ARRAY_TASK]);
	}
	lj = (log_job_t){ .job_id = r->f[JF_ID] ? r->f[JF_ID] : "", .array_job_id = aj, .array_task_id = at,
			  .name = r->f[JF_NAME] ? r->f[JF_NAME] : "", .user = r->f[JF_USER] ? r->f[JF_USER] : "",
			  .first_node = r->f[JF_BATCH_HOST] ? r->f[JF_BATCH_HOST] : "" };
	return log_path_expand(pat, &lj, out, len);
}

/* stdout/stderr in the view: the file each goes to (job_rec_out_path), the
 * same on every release: 22.05 and 26.05's v0.0.45 write an stderr that
 * goes with stdout as "", 24.11 as stdout's path; the view names the file
 * both times. What cannot be named stays as slurmrestd wrote it. A new
 * string. */
static json_object *std_path(const job_rec_t *r, job_field_t field)
{
	char path[1100];

	if (job_rec_out_path(r, field, path, sizeof(path)))
		return json_object_new_string(r->f[field]);
	return json_object_new_string(path);
}

json_object *job_rec_view(const job_rec_t *r)
{
	json_object *o = json_object_new_object();

	for (int i = 0; i < JF_N; i++) {
		json_object *v = NULL;

		if (!fields[i].portal)
			continue;
		if (r->f[i] && (i == JF_STDOUT || i == JF_STDERR))
			v = std_path(r, (job_field_t)i);
		else if (r->f[i])
			v = fields[i].number ? json_object_new_int64(strtoll(r->f[i], NULL, 10))
					     : json_object_new_string(r->f[i]);
		json_object_object_add(o, fields[i].portal, v);
		if (i == JF_USER)       /* the portal's state word next to Slurm's */
			json_object_object_add(o, "state", json_object_new_string(job_portal_state(r->f[JF_STATE])));
	}
	return o;
}

uint64_t job_rec_units(const job_rec_t *r, const char *type)
{
	const char *tres = r->f[JF_TRES_ALLOC] && r->f[JF_TRES_ALLOC][0] ? r->f[JF_TRES_ALLOC] : r->f[JF_TRES_REQ];
	size_t n = strlen(type);

	for (const char *p = tres; p && (p = strstr(p, "license/mt_")); p++) {
		p += 11;
		if (!strncmp(p, type, n) && p[n] == '=')
			return strtoull(p + n + 1, NULL, 10);
	}
	return 0;
}

static size_t id_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;     /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int job_id_index_build(job_id_index_t *x, const job_list_t *l)
{
	size_t size = 64;

	while (size < l->n * 2)
		size *= 2;
	x->mask = 0;
	if (!(x->slot = calloc(size, sizeof(*x->slot))))
		return -1;
	x->mask = size - 1;
	for (size_t i = 0; i < l->n; i++) {
		const char *id = l->rec[i].f[JF_ID];
		size_t k;

		if (!id)
			continue;
		for (k = id_hash(id) & x->mask; x->slot[k]; k = (k + 1) & x->mask)
			;
		x->slot[k] = i + 1;
	}
	return 0;
}

long job_id_index_find(const job_id_index_t *x, const job_list_t *l, const char *id)
{
	if (!id || !x->slot)
		return -1;
	for (size_t k = id_hash(id) & x->mask; x->slot[k]; k = (k + 1) & x->mask)
		if (!strcmp(l->rec[x->slot[k] - 1].f[JF_ID], id))
			return (long)(x->slot[k] - 1);
	return -1;
}

void job_id_index_free(job_id_index_t *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}

int job_rec_copy(str_arena_t *a, job_rec_t *dst, const job_rec_t *src)
{
	job_rec_t r = *src;

	for (int i = 0; i < JF_N; i++)
		if (src->f[i] && !(r.f[i] = str_arena_memdup(a, src->f[i], strlen(src->f[i]))))
			return -1;
	if (src->view && !(r.view = str_arena_memdup(a, src->view, src->view_len)))
		return -1;
	r.home = 0;
	*dst = r;
	return 0;
}

static char *view_copy(job_list_t *l, const char *s, size_t len)
{
	char *v = l->arena ? str_arena_alloc(l->arena, len + 1) : malloc(len + 1);

	if (v)
		memcpy(v, s, len + 1);
	return v;
}

int job_list_render(job_list_t *l, const job_list_t *prev)
{
	job_id_index_t old = { 0 };
	int rc = 0, indexed = 0;

	for (size_t i = 0; i < l->n; i++) {
		job_rec_t *r = &l->rec[i];
		const job_rec_t *same = NULL;
		json_object *v;
		const char *s;
		size_t len;
		long k;

		if (r->view)
			continue;
		/* without the index every record is rendered: slower, not wrong */
		if (!indexed && prev && prev->n)
			job_id_index_build(&old, prev);
		indexed = 1;
		if ((k = job_id_index_find(&old, prev, r->f[JF_ID])) >= 0 && prev->rec[k].view &&
		    job_rec_equal(&prev->rec[k], r))
			same = &prev->rec[k];
		if (same) {
			if (!(r->view = view_copy(l, same->view, same->view_len)))
				rc = -1;
			else
				r->view_len = same->view_len;
			continue;
		}
		v = job_rec_view(r);
		s = v ? json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
							  &len)
		      : NULL;
		if (!s || !(r->view = view_copy(l, s, len)))
			rc = -1;
		else
			r->view_len = len;
		json_object_put(v);
	}
	job_id_index_free(&old);
	return rc;
}

const char *job_portal_state(const char *s)
{
	static const struct {
		const char *slurm, *portal;
	} map[] = {
		{ "PENDING", "queued" },        { "CONFIGURING", "running" }, { "RUNNING", "running" },
		{ "COMPLETING", "stopping" },   { "COMPLETED", "succeeded" }, { "CANCELLED", "stopped" },
		{ "FAILED", "failed" },         { "NODE_FAIL", "failed" },    { "BOOT_FAIL", "failed" },
		{ "OUT_OF_MEMORY", "failed" },  { "DEADLINE", "failed" },     { "TIMEOUT", "failed" },
		{ "SUSPENDED", "suspended" },   { "PREEMPTED", "suspended" }, { "REQUEUED", "suspended" },
	};

	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].slurm))
			return map[i].portal;
	return "unknown";
}

json_object *job_view(json_object *j)
{
	job_rec_t r;
	json_object *out;

	if (!json_object_is_type(j, json_type_object) || job_rec_from_json(j, &r))
		return NULL;
	out = job_rec_view(&r);
	job_rec_free(&r);
	return out;
}
