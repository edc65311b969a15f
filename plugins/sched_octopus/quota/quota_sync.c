/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mt_grantidx.h"
#include "quota_bound.h"
#include "quota_cmds.h"
#include "quota_plan.h"
#include "quota_slurm.h"

typedef struct {
	plan_t *plan;
	int64_t now;
	int failed;
} collect_t;

static int collect_grant(const gl_grant_t *g, void *arg)
{
	collect_t *c = arg;

	if (plan_add(c->plan, g, c->now))
		c->failed = 1;
	return 0;
}

static int collect_applied(const char *user, const char *account, const char *type, uint32_t units, void *arg)
{
	(void)units;
	return plan_touch(arg, user, account, type);
}

/* The grant index is rewritten whole and renamed over the old one, so the
 * plugin never reads a half-written file. */
static int write_index(const char *path, const plan_t *want)
{
	char tmp[4200];
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "octopus-quota: cannot write the grant index %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	/* limits are visible to all users through sacctmgr; end dates too */
	fchmod(fd, 0644);
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	fprintf(f, "# octopus grant index: written by octopus-quota sync; do not edit\n");
	for (size_t i = 0; i < want->n; i++) {
		const plan_entry_t *e = &want->e[i];
		struct passwd *pw;
		gi_entry_t ge;

		if (!e->units || !(pw = getpwnam(e->user)))
			continue;
		memset(&ge, 0, sizeof(ge));
		ge.uid = pw->pw_uid;
		snprintf(ge.account, sizeof(ge.account), "%s", e->account);
		snprintf(ge.type, sizeof(ge.type), "%s", e->type);
		ge.nsteps = e->nsteps;
		memcpy(ge.steps, e->steps, sizeof(ge.steps));
		gi_write_entry(f, &ge);
	}
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path)) {
		fprintf(stderr, "octopus-quota: cannot replace %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * Desired state: the sum of each (user, account, type)'s grants active now;
 * 0 for every limit sync set before or that slurmdbd holds without a
 * grant (sync owns license/mt_* limits). One sacctmgr call per association
 * that differs; nothing when all match, so running it every 30 s is cheap.
 */
int quota_sync(ledger_t *l, const mt_catalog_t *cat, int noop, int64_t now)
{
	plan_t want = { 0 }, have = { 0 };
	collect_t c = { &want, now, 0 };
	char err[1024];
	char *done;
	int errors = 0, changes = 0;

	if (ledger_foreach(l, NULL, collect_grant, &c) || c.failed ||
	    ledger_applied_foreach(l, collect_applied, &want)) {
		fprintf(stderr, "octopus-quota: reading the ledger: %s\n", ledger_errmsg(l));
		plan_free(&want);
		return 1;
	}
	if (qs_read_limits(&have, err, sizeof(err))) {
		fprintf(stderr, "octopus-quota: sacctmgr: %s\n", err);
		plan_free(&want);
		plan_free(&have);
		return 1;
	}
	for (size_t i = 0; i < have.n; i++)
		if (have.e[i].units && plan_touch(&want, have.e[i].user, have.e[i].account, have.e[i].type))
			errors++;

	done = calloc(want.n ? want.n : 1, 1);
	for (size_t i = 0; done && i < want.n; i++) {
		const plan_entry_t *w = &want.e[i];
		/* grown as needed: a fixed buffer cut the list (about 40 types) and
		 * still marked every type applied */
		char *spec = NULL;
		size_t used = 0, speclen = 0;
		FILE *ms = open_memstream(&spec, &speclen);
		int failed = !ms;

		if (done[i])
			continue;
		/* every type of this association goes into one sacctmgr call */
		for (size_t j = i; j < want.n; j++) {
			const plan_entry_t *x = &want.e[j];
			const plan_entry_t *h;
			int n;

			if (done[j] || strcmp(x->user, w->user) || strcmp(x->account, w->account))
				continue;
			h = plan_find(&have, x->user, x->account, x->type);
			if ((h ? h->units : 0) == x->units && (h || x->units == 0))
				continue;
			n = ms ? fprintf(ms, "%slicense/mt_%s=%" PRIu32, used ? "," : "", x->type, x->units) : -1;
			if (n > 0)
				used += (size_t)n;
			else
				failed = 1;
			printf("%s%s@%s: license/mt_%s ", noop ? "(noop) " : "", x->user, x->account, x->type);
			if (h)
				printf("%" PRIu32 " -> %" PRIu32 "\n", h->units, x->units);
			else
				printf("unset -> %" PRIu32 "\n", x->units);
		}
		/*
		 * Before the limit rises: once it has, the backfill scheduler may
		 * start a job queued without a grant within a second, unbounded.
		 */
		for (size_t j = i; used && !noop && cat->on_grant_end != MT_END_IGNORE && j < want.n; j++) {
			const plan_entry_t *x = &want.e[j];
			const plan_entry_t *h = plan_find(&have, x->user, x->account, x->type);

			if (!done[j] && !strcmp(x->user, w->user) && !strcmp(x->account, w->account) &&
			    x->units > (h ? h->units : 0))
				errors += quota_bound_queued(x->user, x->account, x->type, x->steps, x->nsteps, now);
		}
		if (ms && fclose(ms))
			failed = 1;
		if (failed) {
			fprintf(stderr, "octopus-quota: %s@%s: out of memory building the limits\n", w->user, w->account);
			errors++;
		} else if (used && !noop) {
			if (qs_set_limits(w->user, w->account, spec, err, sizeof(err))) {
				fprintf(stderr, "octopus-quota: %s@%s: %s\n", w->user, w->account, err);
				errors++;
				failed = 1;
			} else {
				changes++;
			}
		}
		for (size_t j = i; j < want.n; j++) {
			const plan_entry_t *x = &want.e[j];

			if (done[j] || strcmp(x->user, w->user) || strcmp(x->account, w->account))
				continue;
			done[j] = 1;
			/* a failed call is retried at the next sync: keep the old record */
			if (!noop && !failed && ledger_applied_set(l, x->user, x->account, x->type, x->units))
				errors++;
		}
		free(spec);
	}
	if (!done)
		errors++;
	free(done);
	if (cat->grant_index && !noop && write_index(cat->grant_index, &want))
		errors++;
	printf("sync: %d association(s) changed, %d error(s)%s\n", changes, errors, noop ? " (noop: nothing applied)" : "");
	plan_free(&want);
	plan_free(&have);
	return errors ? 1 : 0;
}
