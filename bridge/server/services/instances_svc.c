/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * instances_svc - IDE instances as the routes and the proxy need them: an
 * instance of the requesting user, its state from its job, and where it
 * answers (instance_target(), for /i/{id}/ in ide_proxy.c). Calls the
 * database, the job list and slurmrestd, never a route or the proxy.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "broker_client.h"
#include "ide_catalog.h"
#include "instance_conn.h"
#include "instance_wrapper.h"
#include "instances_svc.h"
#include "job_list.h"
#include "job_spec.h"

#define NEW_JOB_GRACE_S 60

const job_rec_t *find_job(const job_list_t *jobs, const bdb_instance_t *in)
{
	char want[32], comment[64];

	snprintf(want, sizeof(want), "%lld", (long long)in->job_id);
	snprintf(comment, sizeof(comment), "portal:instance:%s", in->id);
	for (size_t i = 0; i < jobs->n; i++) {
		const job_rec_t *j = &jobs->rec[i];

		if (in->job_id ? (j->f[JF_ID] && !strcmp(j->f[JF_ID], want))
			       /* the bridge stopped between submit and recording the job: the comment says which */
			       : (j->f[JF_COMMENT] && !strcmp(j->f[JF_COMMENT], comment) && j->f[JF_USER] &&
				  !strcmp(j->f[JF_USER], in->user)))
			return j;
	}
	return NULL;
}

static int running(const char *st)
{
	return st && (!strcmp(st, "RUNNING") || !strcmp(st, "CONFIGURING"));
}

/* a job scancel still has something to do with */
int job_live(const char *st)
{
	const char *p = job_portal_state(st);

	return !strcmp(p, "queued") || !strcmp(p, "running") || !strcmp(p, "suspended") || !strcmp(p, "stopping");
}

/* port and password from connection.yml, read as the owner; 0, 1 when
 * there is none yet, -1 when the broker cannot be asked */
static int read_connection(req_t *r, const bdb_instance_t *in, instance_target_t *t)
{
	char pwbuf[4096], path[1200], line[1400], head[256], why[300];
	struct passwd pw, *pwr = NULL;
	char *data = NULL;
	size_t n = 0;
	long long size, got;
	int rc = 1;

	if (!r->b->cfg.file_broker[0] || getpwnam_r(in->user, &pw, pwbuf, sizeof(pwbuf), &pwr) || !pwr ||
	    iw_connection_path(pw.pw_dir, in->id, path, sizeof(path)) || strchr(path, '\n'))
		return -1;
	snprintf(line, sizeof(line), "READ %s 0 4096 %s\n", in->user, path);
	if (broker_call(r->b->cfg.file_broker, line, head, sizeof(head), &data, &n, 4096, why, sizeof(why)))
		return -1;
	if (sscanf(head, "OK %lld %lld", &size, &got) == 2 && got >= 0 && (size_t)got <= n &&
	    !iw_parse_connection(data ? data : "", (size_t)got, &t->port, t->password, sizeof(t->password)))
		rc = 0;
	if (data) {
		explicit_bzero(data, n);
		free(data);
	}
	return rc;
}

/* a host name or address as a URL may carry it */
static int addr_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_:") == n &&
	       s[0] != '-';
}

/* a node an IDE may be reached on: InstanceHosts= closes the gap OOD's
 * host_regex leaves open, though the name already comes from Slurm */
static int node_ok(const bridge_t *b, const char *s)
{
	return addr_ok(s) && (!b->instance_hosts_set || !regexec(&b->instance_hosts, s, 0, NULL, 0));
}

/* The node's address as slurmctld has it (NodeAddr=) */
static int node_address(req_t *r, const char *node, char *addr, size_t len)
{
	char path[160];
	restd_resp_t resp;
	json_object *o, *nodes, *a;
	int rc = -1;

	if (req_slurm_path(r, SR_NODE, node, path, sizeof(path), NULL) || req_restd(r, "GET", path, NULL, &resp))
		return -2;
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (o && json_object_object_get_ex(o, "nodes", &nodes) && json_object_array_length(nodes) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(nodes, 0), "address", &a) &&
	    json_object_is_type(a, json_type_string) && addr_ok(json_object_get_string(a))) {
		snprintf(addr, len, "%s", json_object_get_string(a));
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

const char *instance_state(req_t *r, const bdb_instance_t *in, const job_rec_t *j, instance_target_t *t,
				  int *have_target)
{
	const char *st = j ? j->f[JF_STATE] : NULL;

	*have_target = 0;
	/* a job not in the list is gone, unless the list predates it: a
	 * cached list may be up to a few seconds older than a new job */
	if (!j)
		return in->stopped || (in->job_id && (int64_t)time(NULL) - in->created > NEW_JOB_GRACE_S) ? "ended"
													 : "queued";
	if (!strcmp(st ? st : "", "PENDING"))
		return in->stopped ? "stopping" : "queued";
	if (!strcmp(st ? st : "", "COMPLETING") || (in->stopped && running(st)))
		return "stopping";
	if (running(st)) {
		int64_t jid = strtoll(j->f[JF_ID] ? j->f[JF_ID] : "0", NULL, 10);

		if (!ic_get(r->b->conns, in->id, jid, t)) {
			*have_target = 1;
			return "ready";
		}
		memset(t, 0, sizeof(*t));
		if (read_connection(r, in, t))
			return "starting";
		snprintf(t->id, sizeof(t->id), "%s", in->id);
		t->job_id = jid;
		/* remembered without the address; instance_target adds it */
		ic_put(r->b->conns, t);
		*have_target = 1;
		return "ready";
	}
	if (!strcmp(job_portal_state(st), "suspended"))
		return "suspended";
	return "ended";
}

/* Yours (admins: anyone's when admin_ok) or answered 404 */
int own_instance(req_t *r, const char *id, int admin_ok, bdb_instance_t *in)
{
	int rc;

	if (!iw_id_ok(id)) {
		reply_error(r, 404, "not_found", "no instance %.40s of yours", id);
		return -1;
	}
	if ((rc = bdb_instance_get(r->b->db, id, in)) < 0) {
		reply_error(r, 500, "internal", "the database could not be read");
		return -1;
	}
	if (rc || (strcmp(in->user, r->who.user) && !(admin_ok && r->who.admin))) {
		reply_error(r, 404, "not_found", "no instance %s of yours", id);
		return -1;
	}
	return 0;
}

int instance_target(req_t *r, const char *id, instance_target_t *t)
{
	bdb_instance_t in;
	job_list_t *jobs;
	const job_rec_t *j;
	const char *state;
	int have = 0, hit;

	/* the owner only: an admin does not step into a user's IDE */
	if (own_instance(r, id, 0, &in) || !(jobs = req_job_list(r, &hit)))
		return -1;
	j = find_job(jobs, &in);
	state = instance_state(r, &in, j, t, &have);
	if (strcmp(state, "ready") || !have) {
		job_list_unref(jobs);
		reply_error(r, 409, "not_ready", "instance %s is %s, not ready", id, state);
		return -1;
	}
	if (!t->addr[0]) {
		const char *node = j->f[JF_BATCH_HOST];
		int rc;

		if (!node || !node_ok(r->b, node)) {
			job_list_unref(jobs);
			reply_error(r, 502, "bad_node", "instance %s runs on a node outside InstanceHosts=", id);
			return -1;
		}
		snprintf(t->node, sizeof(t->node), "%s", node);
		job_list_unref(jobs);
		if ((rc = node_address(r, t->node, t->addr, sizeof(t->addr))) == -2)
			return -1;
		if (rc) {
			reply_error(r, 502, "bad_node", "node %s of instance %s has no usable address in Slurm", t->node,
				    id);
			return -1;
		}
		ic_put(r->b->conns, t);
		return 0;
	}
	job_list_unref(jobs);
	return 0;
}
