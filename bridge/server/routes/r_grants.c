/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/grants: what the ledger holds. Users see their own; admins list
 * anyone's, extend a grant (not their own) and revoke one, each followed by
 * the sync trigger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "route_body.h"

void r_grants_list(req_t *r)
{
	const char *user = req_query(r, "user");
	json_object *o, *arr;
	gl_grant_t *g;
	size_t n;

	if (need_ledger(r))
		return;
	if (user && !r->who.admin && strcmp(user, r->who.user)) {
		reply_error(r, 403, "forbidden", "only admins list other users' grants");
		return;
	}
	g = bridge_grants(r->b, r->who.admin ? user : r->who.user, &n);
	o = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, grant_json(&g[i], grant_applying(r->b, g, n, &g[i], (int64_t)time(NULL))));
	free(g);
	json_object_object_add(o, "grants", arr);
	reply_json(r, 200, o);
}

static int load_grant(req_t *r, gl_grant_t *g)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	int rc = -1;

	snprintf(r->audit_target, sizeof(r->audit_target), "grant %.40s", r->params[0]);
	if (!*end && id > 0) {
		pthread_mutex_lock(&r->b->ledger_lock);
		rc = ledger_get(r->b->ledger, id, g);
		pthread_mutex_unlock(&r->b->ledger_lock);
	}
	if (rc) {
		reply_error(r, 404, "not_found", "no grant %.40s", r->params[0]);
		return -1;
	}
	return 0;
}

void r_grant_extend(req_t *r)
{
	static const char *const keys[] = { "end", "reason", NULL };
	json_object *in = NULL;
	gl_grant_t g;
	int64_t end = 0;
	int rc;

	r->audit_action = "grant.extend";
	if (need_ledger(r) || load_grant(r, &g) || !(in = body_object(r, keys)))
		goto out;
	if (!strcmp(g.user, r->who.user)) {
		reply_error(r, 403, "forbidden", "nobody extends their own grant; ask another admin");
		goto out;
	}
	if (int_field(in, "end", &end) || end <= g.end || end - g.start > MAX_PERIOD) {
		reply_error(r, 400, "invalid_field", "end: epoch seconds after the grant's current end, at most 366 days after its start");
		goto out;
	}
	pthread_mutex_lock(&r->b->ledger_lock);
	rc = ledger_extend(r->b->ledger, g.id, end, r->who.user);
	if (!rc)
		rc = ledger_get(r->b->ledger, g.id, &g);
	pthread_mutex_unlock(&r->b->ledger_lock);
	if (rc) {
		reply_error(r, 409, "not_extended", "grant %lld: %s", (long long)g.id, ledger_errmsg(r->b->ledger));
		goto out;
	}
	bridge_reconcile(r->b);
	reply_json(r, 200, grant_json_now(r->b, &g));
out:
	json_object_put(in);
}

void r_grant_revoke(req_t *r)
{
	const char *why = req_query(r, "reason");
	gl_grant_t g;
	int rc;

	r->audit_action = "grant.revoke";
	if (need_ledger(r) || load_grant(r, &g))
		return;
	if (!why || !why[0] || strlen(why) > 500) {
		reply_error(r, 400, "invalid_query", "reason: say why in ?reason= (1 to 500 characters); the user reads it");
		return;
	}
	pthread_mutex_lock(&r->b->ledger_lock);
	rc = ledger_revoke(r->b->ledger, g.id, r->who.user, why);
	if (!rc)
		rc = ledger_get(r->b->ledger, g.id, &g);
	pthread_mutex_unlock(&r->b->ledger_lock);
	if (rc) {
		reply_error(r, 409, "not_revoked", "grant %lld: %s", (long long)g.id, ledger_errmsg(r->b->ledger));
		return;
	}
	bridge_reconcile(r->b);
	reply_json(r, 200, grant_json_now(r->b, &g));
}

