/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/quota-requests: users ask for units of a
 * machine type for a period; admins approve (never their own request) or
 * reject, with a reason. Approval writes the grant into the ledger that
 * octopus-quota keeps, and touches ReconcileTrigger= so the sync (a root
 * service: the bridge holds no Slurm admin rights) applies it to slurmdbd.
 * The request's decision is recorded before the grant is written, so a
 * crash in between is repaired at the next start (bridge_repair).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "route_body.h"

static json_object *qreq_json(const bdb_qreq_t *q)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(q->id));
	json_object_object_add(o, "user", json_object_new_string(q->user));
	json_object_object_add(o, "account", json_object_new_string(q->account));
	json_object_object_add(o, "machine_type", json_object_new_string(q->machine_type));
	json_object_object_add(o, "units", json_object_new_int64(q->units));
	json_object_object_add(o, "start", json_object_new_int64(q->start));
	json_object_object_add(o, "end", json_object_new_int64(q->end));
	json_object_object_add(o, "reason", json_object_new_string(q->reason));
	json_object_object_add(o, "state", json_object_new_string(qr_state_name(q->state)));
	json_object_object_add(o, "created", json_object_new_int64(q->created));
	if (q->state != QR_PENDING) {
		json_object_object_add(o, "decided_by", json_object_new_string(q->decided_by));
		json_object_object_add(o, "decided_at", json_object_new_int64(q->decided_at));
		json_object_object_add(o, "decision", json_object_new_string(q->decision));
	}
	if (q->grant_id)
		json_object_object_add(o, "grant_id", json_object_new_int64(q->grant_id));
	return o;
}

/* a user's open requests are the admins' queue: bounded, so one user
 * cannot bury everyone else's */
#define MAX_PENDING_PER_USER 50

static int count_pending(const bdb_qreq_t *q, void *arg)
{
	(void)q;
	++*(long *)arg;
	return 0;
}

void r_qreq_create(req_t *r)
{
	static const char *const keys[] = { "machine_type", "units", "start", "end", "reason", NULL };
	json_object *in;
	const char *mt, *reason;
	bdb_qreq_t q;
	int64_t now = (int64_t)time(NULL), units = 0, start = now, end = 0;
	long pending = 0;
	int op, ti;

	r->audit_action = "quota_request.create";
	if (need_ledger(r) || !(in = body_object(r, keys)))
		return;
	memset(&q, 0, sizeof(q));
	if (!(mt = str_field(in, "machine_type", 63)) || (ti = mt_catalog_find_type(r->b->catalog, mt)) < 0) {
		char list[512];

		mt_catalog_type_list(r->b->catalog, NULL, list, sizeof(list));
		reply_error(r, 400, "invalid_field", "machine_type: one of %s", list);
		goto out;
	}
	if (int_field(in, "units", &units) || units < 1 || units > MT_MAX_UNITS) {
		reply_error(r, 400, "invalid_field", "units: a whole number from 1 to %d", MT_MAX_UNITS);
		goto out;
	}
	if (int_field(in, "start", &start) < 0 || start < now - 300) {
		reply_error(r, 400, "invalid_field", "start: epoch seconds, not in the past (default: now)");
		goto out;
	}
	if (int_field(in, "end", &end) || end <= start || end - start > MAX_PERIOD) {
		reply_error(r, 400, "invalid_field", "end: epoch seconds after start, at most 366 days later");
		goto out;
	}
	if (!(reason = str_field(in, "reason", 500))) {
		reply_error(r, 400, "invalid_field", "reason: 1 to 500 characters saying what the units are for");
		goto out;
	}
	bdb_qreq_foreach(r->b->db, r->who.user, QR_PENDING, count_pending, &pending);
	if (pending >= MAX_PENDING_PER_USER) {
		reply_error(r, 429, "too_many_requests",
			    "%s has %ld quota requests waiting for a decision (at most %d); cancel one or wait", r->who.user,
			    pending, MAX_PENDING_PER_USER);
		goto out;
	}
	snprintf(q.user, sizeof(q.user), "%s", r->who.user);
	snprintf(q.machine_type, sizeof(q.machine_type), "%s", r->b->catalog->types[ti].name);
	if (slurm_user_account(r, r->who.user, q.account, sizeof(q.account), &op))
		goto out;
	q.units = (uint32_t)units;
	q.start = start < now ? now : start;
	q.end = end;
	q.created = now;
	snprintf(q.reason, sizeof(q.reason), "%s", reason);
	if ((q.id = bdb_qreq_add(r->b->db, &q)) < 0) {
		reply_error(r, 500, "internal", "the request could not be stored");
		goto out;
	}
	snprintf(r->audit_target, sizeof(r->audit_target), "quota request %lld (%s x%u)", (long long)q.id,
		 q.machine_type, q.units);
	reply_json(r, 201, qreq_json(&q));
out:
	json_object_put(in);
}

static int add_qreq(const bdb_qreq_t *q, void *arg)
{
	json_object_array_add(arg, qreq_json(q));
	return 0;
}

void r_qreq_list(req_t *r)
{
	const char *st = req_query(r, "state"), *user = req_query(r, "user");
	json_object *o, *arr;
	qr_state_t state;

	if (st && qr_state_parse(st, &state)) {
		reply_error(r, 400, "invalid_query", "state: pending, approved, rejected or cancelled");
		return;
	}
	if (user && !r->who.admin && strcmp(user, r->who.user)) {
		reply_error(r, 403, "forbidden", "only admins list other users' requests");
		return;
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	bdb_qreq_foreach(r->b->db, r->who.admin ? user : r->who.user, st ? (int)state : -1, add_qreq, arr);
	json_object_object_add(o, "quota_requests", arr);
	reply_json(r, 200, o);
}

/* The request named in the path, if the caller may see it; else answered. */
static int load_qreq(req_t *r, bdb_qreq_t *q)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);

	snprintf(r->audit_target, sizeof(r->audit_target), "quota request %.40s", r->params[0]);
	if (*end || id < 1 || bdb_qreq_get(r->b->db, id, q) ||
	    (!r->who.admin && strcmp(q->user, r->who.user))) {
		reply_error(r, 404, "not_found", "no quota request %.40s of yours", r->params[0]);
		return -1;
	}
	return 0;
}

void r_qreq_get(req_t *r)
{
	bdb_qreq_t q;

	if (!load_qreq(r, &q))
		reply_json(r, 200, qreq_json(&q));
}

static const char *decision_reason(req_t *r, json_object **in)
{
	static const char *const keys[] = { "reason", NULL };
	const char *reason;

	if (!(*in = body_object(r, keys)))
		return NULL;
	if (!(reason = str_field(*in, "reason", 500)))
		reply_error(r, 400, "invalid_field", "reason: 1 to 500 characters; the user reads it");
	return reason;
}

/* Write the approved request's grant (also the crash repair's step). */
static int64_t write_grant(bridge_t *b, const bdb_qreq_t *q, const char *approver, const char *reason)
{
	gl_grant_t g;
	int64_t id;

	memset(&g, 0, sizeof(g));
	snprintf(g.user, sizeof(g.user), "%s", q->user);
	snprintf(g.account, sizeof(g.account), "%s", q->account);
	snprintf(g.machine_type, sizeof(g.machine_type), "%s", q->machine_type);
	g.units = q->units;
	g.start = q->start;
	g.end = q->end;
	snprintf(g.reason, sizeof(g.reason), "quota request %lld: %s", (long long)q->id, reason);
	snprintf(g.approver, sizeof(g.approver), "%s", approver);
	g.status = GL_ACTIVE;
	pthread_mutex_lock(&b->ledger_lock);
	id = ledger_grant(b->ledger, &g, approver);
	pthread_mutex_unlock(&b->ledger_lock);
	if (id > 0)
		bdb_qreq_set_grant(b->db, q->id, id);
	return id;
}

void r_qreq_approve(req_t *r)
{
	json_object *in = NULL;
	const char *reason;
	bdb_qreq_t q;
	int64_t now = (int64_t)time(NULL), gid;
	int rc;

	r->audit_action = "quota_request.approve";
	if (need_ledger(r) || load_qreq(r, &q) || !(reason = decision_reason(r, &in)))
		goto out;
	if (!strcmp(q.user, r->who.user)) {
		reply_error(r, 403, "forbidden", "nobody approves their own request; ask another admin");
		goto out;
	}
	if (q.end <= now) {
		reply_error(r, 409, "expired", "the requested period ended; the user asks again");
		goto out;
	}
	/* the decision first: a second admin racing this one gets 409 */
	if ((rc = bdb_qreq_decide(r->b->db, q.id, QR_APPROVED, r->who.user, reason, now))) {
		reply_error(r, rc > 0 ? 409 : 500, rc > 0 ? "not_pending" : "internal",
			    rc > 0 ? "quota request %lld is no longer pending" : "quota request %lld could not be updated",
			    (long long)q.id);
		goto out;
	}
	if ((gid = write_grant(r->b, &q, r->who.user, reason)) <= 0) {
		reply_error(r, 500, "internal", "approved, but the grant was not written: %s (the bridge retries at its next start)",
			    ledger_errmsg(r->b->ledger));
		goto out;
	}
	bridge_reconcile(r->b);
	bdb_qreq_get(r->b->db, q.id, &q);
	snprintf(r->audit_target, sizeof(r->audit_target), "quota request %lld -> grant %lld (%.32s x%u for %.32s)",
		 (long long)q.id, (long long)gid, q.machine_type, q.units, q.user);
	reply_json(r, 200, qreq_json(&q));
out:
	json_object_put(in);
}

void r_qreq_reject(req_t *r)
{
	json_object *in = NULL;
	const char *reason;
	bdb_qreq_t q;
	int rc;

	r->audit_action = "quota_request.reject";
	if (load_qreq(r, &q) || !(reason = decision_reason(r, &in)))
		goto out;
	if (!strcmp(q.user, r->who.user)) {
		reply_error(r, 403, "forbidden", "nobody decides their own request; cancel it instead");
		goto out;
	}
	if ((rc = bdb_qreq_decide(r->b->db, q.id, QR_REJECTED, r->who.user, reason, (int64_t)time(NULL)))) {
		reply_error(r, rc > 0 ? 409 : 500, rc > 0 ? "not_pending" : "internal", "quota request %lld is no longer pending",
			    (long long)q.id);
		goto out;
	}
	bdb_qreq_get(r->b->db, q.id, &q);
	reply_json(r, 200, qreq_json(&q));
out:
	json_object_put(in);
}

void r_qreq_cancel(req_t *r)
{
	bdb_qreq_t q;
	int rc;

	r->audit_action = "quota_request.cancel";
	if (load_qreq(r, &q))
		return;
	if (strcmp(q.user, r->who.user)) {
		reply_error(r, 403, "forbidden", "only the user who asked cancels a request; admins reject it");
		return;
	}
	if ((rc = bdb_qreq_decide(r->b->db, q.id, QR_CANCELLED, r->who.user, "cancelled by the user",
				  (int64_t)time(NULL)))) {
		reply_error(r, rc > 0 ? 409 : 500, rc > 0 ? "not_pending" : "internal", "quota request %lld is no longer pending",
			    (long long)q.id);
		return;
	}
	bdb_qreq_get(r->b->db, q.id, &q);
	reply_json(r, 200, qreq_json(&q));
}

typedef struct {
	bdb_qreq_t *q;
	size_t n, cap;
} qreqs_t;

static int orphan(const bdb_qreq_t *q, void *arg)
{
	qreqs_t *a = arg;

	if (q->grant_id)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		bdb_qreq_t *p;

		if (cap > 10000 || !(p = realloc(a->q, cap * sizeof(*p))))
			return 1;
		a->q = p;
		a->cap = cap;
	}
	a->q[a->n++] = *q;
	return 0;
}

void bridge_repair(bridge_t *b)
{
	qreqs_t a = { 0 };

	if (!b->ledger)
		return;
	/* collected first: writing back happens outside the database walk */
	bdb_qreq_foreach(b->db, NULL, QR_APPROVED, orphan, &a);
	for (size_t i = 0; i < a.n; i++)
		if (write_grant(b, &a.q[i], a.q[i].decided_by, a.q[i].decision) > 0) {
			fprintf(stderr, "octopus-bridge: quota request %lld was approved but had no grant: grant written\n",
				(long long)a.q[i].id);
			bridge_reconcile(b);
		}
	free(a.q);
}
