/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * grants_svc - grants and Slurm accounts as the routes need them: a user's
 * grants from the ledger, what slurmdbd has applied, whether a grant is
 * still being applied, a grant's JSON, the user's default account. Called
 * by routes (quota requests, grants, jobs, me, misc); calls the ledger,
 * the database and slurmrestd, never a route.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

typedef struct {
	gl_grant_t *g;
	size_t n, cap;
} grants_t;

typedef struct {
	const char *user, *account, *type;
	uint64_t units;
} applied_t;

int slurm_user_account(req_t *r, const char *user, char *account, size_t len, int *operator_)
{
	char path[128];
	restd_resp_t resp;
	json_object *o, *users, *u, *d, *v;

	*operator_ = 0;
	if (req_slurm_path(r, SR_DB_USER, user, path, sizeof(path), NULL) || req_restd(r, "GET", path, NULL, &resp))
		return -1;
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (!o || !json_object_object_get_ex(o, "users", &users) || !json_object_is_type(users, json_type_array) ||
	    !(u = json_object_array_get_idx(users, 0)) || !json_object_object_get_ex(u, "default", &d) ||
	    !json_object_object_get_ex(d, "account", &v) || !json_object_get_string_len(v)) {
		json_object_put(o);
		reply_error(r, 403, "no_account", "%s has no default Slurm account; ask your HPC admins for one", user);
		return -1;
	}
	snprintf(account, len, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(u, "administrator_level", &v)) {
		const char *lvl = json_object_is_type(v, json_type_array)
					  ? json_object_get_string(json_object_array_get_idx(v, 0))
					  : json_object_get_string(v);

		*operator_ = lvl && (!strcmp(lvl, "Operator") || !strcmp(lvl, "Administrator"));
	}
	json_object_put(o);
	return 0;
}

static int collect(const gl_grant_t *g, void *arg)
{
	grants_t *a = arg;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		gl_grant_t *p;

		if (cap > 100000 || !(p = realloc(a->g, cap * sizeof(*p))))
			return 1;
		a->g = p;
		a->cap = cap;
	}
	a->g[a->n++] = *g;
	return 0;
}

gl_grant_t *bridge_grants(bridge_t *b, const char *user, size_t *n)
{
	grants_t a = { 0 };

	pthread_mutex_lock(&b->ledger_lock);
	ledger_foreach(b->ledger, user, collect, &a);
	pthread_mutex_unlock(&b->ledger_lock);
	*n = a.n;
	return a.g;
}

static int find_applied(const char *user, const char *account, const char *type, uint32_t units, void *arg)
{
	applied_t *a = arg;

	if (!strcmp(user, a->user) && !strcmp(account, a->account) && !strcmp(type, a->type))
		a->units = units;
	return 0;
}

uint64_t bridge_applied_units(bridge_t *b, const char *user, const char *account, const char *type)
{
	applied_t a = { user, account, type, 0 };

	pthread_mutex_lock(&b->ledger_lock);
	ledger_applied_foreach(b->ledger, find_applied, &a);
	pthread_mutex_unlock(&b->ledger_lock);
	return a.units;
}

int grant_applying(bridge_t *b, const gl_grant_t *all, size_t n, const gl_grant_t *g, int64_t now)
{
	uint64_t sum = 0;

	if (g->status != GL_ACTIVE || g->start > now || g->end <= now)
		return 0;
	/* what sync will set for this association: every active grant of it */
	for (size_t i = 0; i < n; i++)
		if (all[i].status == GL_ACTIVE && all[i].start <= now && all[i].end > now &&
		    !strcmp(all[i].user, g->user) && !strcmp(all[i].account, g->account) &&
		    !strcmp(all[i].machine_type, g->machine_type))
			sum += all[i].units;
	return bridge_applied_units(b, g->user, g->account, g->machine_type) < sum;
}

void bridge_reconcile(bridge_t *b)
{
	char buf[48];
	struct timespec ts;
	int fd, n;

	if (!b->cfg.reconcile_trigger[0])
		return;
	if ((fd = open(b->cfg.reconcile_trigger, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640)) < 0) {
		fprintf(stderr, "octopus-bridge: ReconcileTrigger=%s: %s\n", b->cfg.reconcile_trigger, strerror(errno));
		return;
	}
	/* a new content each time: watchers may compare it, not only the mtime */
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(buf, sizeof(buf), "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	if (write(fd, buf, (size_t)n) != n)
		fprintf(stderr, "octopus-bridge: ReconcileTrigger=%s: %s\n", b->cfg.reconcile_trigger, strerror(errno));
	close(fd);
}

json_object *grant_json(const gl_grant_t *g, int applying)
{
	json_object *o = json_object_new_object();
	int64_t now = (int64_t)time(NULL);

	json_object_object_add(o, "id", json_object_new_int64(g->id));
	json_object_object_add(o, "user", json_object_new_string(g->user));
	json_object_object_add(o, "account", json_object_new_string(g->account));
	json_object_object_add(o, "machine_type", json_object_new_string(g->machine_type));
	json_object_object_add(o, "units", json_object_new_int64(g->units));
	json_object_object_add(o, "start", json_object_new_int64(g->start));
	json_object_object_add(o, "end", json_object_new_int64(g->end));
	json_object_object_add(o, "reason", json_object_new_string(g->reason));
	json_object_object_add(o, "approver", json_object_new_string(g->approver));
	json_object_object_add(o, "status", json_object_new_string(g->status == GL_REVOKED ? "revoked"
								    : g->end <= now     ? "expired"
								    : g->start > now    ? "scheduled"
								    : applying          ? "applying"
											: "active"));
	return o;
}

json_object *grant_json_now(bridge_t *b, const gl_grant_t *g)
{
	size_t n;
	gl_grant_t *all = bridge_grants(b, g->user, &n);
	json_object *o = grant_json(g, grant_applying(b, all, n, g, (int64_t)time(NULL)));

	free(all);
	return o;
}
