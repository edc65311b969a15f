/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mt_grantidx.h"
#include "mt_message.h"
#include "quota_cmds.h"
#include "quota_plan.h"
#include "quota_slurm.h"

static grantidx_t *load_index(const mt_catalog_t *cat)
{
	char err[256];

	return cat->grant_index ? gi_load(cat->grant_index, err, sizeof(err)) : NULL;
}

static int64_t grant_end(const grantidx_t *gi, const char *user, const char *account, const char *type,
			 uint32_t units)
{
	struct passwd *pw = getpwnam(user);

	return pw ? gi_end_for_units(gi_find(gi, pw->pw_uid, account, type), units ? units : 1) : 0;
}

int quota_show(const mt_catalog_t *cat, const char *user)
{
	plan_t limits = { 0 }, used = { 0 };
	grantidx_t *gi = load_index(cat);
	char err[1024];
	int rows = 0;

	if (qs_read_limits(&limits, err, sizeof(err)) || qs_running_units(user, &used, err, sizeof(err))) {
		fprintf(stderr, "octopus-quota: %s\n", err);
		plan_free(&limits);
		plan_free(&used);
		gi_free(gi);
		return 1;
	}
	printf("%-14s %-12s %7s %7s  %-18s %s\n", "TYPE", "ACCOUNT", "GRANTED", "IN_USE", "GRANT_END", "SHAPE PER UNIT");
	for (size_t i = 0; i < limits.n; i++) {
		const plan_entry_t *e = &limits.e[i];
		const plan_entry_t *u;
		int t;
		char end[32], shape[128] = "";

		if (strcmp(e->user, user) || !e->units)
			continue;
		u = plan_find(&used, user, e->account, e->type);
		mt_format_time(end, sizeof(end), grant_end(gi, user, e->account, e->type, 1));
		if ((t = mt_catalog_find_type(cat, e->type)) >= 0) {
			const mt_type_t *mt = &cat->types[t];

			snprintf(shape, sizeof(shape), "%s:%s:%" PRIu32 ", %" PRIu32 " CPUs, %" PRIu64 " MB", mt->gres_name,
				 mt->gres_type, mt->gres_per_unit, mt->cpus_per_unit, mt->mem_mb_per_unit);
		}
		printf("%-14s %-12s %7" PRIu32 " %7" PRIu32 "  %-18s %s\n", e->type, e->account, e->units,
		       u ? u->units : 0, end, shape);
		rows++;
	}
	if (!rows)
		printf("(no grants for %s: ask your HPC admins for quota; 'octopus-quota types' lists the machine types)\n",
		       user);
	plan_free(&limits);
	plan_free(&used);
	gi_free(gi);
	return 0;
}

/* Explain a job's pending reason with the numbers behind it. */
int quota_why(const mt_catalog_t *cat, const char *jobid)
{
	char j[64];
	char *argv[] = { "squeue", "-h", j, "-o", "%T|%r|%W|%u|%a", NULL };
	char *out = NULL, *f[5], *p;
	char err[1024], type[64] = "";
	uint32_t units = 0;
	int n = 0;

	snprintf(j, sizeof(j), "--jobs=%s", jobid);
	if (qs_run(argv, &out, err, sizeof(err)) || !out || !out[0]) {
		fprintf(stderr, "octopus-quota: job %s: %s\n", jobid, err[0] ? err : "not found (finished or purged?)");
		free(out);
		return 1;
	}
	out[strcspn(out, "\n")] = '\0';
	for (p = out; n < 5; n++) {
		f[n] = p;
		if (!(p = strchr(p, '|'))) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 5) {
		free(out);
		return 1;
	}
	for (char *s = f[2]; *s;) {
		char *e = s + strcspn(s, ","), *colon = strchr(s, ':');

		if (!strncmp(s, "mt_", 3) && colon && colon < e && (size_t)(colon - s - 3) < sizeof(type)) {
			snprintf(type, sizeof(type), "%.*s", (int)(colon - s - 3), s + 3);
			units = (uint32_t)strtoul(colon + 1, NULL, 10);
		}
		s = *e ? e + 1 : e;
	}
	if (!type[0]) {
		printf("job %s: %s (%s); it is not a machine-type job\n", jobid, f[0], f[1]);
	} else if (strcmp(f[0], "PENDING")) {
		printf("job %s: %s, %" PRIu32 " x %s on account %s\n", jobid, f[0], units, type, f[4]);
	} else {
		plan_t limits = { 0 }, used = { 0 };
		const plan_entry_t *l, *u;
		grantidx_t *gi = load_index(cat);
		char end[32];

		qs_read_limits(&limits, err, sizeof(err));
		qs_running_units(f[3], &used, err, sizeof(err));
		l = plan_find(&limits, f[3], f[4], type);
		u = plan_find(&used, f[3], f[4], type);
		mt_format_time(end, sizeof(end), grant_end(gi, f[3], f[4], type, units));
		if (!strcmp(f[1], "AssocGrpLicense") && (!l || !l->units))
			printf("job %s waits for %" PRIu32 " x %s: %s has no active grant for %s on account %s; ask your HPC admins for quota\n",
			       jobid, units, type, f[3], type, f[4]);
		else if (!strcmp(f[1], "AssocGrpLicense"))
			printf("job %s waits for %" PRIu32 " x %s: %" PRIu32 " of %" PRIu32 " granted unit(s) are in use by running jobs of %s (grant ends %s); it starts when units free up\n",
			       jobid, units, type, u ? u->units : 0, l->units, f[3], end);
		else
			printf("job %s waits for %" PRIu32 " x %s (reason %s); quota is not what holds it (granted %" PRIu32 ", in use %" PRIu32 ", grant ends %s)\n",
			       jobid, units, type, f[1], l ? l->units : 0, u ? u->units : 0, end);
		plan_free(&limits);
		plan_free(&used);
		gi_free(gi);
	}
	free(out);
	return 0;
}
