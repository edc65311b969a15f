/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobs_svc - jobs as the routes need them: the job list through the cache
 * (one slurmrestd fetch per period for every caller), and a job spec
 * checked against the machine type and the user's grant, then submitted.
 * Called by the jobs, instances, volumes and me routes; calls the Slurm
 * layer, the ledger and the cache, never a route.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/printbuf.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "job_list.h"
#include "job_list_parse.h"
#include "job_spec.h"
#include "broker_client.h"
#include "grant_sum.h"
#include "log_path.h"
#include "mt_catalog.h"
#include "mt_verdict.h"
#include "sr_adapt.h"

#define APPLYING_RETRY_S 5      /* the sync runs on approval; slurmctld hears in ~2 s */
#define ESLURM_ACCOUNTING_POLICY_NUM 2050

typedef struct {
	req_t *r;
	int answered;
} fetch_arg_t;

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The job list: received whole, then parsed by events (job_list_parse.h
 * and restd_client.c say why) */
static int fetch_jobs(void *arg, job_list_t *prev, int64_t prev_at, job_list_t **jobs)
{
	fetch_arg_t *fa = arg;
	restd_resp_t resp;
	jlp_error_t err;
	sr_version_t api;
	char path[96], why[200], after[24];
	json_object *o;
	struct timespec t0;
	int since_last = prev && prev_at > 1;

	/* a second earlier than the last fetch: a change in that second is not missed */
	snprintf(after, sizeof(after), "%lld", (long long)prev_at - 1);
	if (req_slurm_path(fa->r, since_last ? SR_JOBS_SINCE : SR_JOBS, since_last ? after : NULL, path, sizeof(path),
			   &api) ||
	    req_restd(fa->r, "GET", path, NULL, &resp)) {
		fa->answered = 1;
		return -1;
	}
	if (resp.status != 200) {
		/* a 304 (nothing changed: slurmctld packed no jobs, we parse
		 * none) or Slurm's error document */
		if (prev && resp.status == 304) {
			restd_resp_free(&resp);
			*jobs = job_list_ref(prev);
			return 0;
		}
		if ((o = restd_json(fa->r, &resp, "the job list"))) {
			json_object_put(o);
			reply_error(fa->r, 502, "slurm_error", "slurmrestd answered the job list with HTTP %ld",
				    resp.status);
		}
		restd_resp_free(&resp);
		fa->answered = 1;
		return -1;
	}
	if (since_last && sr_jobs_unchanged(resp.body, resp.len)) {
		restd_resp_free(&resp);
		*jobs = job_list_ref(prev);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the answer goes to the list, for the next one to be parsed against */
	*jobs = job_list_reparse(resp.body, resp.len, prev, &err, why, sizeof(why), &fa->r->jobs_reused);
	resp.body = NULL;
	fa->r->parse_s += since(&t0);
	if (*jobs) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		job_list_render(*jobs, prev);   /* a record left without a view is rendered when asked */
		fa->r->render_s += since(&t0);
	}
	if (err.present && err.message[0]) {
		job_list_unref(*jobs);
		*jobs = NULL;
		reply_slurm_error(fa->r, 200, err.message, err.number, "the job list");
		fa->answered = 1;
		return -1;
	}
	if (!*jobs) {
		reply_error(fa->r, 502, "slurm_error", "slurmrestd's job list: %s", why);
		fa->answered = 1;
		return -1;
	}
	return 0;
}

job_list_t *req_job_list(req_t *r, int *hit)
{
	fetch_arg_t fa = { .r = r };
	job_list_t *jobs;

	jobs = job_cache_get(r->b->jobs, r->b->cfg.jobs_cache_shared ? "*" : r->who.user, fetch_jobs, &fa, hit);
	r->jobs_cache = *hit ? 1 : 2;
	if (!jobs && !fa.answered)
		reply_error(r, 502, "slurm_error", "slurmrestd's job list could not be read");
	return jobs;
}

/*
 * The grant check job_submit/octopus makes in slurmctld, made here first:
 * slurmrestd 22.05 answers a refused job with a bare error 2050 and drops
 * the plugin's message, so the user would not learn why. 0: go on (msg may
 * hold the "queued" line); -1: answered (403 with the plugin's line).
 */
/* errors[0].error_number of slurmrestd's answer, or 0 */
static int restd_error_number(const restd_resp_t *resp)
{
	json_object *o = resp->body ? json_tokener_parse(resp->body) : NULL, *errs, *v;
	int num = 0;

	if (o && json_object_object_get_ex(o, "errors", &errs) && json_object_is_type(errs, json_type_array) &&
	    json_object_array_length(errs) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(errs, 0), "error_number", &v))
		num = json_object_get_int(v);
	json_object_put(o);
	return num;
}

/* 409 grant_applying: approved in the ledger, not yet a limit in Slurm */
static void reply_applying(req_t *r, const mt_type_t *t, const char *account, uint32_t units)
{
	r->retry_after_s = APPLYING_RETRY_S;
	reply_error(r, 409, "grant_applying",
		    "your grant of %s on account %s is approved and being applied to Slurm; %u unit(s) are not "
		    "usable yet: submit again in %d s (GET /api/v1/grants shows it as \"applying\" until then)",
		    t->name, account, units, APPLYING_RETRY_S);
}

static int grant_precheck(req_t *r, const mt_type_t *t, uint32_t units, uint32_t minutes, char *msg, size_t len,
			  int *granted)
{
	const mt_catalog_t *cat = r->b->catalog;
	char account[64];
	mt_grant_verdict_t v;
	uint64_t limit, used = 0;
	int64_t end, now = (int64_t)time(NULL);
	gl_grant_t *g;
	size_t n;
	int op, hit;

	msg[0] = '\0';
	*granted = 0;
	if (!r->b->ledger || mt_catalog_user_exempt(cat, r->who.user))
		return 0;
	if (slurm_user_account(r, r->who.user, account, sizeof(account), &op))
		return -1;
	if (op && cat->exempt_operators)
		return 0;
	g = bridge_grants(r->b, r->who.user, &n);
	grant_sum(g, n, account, t->name, now, units, &limit, &end);
	free(g);
	if (limit != MT_NO_LIMIT) {
		job_list_t *jobs = req_job_list(r, &hit);

		if (!jobs)
			return -1;
		for (size_t i = 0; i < jobs->n; i++) {
			const job_rec_t *j = &jobs->rec[i];
			const char *u = j->f[JF_USER], *a = j->f[JF_ACCOUNT], *st = j->f[JF_STATE];

			if (u && a && st && !strcmp(u, r->who.user) && !strcmp(a, account) && !strcmp(st, "RUNNING"))
				used += job_rec_units(j, t->name);
		}
		job_list_unref(jobs);
	}
	mt_grant_verdict(cat, t, account, units, limit, used, end, now, minutes, &v);
	if (v.reject) {
		reply_error(r, 403, "no_quota", "%s", v.msg);
		return -1;
	}
	/* Slurm enforces what sync applied, not what the ledger says: a job
	 * the applied limit cannot hold would be refused by job_submit/octopus */
	if (limit != MT_NO_LIMIT && bridge_applied_units(r->b, r->who.user, account, t->name) < units) {
		reply_applying(r, t, account, units);
		return -1;
	}
	*granted = limit != MT_NO_LIMIT;
	snprintf(r->grant_account, sizeof(r->grant_account), "%s", account);
	snprintf(msg, len, "%s", v.msg);
	return 0;
}

/* dir (resolved) lies in root (resolved) or is root */
static int under(const char *dir, const char *root)
{
	size_t n = strlen(root);

	return !strncmp(dir, root, n) && (dir[n] == '/' || dir[n] == '\0');
}

/*
 * path resolved as the user (links followed) into out (PATH_MAX): by the
 * file broker when there is one, since the bridge's own user cannot pass
 * through a 0700 home (Debian 13's default); else by the bridge itself.
 * 0; -1 with a 4xx/5xx answered.
 */
static int resolve_as_user(req_t *r, const char *path, char *out)
{
	char line[PATH_MAX + 64], head[PATH_MAX + 64], why[300], code[32] = "";

	if (!r->b->cfg.file_broker[0]) {
		if (realpath(path, out))
			return 0;
		reply_error(r, 400, "invalid_field", "workdir: %s: %s%s", path, strerror(errno),
			    errno == EACCES ? " (the bridge cannot pass through your home: give it a FileBroker=)" : "");
		return -1;
	}
	snprintf(line, sizeof(line), "RESOLVE %s %s\n", r->who.user, path);
	if (broker_call(r->b->cfg.file_broker, line, head, sizeof(head), NULL, NULL, 0, why, sizeof(why))) {
		reply_error(r, 503, "file_broker_unavailable", "%s", why);
		return -1;
	}
	if (!strncmp(head, "OK /", 4) && strlen(head + 3) < PATH_MAX) {
		snprintf(out, PATH_MAX, "%s", head + 3);
		return 0;
	}
	sscanf(head, "ERR %31s", code);
	reply_error(r, !strcmp(code, "busy") || !strcmp(code, "internal") ? 503 : 400, "invalid_field", "workdir: %s",
		    head + (strlen(head) > 4 + strlen(code) ? 5 + strlen(code) : strlen(head)));
	return -1;
}

int job_submit_spec(req_t *r, const job_spec_t *spec, const char *comment, char *job_id, size_t idlen, char *msg,
		    size_t msglen)
{
	char home[PATH_MAX], wd[PATH_MAX], pwbuf[4096], qmsg[MT_VERDICT_MSG_MAX], path[64];
	struct passwd pw, *pwr = NULL;
	sr_version_t api;
	const mt_type_t *t;
	json_object *body = NULL, *o, *v, *m;
	restd_resp_t resp;
	int ti, rc = -1, granted = 0;

	if (!r->b->catalog) {
		reply_error(r, 503, "no_machine_types", "this bridge has no MachineTypes= catalog");
		return -1;
	}
	if ((ti = mt_catalog_find_type(r->b->catalog, spec->machine_type)) < 0) {
		char list[512];

		mt_catalog_type_list(r->b->catalog, NULL, list, sizeof(list));
		reply_error(r, 400, "invalid_field", "machine_type: no machine type '%s' (there are: %s)",
			    spec->machine_type, list);
		return -1;
	}
	t = &r->b->catalog->types[ti];
	if (t->max_units_per_job && spec->units > t->max_units_per_job) {
		reply_error(r, 400, "invalid_field", "units: %s allows at most %u units per job", t->name,
			    t->max_units_per_job);
		return -1;
	}
	if (getpwnam_r(r->who.user, &pw, pwbuf, sizeof(pwbuf), &pwr) || !pwr || pw.pw_dir[0] != '/' ||
	    strlen(pw.pw_dir) >= sizeof(home)) {
		reply_error(r, 500, "internal", "the home directory of %s cannot be resolved", r->who.user);
		return -1;
	}
	/* symlinks resolved, as the user: a link out of the home is out of the home */
	if (resolve_as_user(r, pw.pw_dir, home) ||
	    resolve_as_user(r, spec->workdir[0] ? spec->workdir : home, wd))
		return -1;
	if (!under(wd, home)) {
		char vroot[PATH_MAX], vol[PATH_MAX];

		snprintf(vroot, sizeof(vroot), "%s/%s", r->b->cfg.volume_root, r->who.user);
		if (!r->b->cfg.volume_root[0] || !realpath(vroot, vol) || !under(wd, vol)) {
			reply_error(r, 400, "invalid_field", "workdir: %s is not in your home (%s) or your volumes",
				    spec->workdir, home);
			return -1;
		}
	}
	if (grant_precheck(r, t, spec->units, spec->minutes, qmsg, sizeof(qmsg), &granted))
		return -1;
	if (req_slurm_path(r, SR_JOB_SUBMIT, NULL, path, sizeof(path), &api))
		goto out;
	body = sr_submit_body(&api, job_spec_submit_body(spec, r->who.user, home, wd, t->partitions[0], comment));
	if (!body) {
		reply_error(r, 500, "internal", "out of memory");
		goto out;
	}
	if (req_restd(r, "POST", path, json_object_to_json_string(body), &resp))
		goto out;
	/* sync applied the grant, slurmdbd has not told slurmctld yet */
	if (granted && restd_error_number(&resp) == ESLURM_ACCOUNTING_POLICY_NUM) {
		restd_resp_free(&resp);
		reply_applying(r, t, r->grant_account, spec->units);
		goto out;
	}
	o = restd_json(r, &resp, "the job");
	restd_resp_free(&resp);
	if (!o)
		goto out;
	if (!json_object_object_get_ex(o, "job_id", &v) || !json_object_get_int64(v)) {
		reply_error(r, 502, "slurm_error", "slurmrestd accepted the job but gave no job_id");
		json_object_put(o);
		goto out;
	}
	job_cache_invalidate(r->b->jobs);
	snprintf(job_id, idlen, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "job_submit_user_msg", &m) && json_object_get_string_len(m))
		snprintf(msg, msglen, "%s", json_object_get_string(m));
	else
		snprintf(msg, msglen, "%s", qmsg);
	json_object_put(o);
	rc = 0;
out:
	json_object_put(body);
	return rc;
}
