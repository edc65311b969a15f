/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/jobs: list (own jobs; admins all), submit (from a machine type),
 * one job, cancel. Ownership is checked here even though slurmctld checks
 * too: without PrivateData=jobs slurmrestd shows everyone's jobs.
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

/* Answer with Slurm's refusal of `what`: 503 while slurmctld is out of
 * reach, 502 when it did not take the bridge's token, 400 otherwise. */
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

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

/* The list is joined from each record's view rendered once per cached list
 * (job_list_render): a poll of a cached list costs string copies, not a
 * JSON tree of every job. */
void r_jobs_list(req_t *r)
{
	const char *want_state = req_query(r, "state"), *want_user = req_query(r, "user");
	struct printbuf *pb;
	job_list_t *jobs;
	int hit = 0, bad = 0, first = 1;
	char *text;

	if (want_user && !r->who.admin && strcmp(want_user, r->who.user)) {
		reply_error(r, 403, "forbidden", "only admins list other users' jobs");
		return;
	}
	if (!r->who.admin)
		want_user = r->who.user;
	if (!(jobs = req_job_list(r, &hit)))
		return;
	if (!(pb = printbuf_new())) {
		job_list_unref(jobs);
		reply_error(r, 500, "internal", "out of memory");
		return;
	}
	bad |= printbuf_memappend(pb, "{\"jobs\":[", 9) < 0;
	for (size_t i = 0; i < jobs->n && !bad; i++) {
		const job_rec_t *j = &jobs->rec[i];
		const char *u = j->f[JF_USER], *st = j->f[JF_STATE];

		if (want_user && (!u || strcmp(u, want_user)))
			continue;
		if (want_state && strcmp(want_state, job_portal_state(st)) && (!st || strcasecmp(want_state, st)))
			continue;
		if (!first)
			bad |= printbuf_memappend(pb, ",", 1) < 0;
		first = 0;
		if (j->view) {
			bad |= printbuf_memappend(pb, j->view, (int)j->view_len) < 0;
		} else {
			json_object *v = job_rec_view(j);
			const char *t = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
									  JSON_C_TO_STRING_NOSLASHESCAPE);

			bad |= !t || printbuf_memappend(pb, t, (int)strlen(t)) < 0;
			json_object_put(v);
		}
	}
	job_list_unref(jobs);
	if (!bad)
		bad |= hit ? printbuf_memappend(pb, "],\"cached\":true}", 16) < 0
			   : printbuf_memappend(pb, "],\"cached\":false}", 17) < 0;
	if (bad || !(text = malloc((size_t)pb->bpos + 1))) {
		printbuf_free(pb);
		reply_error(r, 500, "internal", "out of memory");
		return;
	}
	memcpy(text, pb->buf, (size_t)pb->bpos + 1);
	r->text_len = (size_t)pb->bpos;
	printbuf_free(pb);
	r->text = text;
	r->text_type = "application/json";
	r->status = 200;
}

/* The job's id as Slurm takes it: digits, or an array element 123_4 */
static int job_id_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (!n || n > 10)
		return 0;
	if (!s[n])
		return 1;
	return s[n] == '_' && strspn(s + n + 1, "0123456789") == strlen(s + n + 1) && s[n + 1] && strlen(s + n + 1) <= 10;
}

/* The job if the caller may see it (theirs, or an admin); else answered. */
static json_object *own_job(req_t *r, const char *id)
{
	sr_version_t api;
	char path[128];
	restd_resp_t resp;
	json_object *o, *list, *j;
	const char *u;

	if (!job_id_ok(id)) {
		reply_error(r, 400, "bad_job_id", "'%.40s' is not a job id", id);
		return NULL;
	}
	if (req_slurm_path(r, SR_JOB, id, path, sizeof(path), &api) || req_restd(r, "GET", path, NULL, &resp))
		return NULL;
	o = resp.body ? json_tokener_parse(resp.body) : NULL;
	restd_resp_free(&resp);
	if (!o || !json_object_object_get_ex(o, "jobs", &list) || !json_object_is_type(list, json_type_array) ||
	    !json_object_array_length(list)) {
		/* Slurm says "invalid job id" for jobs it no longer holds */
		json_object_put(o);
		reply_error(r, 404, "not_found", "no job %s of yours", id);
		return NULL;
	}
	j = json_object_get(json_object_array_get_idx(list, 0));
	json_object_put(o);
	u = str_of(j, "user_name");
	if (!r->who.admin && (!u || strcmp(u, r->who.user))) {
		/* the same answer as for a job that does not exist */
		json_object_put(j);
		reply_error(r, 404, "not_found", "no job %s of yours", id);
		return NULL;
	}
	return j;
}

void r_job_get(req_t *r)
{
	json_object *j = own_job(r, r->params[0]);

	if (!j)
		return;
	reply_json(r, 200, job_view(j));
	json_object_put(j);
}

void r_job_cancel(req_t *r)
{
	char path[128];
	restd_resp_t resp;
	json_object *j, *o;

	r->audit_action = "job.cancel";
	snprintf(r->audit_target, sizeof(r->audit_target), "job %.40s", r->params[0]);
	if (!(j = own_job(r, r->params[0])))
		return;
	json_object_put(j);
	if (req_slurm_path(r, SR_JOB, r->params[0], path, sizeof(path), NULL) ||
	    req_restd(r, "DELETE", path, NULL, &resp))
		return;
	o = restd_json(r, &resp, "the cancel");
	restd_resp_free(&resp);
	if (!o)
		return;
	json_object_put(o);
	job_cache_invalidate(r->b->jobs);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(r->params[0]));
	json_object_object_add(o, "cancelled", json_object_new_boolean(1));
	reply_json(r, 200, o);
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

#define APPLYING_RETRY_S 5      /* the sync runs on approval; slurmctld hears in ~2 s */
#define ESLURM_ACCOUNTING_POLICY_NUM 2050

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

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	if (getpwnam_r(r->who.user, &pw, pwbuf, sizeof(pwbuf), &pwr) || !pwr || !realpath(pw.pw_dir, home)) {
		reply_error(r, 500, "internal", "the home directory of %s cannot be resolved", r->who.user);
		return -1;
	}
	/* symlinks resolved: a link out of the home is out of the home */
	if (!realpath(spec->workdir[0] ? spec->workdir : home, wd)) {
		reply_error(r, 400, "invalid_field", "workdir: %s: %s", spec->workdir, strerror(errno));
		return -1;
	}
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

void r_jobs_submit(req_t *r)
{
	job_spec_rules_t rules = { .env_allow = r->b->cfg.env_allow, .max_hours = (uint32_t)r->b->cfg.max_hours };
	job_spec_t spec;
	char field[64], why[512], job_id[32], msg[MT_VERDICT_MSG_MAX];
	int64_t retry = 0;

	r->audit_action = "job.submit";
	if (!rate_limit_take(r->b->submit_rate, r->who.user, mono_ms(), &retry)) {
		reply_error(r, 429, "rate_limited", "too many submissions; try again in %lld s",
			    (long long)(retry / 1000 + 1));
		return;
	}
	if (job_spec_parse(r->body, r->body_len, &rules, &spec, field, sizeof(field), why, sizeof(why))) {
		reply_error(r, 400, "invalid_field", "%s%s%s", field, field[0] ? ": " : "", why);
		goto out;
	}
	snprintf(r->audit_target, sizeof(r->audit_target), "%s:%u %s", spec.machine_type, spec.units, spec.name);
	if (job_submit_spec(r, &spec, "portal:job", job_id, sizeof(job_id), msg, sizeof(msg)))
		goto out;
	{
		json_object *res = json_object_new_object();

		json_object_object_add(res, "id", json_object_new_int64(strtoll(job_id, NULL, 10)));
		if (msg[0])
			json_object_object_add(res, "message", json_object_new_string(msg));
		if (snprintf(r->audit_target, sizeof(r->audit_target), "job %s (%s:%u %s)", job_id, spec.machine_type,
			     spec.units, spec.name) < 0)
			r->audit_target[0] = '\0';
		reply_json(r, 201, res);
	}
out:
	job_spec_free(&spec);
}

/*
 * GET /api/v1/jobs/{id}/log?stream=stdout|stderr&offset=N&limit=N: bytes of
 * the job's output file, read by octopus-file-broker as the job's user
 * (never with the bridge's rights), at most 1 MiB a call. The answer is the
 * raw bytes; X-Log-Size and X-Log-Offset say where they sit in the file.
 */
void r_job_log(req_t *r)
{
	const char *stream = req_query(r, "stream");
	long long off, lim;
	char path[1100], line[1300], head[256], why[300], jid[32], aj[32] = "", at[32] = "", node[128] = "";
	const char *pattern, *u;
	json_object *j, *v;
	log_job_t lj;
	char *data = NULL;
	size_t n = 0;

	if (!r->b->cfg.file_broker[0]) {
		reply_error(r, 503, "no_file_broker", "this bridge has no FileBroker=: logs are read on the cluster");
		return;
	}
	if (stream && strcmp(stream, "stdout") && strcmp(stream, "stderr")) {
		reply_error(r, 400, "invalid_query", "stream: stdout or stderr");
		return;
	}
	if (req_query_int(r, "offset", 0, INT64_MAX, 0, &off) || req_query_int(r, "limit", 1, 1 << 20, 65536, &lim))
		return;
	if (!(j = own_job(r, r->params[0])))
		return;
	pattern = str_of(j, stream && !strcmp(stream, "stderr") ? "standard_error" : "standard_output");
	if (!pattern || !pattern[0])
		pattern = str_of(j, "standard_output");     /* stderr goes with stdout unless split */
	snprintf(jid, sizeof(jid), "%s", json_object_object_get_ex(j, "job_id", &v) ? json_object_get_string(v) : "");
	if (json_object_object_get_ex(j, "array_job_id", &v) && json_object_get_int64(v) > 0)
		snprintf(aj, sizeof(aj), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(j, "array_task_id", &v) && json_object_is_type(v, json_type_int))
		snprintf(at, sizeof(at), "%s", json_object_get_string(v));
	if (str_of(j, "batch_host"))
		snprintf(node, sizeof(node), "%s", str_of(j, "batch_host"));
	u = str_of(j, "user_name");
	lj = (log_job_t){ .job_id = jid, .array_job_id = aj, .array_task_id = at, .name = str_of(j, "name") ? str_of(j, "name") : "",
			  .user = u ? u : "", .first_node = node };
	if (!pattern || log_path_expand(pattern, &lj, path, sizeof(path)) || strchr(path, '\n')) {
		json_object_put(j);
		reply_error(r, 404, "no_log", "job %s has no output file the bridge can name", r->params[0]);
		return;
	}
	/* read as the job's owner, whoever asks (an admin reads it as the owner too) */
	snprintf(line, sizeof(line), "READ %s %lld %lld %s\n", u ? u : "-", off, lim, path);
	json_object_put(j);
	if (broker_call(r->b->cfg.file_broker, line, head, sizeof(head), &data, &n, (size_t)lim, why, sizeof(why))) {
		reply_error(r, 503, "file_broker_unavailable", "%s", why);
		return;
	}
	if (!strncmp(head, "ERR ", 4)) {
		char code[32] = "";

		sscanf(head + 4, "%31s", code);
		reply_error(r, !strcmp(code, "not_found") ? 404 : 403, !strcmp(code, "not_found") ? "no_log" : "forbidden",
			    "%s", head + 4 + strlen(code) + (head[4 + strlen(code)] ? 1 : 0));
		free(data);
		return;
	}
	{
		long long size = 0, got = 0;
		char hdr[32];

		if (sscanf(head, "OK %lld %lld", &size, &got) != 2 || got < 0 || (size_t)got > n) {
			free(data);
			reply_error(r, 502, "file_broker_error", "the file broker's answer is malformed");
			return;
		}
		snprintf(hdr, sizeof(hdr), "%lld", size);
		r->status = 200;
		r->text = data;
		r->text_len = (size_t)got;
		r->text_type = "text/plain; charset=utf-8";
		snprintf(r->log_size, sizeof(r->log_size), "%lld", size);
		snprintf(r->log_offset, sizeof(r->log_offset), "%lld", off > size ? size : off);
		(void)hdr;
		if (!got) {
			/* an empty answer must still be a valid buffer */
			free(data);
			r->text = strdup("");
		}
	}
}
