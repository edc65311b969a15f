/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sr_adapt - see sr_adapt.h */
#define _GNU_SOURCE
#include "sr_adapt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sr_number(json_object *v, int64_t *out)
{
	json_object *set, *inf, *num;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 1;
	}
	if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, "number", &num) ||
	    !json_object_is_type(num, json_type_int))
		return 0;
	if ((json_object_object_get_ex(v, "set", &set) && json_object_is_type(set, json_type_boolean) &&
	     !json_object_get_boolean(set)) ||
	    (json_object_object_get_ex(v, "infinite", &inf) && json_object_is_type(inf, json_type_boolean) &&
	     json_object_get_boolean(inf)))
		return 0;
	*out = json_object_get_int64(num);
	return 1;
}

/* a v0.0.40+ number as v0.0.38 wrote it: the number, or null */
static json_object *number_or_null(json_object *v)
{
	int64_t n;

	return sr_number(v, &n) ? json_object_new_int64(n) : NULL;
}

static int is_number_object(json_object *v)
{
	return json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "number", NULL) &&
	       json_object_object_get_ex(v, "set", NULL);
}

/* ["RUNNING","COMPLETING"] -> "RUNNING": the base state comes first */
static json_object *first_string(json_object *v)
{
	json_object *s;

	if (json_object_is_type(v, json_type_string))
		return json_object_get(v);
	if (!json_object_is_type(v, json_type_array) || !json_object_array_length(v) ||
	    !json_object_is_type(s = json_object_array_get_idx(v, 0), json_type_string))
		return NULL;
	return json_object_get(s);
}

/* Every top-level number object becomes a number or null; the keys in
 * states become their first string. */
static json_object *flatten(json_object *o, const char *const *states)
{
	json_object *out = json_object_new_object();

	json_object_object_foreach(o, key, val) {
		int state = 0;

		for (size_t i = 0; states[i]; i++)
			state |= !strcmp(key, states[i]);
		if (state)
			json_object_object_add(out, key, first_string(val));
		else if (is_number_object(val))
			json_object_object_add(out, key, number_or_null(val));
		else
			json_object_object_add(out, key, json_object_get(val));
	}
	return out;
}

json_object *sr_node(const sr_version_t *v, json_object *n)
{
	static const char *const none[] = { NULL };
	json_object *out, *st, *flags;

	if (!json_object_is_type(n, json_type_object))
		return NULL;
	if (v->gen != SR_GEN_4X)
		return json_object_get(n);
	out = flatten(n, none);
	/* v0.0.38: "state" the base state in lower case, "state_flags" the rest */
	if (json_object_object_get_ex(n, "state", &st) && json_object_is_type(st, json_type_array)) {
		json_object *base = json_object_array_length(st) ? json_object_array_get_idx(st, 0) : NULL;
		char *lower = base && json_object_is_type(base, json_type_string) ? strdup(json_object_get_string(base)) : NULL;

		for (char *c = lower; c && *c; c++)
			*c = (char)tolower((unsigned char)*c);
		json_object_object_add(out, "state", lower ? json_object_new_string(lower) : NULL);
		free(lower);
		flags = json_object_new_array();
		for (size_t i = 1; i < json_object_array_length(st); i++)
			json_object_array_add(flags, json_object_get(json_object_array_get_idx(st, i)));
		json_object_object_add(out, "state_flags", flags);
	}
	return out;
}

/* v0.0.38's partition keys, where v0.0.40+ keeps each */
static const struct {
	const char *key;        /* canonical */
	const char *path[3];    /* in v0.0.40+ */
	enum { P_COPY, P_NUMBER, P_STATE, P_FLAGS } how;
} partition_map[] = {
	{ "name", { "name" }, P_COPY },
	{ "state", { "partition", "state" }, P_STATE },
	{ "nodes", { "nodes", "configured" }, P_COPY },
	{ "total_nodes", { "nodes", "total" }, P_NUMBER },
	{ "total_cpus", { "cpus", "total" }, P_NUMBER },
	{ "max_time_limit", { "maximums", "time" }, P_NUMBER },
	{ "default_time_limit", { "defaults", "time" }, P_NUMBER },
	{ "allowed_accounts", { "accounts", "allowed" }, P_COPY },
	{ "allowed_groups", { "groups", "allowed" }, P_COPY },
	{ "tres", { "tres", "configured" }, P_COPY },
	{ "flags", { "flags" }, P_FLAGS },
};

static json_object *at(json_object *o, const char *const *path)
{
	for (int i = 0; i < 3 && path[i]; i++)
		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, path[i], &o))
			return NULL;
	return o;
}

/* v0.0.38 wrote "no limit" as -1 (INFINITE) or null (NO_VAL), v0.0.40+
 * as infinite or unset: null either way */
static json_object *limit_or_null(const sr_version_t *v, json_object *val)
{
	int64_t n;

	if (!sr_number(val, &n) || (v->gen == SR_GEN_38 && n < 0))
		return NULL;
	return json_object_new_int64(n);
}

/* v0.0.45's partition flag names -> v0.0.38's (the canonical ones) */
static const struct {
	const char *v4x, *v38;
} flag_names[] = {
	{ "DEFAULT", "default" },
	{ "HIDDEN", "hidden" },
	{ "NO_ROOT", "no_root" },
	{ "ROOT_ONLY", "root_only" },
	{ "REQ_RESV", "reservation_required" },
	{ "LLN", "least_loaded_nodes" },
};

static const char *flag_name(const char *f)
{
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (!strcasecmp(f, flag_names[i].v4x) || !strcasecmp(f, flag_names[i].v38))
			return flag_names[i].v38;
	return f;
}

/*
 * The flags as v0.0.38 wrote them; NULL (unknown) when the version does
 * not report them: v0.0.40-44 skip partition flags altogether, so their
 * "no flags" would claim a default partition is not one. v0.0.45 keeps
 * exclusive_user apart, as partition/exclusive "USER".
 */
static json_object *flags_of(json_object *p, json_object *val)
{
	static const char *const excl_path[] = { "partition", "exclusive", NULL };
	json_object *out, *excl;

	if (!json_object_is_type(val, json_type_array))
		return NULL;
	out = json_object_new_array();
	for (size_t k = 0; k < json_object_array_length(val); k++) {
		json_object *f = json_object_array_get_idx(val, k);

		if (json_object_is_type(f, json_type_string))
			json_object_array_add(out, json_object_new_string(flag_name(json_object_get_string(f))));
	}
	excl = at(p, excl_path);
	if (json_object_is_type(excl, json_type_string) && !strcmp(json_object_get_string(excl), "USER"))
		json_object_array_add(out, json_object_new_string("exclusive_user"));
	return out;
}

json_object *sr_partition(const sr_version_t *v, json_object *p)
{
	json_object *out;

	if (!json_object_is_type(p, json_type_object))
		return NULL;
	out = json_object_new_object();
	for (size_t i = 0; i < sizeof(partition_map) / sizeof(partition_map[0]); i++) {
		const char *const v38[] = { partition_map[i].key, NULL };
		json_object *val = at(p, v->gen == SR_GEN_4X ? partition_map[i].path : v38);

		switch (partition_map[i].how) {
		case P_COPY:
			if (val)
				json_object_object_add(out, partition_map[i].key, json_object_get(val));
			break;
		case P_NUMBER:
			json_object_object_add(out, partition_map[i].key, limit_or_null(v, val));
			break;
		case P_STATE:
			/* v0.0.38 wrote "UP", v0.0.40+ ["UP"] */
			json_object_object_add(out, partition_map[i].key, first_string(val));
			break;
		case P_FLAGS:
			json_object_object_add(out, partition_map[i].key, flags_of(p, val));
			break;
		}
	}
	return out;
}

json_object *sr_submit_body(const sr_version_t *v, json_object *body)
{
	json_object *job, *env, *arr, *tl, *lim;

	if (v->gen != SR_GEN_4X || !json_object_object_get_ex(body, "job", &job))
		return body;
	/* v0.0.40+ read the environment as ["NAME=value", ...] */
	if (json_object_object_get_ex(job, "environment", &env) && json_object_is_type(env, json_type_object)) {
		arr = json_object_new_array();
		json_object_object_foreach(env, name, val) {
			char *kv = NULL;

			/* a variable left out would run the job in another environment than asked */
			if (asprintf(&kv, "%s=%s", name, json_object_get_string(val)) < 0) {
				json_object_put(arr);
				json_object_put(body);
				return NULL;
			}
			json_object_array_add(arr, json_object_new_string(kv));
			free(kv);
		}
		json_object_object_add(job, "environment", arr);
	}
	/* and numbers as {"set":true,"infinite":false,"number":N} */
	if (json_object_object_get_ex(job, "time_limit", &tl) && json_object_is_type(tl, json_type_int)) {
		lim = json_object_new_object();
		json_object_object_add(lim, "set", json_object_new_boolean(1));
		json_object_object_add(lim, "infinite", json_object_new_boolean(0));
		json_object_object_add(lim, "number", json_object_new_int64(json_object_get_int64(tl)));
		json_object_object_add(job, "time_limit", lim);
	}
	return body;
}

int sr_kill_refused(json_object *answer, int *num, const char **msg)
{
	json_object *st, *e, *err, *v;
	size_t n;

	if (!json_object_object_get_ex(answer, "status", &st) || !json_object_is_type(st, json_type_array))
		return 0;
	n = json_object_array_length(st);
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(st, i);
		if (!json_object_is_type(e, json_type_object) || !json_object_object_get_ex(e, "error", &err) ||
		    !json_object_object_get_ex(err, "code", &v) || !json_object_get_int(v))
			continue;
		*num = json_object_get_int(v);
		*msg = NULL;
		if ((json_object_object_get_ex(err, "message", &v) && json_object_get_string_len(v)) ||
		    (json_object_object_get_ex(err, "string", &v) && json_object_get_string_len(v)))
			*msg = json_object_get_string(v);
		return 1;
	}
	return 0;
}

/*
 * "Nothing changed since update_time": 22.05 answers 304; openapi/slurmctld
 * (24.11, 26.05) answers 200 with no jobs, a warning and no last_update.
 * Read as a list, that answer would empty the cache until the next change
 * (measured on 26.05: a running instance shown "queued", its delete not
 * cancelling its job). Such an answer is small: only those are parsed here.
 */
int sr_jobs_unchanged(const char *body, size_t len)
{
	json_object *o, *list, *lu;
	int64_t at;
	int unchanged = 0;

	if (!body || len > 64 * 1024 || !(o = json_tokener_parse(body)))
		return 0;
	if (json_object_object_get_ex(o, "jobs", &list) && json_object_is_type(list, json_type_array) &&
	    !json_object_array_length(list))
		unchanged = !json_object_object_get_ex(o, "last_update", &lu) || !sr_number(lu, &at) || at == 0;
	json_object_put(o);
	return unchanged;
}
