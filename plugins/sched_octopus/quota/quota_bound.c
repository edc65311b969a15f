/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "quota_bound.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quota_slurm.h"

int quota_parse_time_limit(const char *s, uint32_t *minutes)
{
	unsigned long f[4] = { 0 };
	unsigned long days = 0;
	int n = 0;
	const char *p = s;
	char *end;

	if (!strcmp(s, "UNLIMITED") || !strcmp(s, "INFINITE")) {
		*minutes = UINT32_MAX;
		return 0;
	}
	if (strchr(s, '-')) {
		days = strtoul(s, &end, 10);
		if (end == s || *end != '-')
			return -1;
		p = end + 1;
	}
	while (n < 3) {
		f[n++] = strtoul(p, &end, 10);
		if (end == p)
			return -1;
		if (*end != ':')
			break;
		p = end + 1;
	}
	if (*end || n < 2 || days > 365000)
		return -1;
	/* HH:MM:SS or MM:SS; seconds round up, as Slurm does */
	if (n == 3)
		*minutes = (uint32_t)(days * 1440 + f[0] * 60 + f[1] + (f[2] ? 1 : 0));
	else
		*minutes = (uint32_t)(days * 1440 + f[0] + (f[1] ? 1 : 0));
	return 0;
}

/* "mt_a100x1:2,foo:1" -> 2 for type a100x1; 0 if absent. */
static uint32_t units_of(const char *licenses, const char *type)
{
	size_t tl = strlen(type);

	for (const char *s = licenses; s && *s;) {
		const char *e = s + strcspn(s, ",");

		if (!strncmp(s, "mt_", 3) && (size_t)(e - s) > tl + 4 && !strncmp(s + 3, type, tl) && s[3 + tl] == ':')
			return (uint32_t)strtoul(s + 4 + tl, NULL, 10);
		s = *e ? e + 1 : e;
	}
	return 0;
}

/* squeue's local "YYYY-MM-DDTHH:MM:SS"; 0 for none ("N/A") or unreadable. */
static int64_t deadline_of(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) || *end)
		return 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int update_job(const char *jobid, int64_t end, uint32_t limit, uint32_t left)
{
	char id[64], dl[64], tl[32], when[32], err[512];
	char *argv[] = { "scontrol", "update", id, dl, "TimeMin=1", tl, NULL };
	char *out = NULL;
	time_t t = (time_t)end;
	struct tm tm;
	int rc;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime_r(&t, &tm));
	snprintf(id, sizeof(id), "JobId=%s", jobid);
	snprintf(dl, sizeof(dl), "Deadline=%s", when);
	if (limit > left)
		snprintf(tl, sizeof(tl), "TimeLimit=%" PRIu32, left);
	else
		argv[5] = NULL;
	rc = qs_run(argv, &out, err, sizeof(err));
	free(out);
	if (rc)
		fprintf(stderr, "octopus-quota: job %s: cannot set its deadline: %s\n", jobid, err);
	else
		printf("job %s: deadline %s (grant end)%s\n", jobid, when, limit > left ? ", time limit capped" : "");
	return rc ? 1 : 0;
}

int quota_bound_queued(const char *user, const char *account, const char *type, const gi_step_t *steps,
		       size_t nsteps, int64_t now)
{
	char u[128], a[128], l[128], err[512];
	char *argv[] = { "squeue", "-h", "-t", "PD", u, a, l, "-O", "JobID:|,TimeLimit:|,Deadline:|,Licenses:|", NULL };
	char *out = NULL, *line, *save = NULL;
	gi_entry_t grant;
	int failed = 0;

	memset(&grant, 0, sizeof(grant));
	grant.nsteps = nsteps < GI_MAX_STEPS ? nsteps : GI_MAX_STEPS;
	memcpy(grant.steps, steps, grant.nsteps * sizeof(*steps));
	snprintf(u, sizeof(u), "--user=%s", user);
	snprintf(a, sizeof(a), "--account=%s", account);
	snprintf(l, sizeof(l), "--licenses=mt_%s", type);
	if (qs_run(argv, &out, err, sizeof(err))) {
		fprintf(stderr, "octopus-quota: squeue: %s\n", err);
		free(out);
		return 1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { line, NULL, NULL, NULL };
		uint32_t limit, units;
		int64_t end;
		int n = 1;

		for (char *p = line; n < 4 && (p = strchr(p, '|')); n++) {
			*p++ = '\0';
			f[n] = p;
		}
		if (n < 4 || !(units = units_of(f[3], type)))
			continue;
		if (quota_parse_time_limit(f[1], &limit)) {
			fprintf(stderr, "octopus-quota: job %s: unreadable time limit '%s'\n", f[0], f[1]);
			failed++;
			continue;
		}
		end = gi_end_for_units(&grant, units);
		if (end - now < 60)
			continue;       /* the grant cannot hold it; Slurm keeps it pending */
		if (deadline_of(f[2]) && deadline_of(f[2]) <= end)
			continue;       /* admitted under this grant: the plugin bounded it */
		failed += update_job(f[0], end, limit, (uint32_t)((end - now) / 60));
	}
	free(out);
	return failed;
}
