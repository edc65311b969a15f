/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slurm_rest - see slurm_rest.h */
#include "slurm_rest.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* newest first: sr_pick takes the first one slurmrestd serves */
static const sr_version_t known[] = {
	{ "v0.0.45", SR_GEN_4X },
	{ "v0.0.44", SR_GEN_4X },
	{ "v0.0.43", SR_GEN_4X },
	{ "v0.0.42", SR_GEN_4X },
	{ "v0.0.41", SR_GEN_4X },
	{ "v0.0.40", SR_GEN_4X },
	{ "v0.0.38", SR_GEN_38 },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/* /ROOT/VERSION MID ARG: one literal format for every path (see sr_path) */
static const struct {
	const char *root, *mid;
} paths[] = {
	[SR_JOBS] = { "slurm", "/jobs/" },
	[SR_JOBS_SINCE] = { "slurm", "/jobs/?update_time=" },
	[SR_JOB] = { "slurm", "/job/" },
	[SR_JOB_SUBMIT] = { "slurm", "/job/submit" },
	[SR_NODES] = { "slurm", "/nodes/" },
	[SR_NODE] = { "slurm", "/node/" },
	[SR_PARTITIONS] = { "slurm", "/partitions/" },
	[SR_DB_USER] = { "slurmdb", "/user/" },
	[SR_DB_ASSOCS] = { "slurmdb", "/associations/?user=" },
};

/* What follows the argument, from v0.0.40, where a default changed (both
 * measured on 26.05): a user's default account is filled only when its
 * associations are asked for (default.account is "" without with_assocs),
 * and hidden partitions are listed only with flags=ALL (v0.0.38 always
 * listed them). */
static const char *tail_of(sr_gen_t gen, sr_path_t what)
{
	if (gen == SR_GEN_38)
		return "";
	return what == SR_DB_USER ? "?with_assocs" : what == SR_PARTITIONS ? "?flags=ALL" : "";
}

/* where a generation's path differs from the table above */
static const char *mid_of(sr_gen_t gen, sr_path_t what)
{
	if (gen == SR_GEN_38 && what == SR_DB_ASSOCS)
		return "/associations?user=";
	return paths[what].mid;
}

const char *sr_known_versions(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NKNOWN && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", known[i].name);
	return buf;
}

int sr_version_by_name(const char *name, sr_version_t *out)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcmp(known[i].name, name)) {
			*out = known[i];
			return 0;
		}
	return -1;
}

/* "/slurm/v0.0.43/jobs/" -> "v0.0.43" in out; 0, or -1. 22.05 lists its
 * paths without the final '/' (it joins them from path components). */
static int version_of_path(const char *p, char *out, size_t len)
{
	const char *v, *e;

	if (strncmp(p, "/slurm/", 7))
		return -1;
	v = p + 7;
	if (!(e = strchr(v, '/')) || (strcmp(e, "/jobs/") && strcmp(e, "/jobs")) || (size_t)(e - v) >= len || strncmp(v, "v0.0.", 5))
		return -1;
	memcpy(out, v, (size_t)(e - v));
	out[e - v] = '\0';
	return 0;
}

int sr_pick(const char *openapi, size_t len, sr_version_t *out, char *why, size_t wl)
{
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *doc = tok ? json_tokener_parse_ex(tok, openapi, (int)len) : NULL, *p;
	size_t best = NKNOWN;
	char seen[256] = "";
	size_t used = 0;

	if (tok)
		json_tokener_free(tok);
	if (!doc || !json_object_object_get_ex(doc, "paths", &p) || !json_object_is_type(p, json_type_object)) {
		snprintf(why, wl, "slurmrestd's /openapi/v3 answer has no \"paths\" object");
		json_object_put(doc);
		return -1;
	}
	json_object_object_foreach(p, key, val) {
		char v[16];
		size_t i;

		(void)val;
		if (version_of_path(key, v, sizeof(v)))
			continue;
		for (i = 0; i < NKNOWN && strcmp(known[i].name, v); i++)
			;
		/* both the list and the submit path: a version slurmrestd half serves is no use */
		if (i < NKNOWN) {
			char submit[48];

			snprintf(submit, sizeof(submit), "/slurm/%s/job/submit", v);
			if (json_object_object_get_ex(p, submit, NULL) && i < best)
				best = i;
		} else if (used < sizeof(seen)) {
			used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%s", used ? ", " : "", v);
		}
	}
	json_object_put(doc);
	if (best == NKNOWN) {
		char names[128];

		snprintf(why, wl, "slurmrestd serves no Slurm REST version this bridge knows (it serves: %s; the bridge knows: %s): "
			 "upgrade octopus-bridge, or load a known data_parser in slurmrestd (-d)",
			 used ? seen : "none", sr_known_versions(names, sizeof(names)));
		return -1;
	}
	*out = known[best];
	return 0;
}

/* ids, user and node names (some sites' have '@'), Unix times: nothing
 * that needs escaping in a path or a query */
static int arg_ok(const char *a)
{
	if (!*a)
		return 0;
	for (; *a; a++)
		if (!isalnum((unsigned char)*a) && !strchr("._-@", *a))
			return 0;
	return 1;
}

int sr_path(const sr_version_t *v, sr_path_t what, const char *arg, char *out, size_t len)
{
	int n, takes_arg;

	if ((unsigned)what >= sizeof(paths) / sizeof(paths[0]) || !v->name[0])
		return -1;
	takes_arg = what == SR_JOBS_SINCE || what == SR_JOB || what == SR_NODE || what == SR_DB_USER ||
		    what == SR_DB_ASSOCS;
	if (takes_arg != (arg != NULL) || (arg && !arg_ok(arg)))
		return -1;
	n = snprintf(out, len, "/%s/%s%s%s%s", paths[what].root, v->name, mid_of(v->gen, what), arg ? arg : "",
		     tail_of(v->gen, what));
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
