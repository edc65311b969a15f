/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small routes: liveness, readiness, the machine types, the
 * audit log, metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "sr_adapt.h"
#include "ide_proxy.h"
#include "ide_ws.h"
#include "metrics.h"
#include "gres_count.h"
#include "mt_catalog.h"

void r_healthz(req_t *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string("ok"));
	reply_json(r, 200, o);
}

/* Ready when slurmrestd answers at all (any HTTP status: it is up) */
/* Ready: slurmrestd answers, and speaks a Slurm REST version the bridge
 * knows (asked here when its /openapi/v3 is open; else at the first
 * user's request, which readyz then shows). */
void r_readyz(req_t *r)
{
	restd_resp_t resp;
	json_object *o = json_object_new_object(), *api;
	int up = !restd_call(r->b->restd, "GET", "/openapi/v3", "-", "-", NULL, &resp), known = 1;
	sr_version_t v;
	const char *how = bridge_api_now(r->b, &v);
	char why[400] = "";

	if (up && !v.name[0] && resp.status == 200) {
		known = !bridge_api_adopt(r->b, resp.body, resp.len, &v, why, sizeof(why));
		how = bridge_api_now(r->b, &v);
	}
	json_object_object_add(o, "slurmrestd", json_object_new_string(up ? "up" : resp.err));
	api = json_object_new_object();
	json_object_object_add(api, "version", v.name[0] ? json_object_new_string(v.name) : NULL);
	json_object_object_add(api, "chosen", json_object_new_string(how));
	json_object_object_add(o, "slurm_api", api);
	json_object_object_add(o, "status", json_object_new_string(up && known ? "ready" : "not ready"));
	restd_resp_free(&resp);
	if (!up || !known) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "code", json_object_new_string(up ? "slurm_version" : "slurm_unavailable"));
		json_object_object_add(e, "message", json_object_new_string(up ? why : "slurmrestd does not answer"));
		json_object_object_add(e, "request_id", json_object_new_string(r->request_id));
		json_object_object_add(o, "error", e);
	}
	reply_json(r, up && known ? 200 : 503, o);
}

void r_machine_types(req_t *r)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const mt_catalog_t *c = r->b->catalog;

	for (size_t i = 0; c && i < c->ntypes; i++) {
		const mt_type_t *t = &c->types[i];
		json_object *m = json_object_new_object(), *parts = json_object_new_array();
		char gres[128];

		snprintf(gres, sizeof(gres), "%s%s%s:%u", t->gres_name, t->gres_type[0] ? ":" : "", t->gres_type,
			 t->gres_per_unit);
		json_object_object_add(m, "name", json_object_new_string(t->name));
		json_object_object_add(m, "gres_per_unit", json_object_new_string(t->gres_name[0] ? gres : ""));
		json_object_object_add(m, "cpus_per_unit", json_object_new_int64(t->cpus_per_unit));
		json_object_object_add(m, "mem_mb_per_unit", json_object_new_int64((int64_t)t->mem_mb_per_unit));
		json_object_object_add(m, "max_units_per_job", json_object_new_int64(t->max_units_per_job));
		for (size_t p = 0; p < t->npartitions; p++)
			json_object_array_add(parts, json_object_new_string(t->partitions[p]));
		json_object_object_add(m, "partitions", parts);
		json_object_object_add(m, "description", t->description ? json_object_new_string(t->description) : NULL);
		json_object_array_add(arr, m);
	}
	json_object_object_add(o, "machine_types", arr);
	reply_json(r, 200, o);
}

static int add_audit(const bdb_audit_t *a, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "at", json_object_new_int64(a->at));
	json_object_object_add(o, "request_id", json_object_new_string(a->request_id));
	json_object_object_add(o, "user", json_object_new_string(a->user));
	json_object_object_add(o, "source", json_object_new_string(a->source));
	json_object_object_add(o, "action", json_object_new_string(a->action));
	json_object_object_add(o, "target", json_object_new_string(a->target));
	json_object_object_add(o, "status", json_object_new_int(a->status));
	json_object_object_add(o, "detail", json_object_new_string(a->detail));
	json_object_array_add(arg, o);
	return 0;
}

void r_admin_audit(req_t *r)
{
	long long before, limit;
	json_object *o, *arr;

	if (req_query_int(r, "before", 0, INT64_MAX, 0, &before) || req_query_int(r, "limit", 1, 1000, 100, &limit))
		return;
	o = json_object_new_object();
	arr = json_object_new_array();
	bdb_audit_foreach(r->b->db, before, (int)limit, add_audit, arr);
	json_object_object_add(o, "entries", arr);
	reply_json(r, 200, o);
}

static int count_one(const bdb_qreq_t *q, void *arg)
{
	(void)q;
	(*(long *)arg)++;
	return 0;
}

void r_metrics(req_t *r)
{
	uint64_t mints, hits, errs, calls, fails, ch, cm;
	char extra[3072];
	long pending = 0, expiring = 0;
	int64_t now = (int64_t)time(NULL);
	size_t used;

	mc_stats(r->b->mc, &mints, &hits, &errs);
	restd_stats(r->b->restd, &calls, &fails);
	job_cache_stats(r->b->jobs, &ch, &cm);
	snprintf(extra, sizeof(extra),
		 "# TYPE octopus_bridge_tokens_minted_total counter\noctopus_bridge_tokens_minted_total %llu\n"
		 "# TYPE octopus_bridge_token_cache_hits_total counter\noctopus_bridge_token_cache_hits_total %llu\n"
		 "# TYPE octopus_bridge_minter_errors_total counter\noctopus_bridge_minter_errors_total %llu\n"
		 "# TYPE octopus_bridge_slurmrestd_calls_total counter\noctopus_bridge_slurmrestd_calls_total %llu\n"
		 "# TYPE octopus_bridge_slurmrestd_failures_total counter\noctopus_bridge_slurmrestd_failures_total %llu\n"
		 "# TYPE octopus_bridge_jobs_cache_hits_total counter\noctopus_bridge_jobs_cache_hits_total %llu\n"
		 "# TYPE octopus_bridge_jobs_cache_misses_total counter\noctopus_bridge_jobs_cache_misses_total %llu\n",
		 (unsigned long long)mints, (unsigned long long)hits, (unsigned long long)errs,
		 (unsigned long long)calls, (unsigned long long)fails, (unsigned long long)ch, (unsigned long long)cm);
	bdb_qreq_foreach(r->b->db, NULL, QR_PENDING, count_one, &pending);
	if (r->b->ledger) {
		size_t n;
		gl_grant_t *g = bridge_grants(r->b, NULL, &n);

		for (size_t i = 0; i < n; i++)
			expiring += g[i].status == GL_ACTIVE && g[i].end > now && g[i].end <= now + 7 * 86400;
		free(g);
	}
	used = strlen(extra);
	{
		sr_version_t v;
		const char *how = bridge_api_now(r->b, &v);

		/* an info metric: which Slurm REST version, and how it was chosen */
		snprintf(extra + used, sizeof(extra) - used,
			 "# TYPE octopus_bridge_slurm_api_info gauge\n"
			 "octopus_bridge_slurm_api_info{version=\"%s\",chosen=\"%s\"} 1\n",
			 v.name, how);
	}
	used = strlen(extra);
	snprintf(extra + used, sizeof(extra) - used,
		 "# TYPE octopus_bridge_quota_requests_pending gauge\noctopus_bridge_quota_requests_pending %ld\n"
		 "# TYPE octopus_bridge_grants_expiring_7d gauge\noctopus_bridge_grants_expiring_7d %ld\n",
		 pending, expiring);
	if (r->b->ides) {
		long live = 0;

		bdb_instance_count_live_all(r->b->db, &live);
		used = strlen(extra);
		snprintf(extra + used, sizeof(extra) - used,
			 "# TYPE octopus_bridge_instances_live gauge\noctopus_bridge_instances_live %ld\n"
			 "# TYPE octopus_bridge_websockets_open gauge\noctopus_bridge_websockets_open %u\n",
			 live, ide_ws_active());
	}
	if (r->b->oidc) {
		uint64_t reloads, refused;
		size_t keys;

		oidc_keyring_stats(r->b->oidc, &keys, &reloads, &refused);
		used = strlen(extra);
		snprintf(extra + used, sizeof(extra) - used,
			 "# TYPE octopus_bridge_oidc_keys gauge\noctopus_bridge_oidc_keys %zu\n"
			 "# TYPE octopus_bridge_oidc_jwks_reloads_total counter\noctopus_bridge_oidc_jwks_reloads_total %llu\n"
			 "# TYPE octopus_bridge_oidc_jwks_refused_total counter\noctopus_bridge_oidc_jwks_refused_total %llu\n",
			 keys, (unsigned long long)reloads, (unsigned long long)refused);
	}
	r->status = 200;
	r->text = metrics_render(extra);
	if (!r->text)
		reply_error(r, 500, "internal", "out of memory");
}

/*
 * GET /api/v1/admin/nodes: the nodes and partitions slurmrestd shows the
 * admin (asked with the admin's own token), and accelerator totals.
 */
/* slurmctld's partitions, the fields a cluster overview shows; NULL answered */
static json_object *partitions(req_t *r)
{
	static const char *const keep[] = { "name", "state", "nodes", "total_nodes", "total_cpus", "max_time_limit",
					    "default_time_limit", "allowed_accounts", "allowed_groups", "tres", "flags",
					    NULL };
	restd_resp_t resp;
	json_object *o, *parts, *arr, *v;
	sr_version_t api;
	char path[64];

	if (req_slurm_path(r, SR_PARTITIONS, NULL, path, sizeof(path), &api) || req_restd(r, "GET", path, NULL, &resp))
		return NULL;
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (!o || !json_object_object_get_ex(o, "partitions", &parts) || !json_object_is_type(parts, json_type_array)) {
		json_object_put(o);
		reply_error(r, 502, "slurm_error", "slurmrestd's partition list has no partitions array");
		return NULL;
	}
	arr = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(parts); i++) {
		json_object *p = sr_partition(&api, json_object_array_get_idx(parts, i)), *m = json_object_new_object();

		for (int k = 0; keep[k]; k++)
			if (json_object_object_get_ex(p, keep[k], &v) && v)
				json_object_object_add(m, keep[k], json_object_get(v));
		json_object_put(p);
		json_object_array_add(arr, m);
	}
	json_object_put(o);
	return arr;
}

void r_admin_nodes(req_t *r)
{
	static const char *const keep[] = { "name", "state", "state_flags", "reason", "cpus", "alloc_cpus",
					    "real_memory", "alloc_memory", "gres", "gres_used", "partitions", NULL };
	restd_resp_t resp;
	json_object *o, *nodes, *out, *arr, *acc, *v;
	gres_count_t gc = { 0 };
	sr_version_t api;
	char path[64];

	if (req_slurm_path(r, SR_NODES, NULL, path, sizeof(path), &api) || req_restd(r, "GET", path, NULL, &resp))
		return;
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (!o || !json_object_object_get_ex(o, "nodes", &nodes) || !json_object_is_type(nodes, json_type_array)) {
		json_object_put(o);
		reply_error(r, 502, "slurm_error", "slurmrestd's node list has no nodes array");
		return;
	}
	out = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		json_object *n = sr_node(&api, json_object_array_get_idx(nodes, i)), *m = json_object_new_object();

		for (int k = 0; keep[k]; k++)
			if (json_object_object_get_ex(n, keep[k], &v) && v)
				json_object_object_add(m, keep[k], json_object_get(v));
		gres_count_add(&gc,
			       json_object_object_get_ex(n, "gres", &v) ? json_object_get_string(v) : NULL,
			       json_object_object_get_ex(n, "gres_used", &v) ? json_object_get_string(v) : NULL);
		json_object_put(n);
		json_object_array_add(arr, m);
	}
	json_object_put(o);
	acc = json_object_new_object();
	for (size_t i = 0; i < gc.n; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "total", json_object_new_int64((int64_t)gc.e[i].total));
		json_object_object_add(e, "used", json_object_new_int64((int64_t)gc.e[i].used));
		json_object_object_add(acc, gc.e[i].name, e);
	}
	json_object_object_add(out, "nodes", arr);
	json_object_object_add(out, "accelerators", acc);
	if (!(arr = partitions(r))) {
		json_object_put(out);
		return;
	}
	json_object_object_add(out, "partitions", arr);
	reply_json(r, 200, out);
}
