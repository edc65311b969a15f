/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/me: who the bridge takes the caller for, and what they may run --
 * their Slurm associations with the limits slurmdbd holds (GrpTRES is where
 * octopus-quota sync puts a grant), their ledger grants that are active or
 * scheduled, and what their jobs use now per machine type. All of it asked
 * as the caller: slurmdbd and the job cache, no admin view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "grant_sum.h"
#include "mt_catalog.h"

/* A v0.0.38 TRES list ([{type, name, count}]) as sacctmgr writes it:
 * "cpu=8,license/mt_gpu=4"; NULL when empty. */
static json_object *tres_string(json_object *list)
{
	char buf[1024];
	size_t used = 0;

	if (!json_object_is_type(list, json_type_array))
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *t = json_object_array_get_idx(list, i), *type, *name, *count;
		const char *nm;
		int n;

		if (!json_object_object_get_ex(t, "type", &type) || !json_object_object_get_ex(t, "count", &count) ||
		    !json_object_is_type(count, json_type_int))
			continue;
		nm = json_object_object_get_ex(t, "name", &name) && json_object_get_string_len(name)
			     ? json_object_get_string(name)
			     : NULL;
		n = snprintf(buf + used, sizeof(buf) - used, "%s%s%s%s=%lld", used ? "," : "", json_object_get_string(type),
			     nm ? "/" : "", nm ? nm : "", (long long)json_object_get_int64(count));
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			break;  /* a list longer than any site's: cut at an entry */
		used += (size_t)n;
	}
	return used ? json_object_new_string(buf) : NULL;
}

static json_object *path_get(json_object *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		if (!json_object_object_get_ex(o, *keys, &o))
			return NULL;
	return o;
}

static json_object *copy_string(json_object *assoc, const char *key)
{
	json_object *v;

	/* "" (v0.0.40+ for no partition) is null, as v0.0.38 has it */
	return json_object_object_get_ex(assoc, key, &v) && json_object_is_type(v, json_type_string) &&
		       json_object_get_string_len(v)
		       ? json_object_new_string(json_object_get_string(v))
		       : NULL;
}

/* The caller's associations from slurmdbd; NULL answered. */
static json_object *associations(req_t *r)
{
	static const char *const grp[] = { "max", "tres", "total", NULL }, *const per_job[] = { "max", "tres", "per", "job", NULL },
				 *const per_node[] = { "max", "tres", "per", "node", NULL };
	json_object *doc, *list, *out;
	restd_resp_t resp;
	char path[160];

	if (req_slurm_path(r, SR_DB_ASSOCS, r->who.user, path, sizeof(path), NULL) ||
	    req_restd(r, "GET", path, NULL, &resp))
		return NULL;
	doc = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (!doc || !json_object_object_get_ex(doc, "associations", &list) || !json_object_is_type(list, json_type_array)) {
		json_object_put(doc);
		reply_error(r, 502, "slurm_error", "slurmdbd's associations for %s could not be read (HTTP %ld)",
			    r->who.user, resp.status);
		return NULL;
	}
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *a = json_object_array_get_idx(list, i), *v, *o;

		/* slurmdbd answers other users' associations too when PrivateData
		 * allows: keep the caller's */
		if (!json_object_object_get_ex(a, "user", &v) || strcmp(json_object_get_string(v), r->who.user))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "account", copy_string(a, "account"));
		json_object_object_add(o, "cluster", copy_string(a, "cluster"));
		json_object_object_add(o, "partition", copy_string(a, "partition"));
		json_object_object_add(o, "default", json_object_new_boolean(
							     json_object_object_get_ex(a, "is_default", &v) &&
							     json_object_get_int(v) == 1));
		json_object_object_add(o, "grp_tres", tres_string(path_get(a, grp)));
		json_object_object_add(o, "max_tres_per_job", tres_string(path_get(a, per_job)));
		json_object_object_add(o, "max_tres_per_node", tres_string(path_get(a, per_node)));
		json_object_array_add(out, o);
	}
	json_object_put(doc);
	return out;
}

/* Per machine type: units the caller's running jobs hold, units granted
 * now (per account, summed) and until when; and job counts. */
static json_object *usage(req_t *r, const gl_grant_t *g, size_t ng, job_list_t *jobs)
{
	const mt_catalog_t *c = r->b->catalog;
	json_object *o = json_object_new_object(), *types = json_object_new_array();
	int64_t now = (int64_t)time(NULL);
	long running = 0, pending = 0;

	for (size_t i = 0; i < jobs->n; i++) {
		const job_rec_t *j = &jobs->rec[i];

		if (!j->f[JF_USER] || strcmp(j->f[JF_USER], r->who.user) || !j->f[JF_STATE])
			continue;
		running += !strcmp(j->f[JF_STATE], "RUNNING");
		pending += !strcmp(j->f[JF_STATE], "PENDING");
	}
	for (size_t t = 0; c && t < c->ntypes; t++) {
		const char *name = c->types[t].name;
		uint64_t used = 0, granted = 0;
		int64_t until = 0;
		json_object *m;

		for (size_t i = 0; i < jobs->n; i++) {
			const job_rec_t *j = &jobs->rec[i];

			if (j->f[JF_USER] && !strcmp(j->f[JF_USER], r->who.user) && j->f[JF_STATE] &&
			    !strcmp(j->f[JF_STATE], "RUNNING"))
				used += job_rec_units(j, name);
		}
		/* each account's grants count on their own (a grant is per
		 * association); the sum is what the user may run at once */
		for (size_t i = 0; i < ng; i++) {
			uint64_t limit;
			int64_t end;
			int seen = 0;

			for (size_t k = 0; k < i; k++)
				seen |= !strcmp(g[k].account, g[i].account);
			if (seen)
				continue;
			grant_sum(g, ng, g[i].account, name, now, 1, &limit, &end);
			if (limit == UINT64_MAX)
				continue;
			granted += limit;
			until = end > until ? end : until;
		}
		if (!used && !granted)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "machine_type", json_object_new_string(name));
		json_object_object_add(m, "running_units", json_object_new_int64((int64_t)used));
		json_object_object_add(m, "granted_units", json_object_new_int64((int64_t)granted));
		json_object_object_add(m, "granted_until", until ? json_object_new_int64(until) : NULL);
		json_object_array_add(types, m);
	}
	json_object_object_add(o, "running_jobs", json_object_new_int64(running));
	json_object_object_add(o, "pending_jobs", json_object_new_int64(pending));
	json_object_object_add(o, "machine_types", types);
	return o;
}

void r_me(req_t *r)
{
	json_object *o, *assocs, *grants = json_object_new_array();
	gl_grant_t *g = NULL;
	job_list_t *jobs;
	int64_t now = (int64_t)time(NULL);
	size_t n = 0;
	int hit;

	if (!(assocs = associations(r)) || !(jobs = req_job_list(r, &hit))) {
		json_object_put(assocs);
		json_object_put(grants);
		return;
	}
	if (r->b->ledger)
		g = bridge_grants(r->b, r->who.user, &n);
	for (size_t i = 0; i < n; i++)
		if (g[i].status != GL_REVOKED && g[i].end > now)
			json_object_array_add(grants, grant_json(&g[i], grant_applying(r->b, g, n, &g[i], (int64_t)time(NULL))));
	o = json_object_new_object();
	json_object_object_add(o, "user", json_object_new_string(r->who.user));
	json_object_object_add(o, "uid", json_object_new_int64(r->who.uid));
	json_object_object_add(o, "admin", json_object_new_boolean(r->who.admin));
	json_object_object_add(o, "auth", json_object_new_string(r->who.via == AUTH_TOKEN  ? "token"
								: r->who.via == AUTH_OIDC ? "oidc"
											  : "proxy"));
	json_object_object_add(o, "can_write", json_object_new_boolean(r->who.can_write));
	json_object_object_add(o, "associations", assocs);
	json_object_object_add(o, "grants", grants);
	json_object_object_add(o, "usage", usage(r, g, n, jobs));
	job_list_unref(jobs);
	free(g);
	reply_json(r, 200, o);
}
