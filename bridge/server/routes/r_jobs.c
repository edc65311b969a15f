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
#include "mt_catalog.h"
#include "mt_verdict.h"
#include "sr_adapt.h"

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
	if (cancel_refused(r, o, "the cancel"))
		return;
	json_object_put(o);
	job_cache_invalidate(r->b->jobs);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(r->params[0]));
	json_object_object_add(o, "cancelled", json_object_new_boolean(1));
	reply_json(r, 200, o);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	char path[1100], line[1400], head[256], why[300], owner[256];
	json_object *j;
	job_rec_t rec;
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
	if (job_rec_from_json(j, &rec)) {
		json_object_put(j);
		reply_error(r, 500, "internal", "out of memory");
		return;
	}
	json_object_put(j);
	if (job_rec_out_path(&rec, stream && !strcmp(stream, "stderr") ? JF_STDERR : JF_STDOUT, path, sizeof(path)) ||
	    strchr(path, '\n')) {
		job_rec_free(&rec);
		reply_error(r, 404, "no_log", "job %s has no output file the bridge can name", r->params[0]);
		return;
	}
	/* the broker reads as this user: a name cut short or with a space could be someone else's */
	if (!rec.f[JF_USER] || !rec.f[JF_USER][0] || strpbrk(rec.f[JF_USER], " \t\r\n") ||
	    (size_t)snprintf(owner, sizeof(owner), "%s", rec.f[JF_USER]) >= sizeof(owner)) {
		job_rec_free(&rec);
		reply_error(r, 502, "slurm_error", "slurmrestd names no usable owner for job %s", r->params[0]);
		return;
	}
	job_rec_free(&rec);
	/* read as the job's owner, whoever asks (an admin reads it as the owner too) */
	snprintf(line, sizeof(line), "READ %s %lld %lld %s\n", owner, off, lim, path);
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
