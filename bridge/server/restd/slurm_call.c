/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurm_call - every call to slurmrestd goes through here, with a token for
 * the requesting user and that user's name: Slurm's own permission checks
 * apply to the portal exactly as to sbatch. What slurmrestd answers is
 * mapped to the portal's errors where the bridge cannot go on.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "sr_adapt.h"

/* slurm_errno.h's numbers (the bridge links no Slurm library) */
#define ESLURM_ACCESS_DENIED_NUM 2002
#define ESLURM_USER_ID_MISSING_NUM 2017

void reply_slurm_error(req_t *r, long status, const char *msg, int num, const char *what)
{
	if ((num >= 1000 && num <= 1004) || (num >= 1800 && num <= 1803))
		reply_error(r, 503, "slurm_unavailable", "slurmctld cannot be reached for %s: %s (error %d)", what,
			    msg ? msg : "", num);
	else if (num == ESLURM_ACCESS_DENIED_NUM || num == ESLURM_USER_ID_MISSING_NUM)
		/* the bridge acts with the requester's own Slurm rights: an admin
		 * of the portal who is no Slurm operator cannot act for others */
		reply_error(r, 403, "slurm_forbidden",
			    "Slurm did not let %s do %s: %s (error %d). Acting on another user's job needs a Slurm "
			    "operator or account coordinator (sacctmgr modify user %s set adminlevel=operator)",
			    r->who.user, what, msg ? msg : "access denied", num, r->who.user);
	else if (status == 401 || num == 1007 || (num >= 6000 && num < 6100))
		reply_error(r, 502, "slurm_auth", "Slurm did not accept the bridge's token for %s: %s (error %d)", what,
			    msg ? msg : "HTTP 401", num);
	else
		reply_error(r, 400, "slurm_refused", "Slurm refused %s: %s (error %d)", what,
			    msg ? msg : "no reason given", num);
}

/* slurmrestd's answer as JSON; on an error status or errors[], answers the
 * request and returns NULL. */
json_object *restd_json(req_t *r, restd_resp_t *resp, const char *what)
{
	json_object *o = resp->body ? json_tokener_parse(resp->body) : NULL, *errs, *e, *v;
	const char *msg = NULL;
	int num = 0;

	if (!o || !json_object_is_type(o, json_type_object)) {
		reply_error(r, 502, "slurm_error", "slurmrestd answered %s with HTTP %ld and no JSON", what,
			    resp->status);
		json_object_put(o);
		return NULL;
	}
	if (json_object_object_get_ex(o, "errors", &errs) && json_object_is_type(errs, json_type_array) &&
	    json_object_array_length(errs) > 0) {
		e = json_object_array_get_idx(errs, 0);
		if (json_object_object_get_ex(e, "description", &v) && json_object_get_string_len(v))
			msg = json_object_get_string(v);
		else if (json_object_object_get_ex(e, "error", &v))
			msg = json_object_get_string(v);
		if (json_object_object_get_ex(e, "error_number", &v))
			num = json_object_get_int(v);
	}
	if (resp->status >= 300 || msg) {
		reply_slurm_error(r, resp->status, msg, num, what);
		json_object_put(o);
		return NULL;
	}
	return o;
}


int req_restd(req_t *r, const char *method, const char *path, const char *body, restd_resp_t *resp)
{
	char token[1024], code[32], why[300];
	int rc;

	if (mc_token(r->b->mc, r->who.user, token, sizeof(token), code, sizeof(code), why, sizeof(why))) {
		if (!strcmp(code, "rate_limited"))
			reply_error(r, 429, "rate_limited", "%s", why);
		else if (!strcmp(code, "refused"))
			reply_error(r, 403, "forbidden", "no Slurm token for %s: %s", r->who.user, why);
		else
			reply_error(r, 503, "slurm_unavailable", "%s", why);
		return -1;
	}
	rc = restd_call(r->b->restd, method, path, r->who.user, token, body, resp);
	memset(token, 0, sizeof(token));
	if (!rc)
		req_api_check(r, path, resp->status);
	r->restd_calls++;
	r->restd_wait_s += resp->wait_s;
	r->restd_body_s += resp->body_s;
	if (rc) {
		reply_error(r, 503, "slurm_unavailable", "%s", resp->err);
		return -1;
	}
	return 0;
}

/* After a 404 from one of the API's paths (slurmrestd was upgraded under
 * the bridge), it is asked again, at most this often. */
#define API_RECHECK_S 60
static time_t api_asked_at;

static int pinned(const bridge_t *b)
{
	return strcmp(b->cfg.slurmrestd_version, "auto") != 0;
}

const char *bridge_api_now(bridge_t *b, sr_version_t *out)
{
	pthread_mutex_lock(&b->api_lock);
	*out = b->api;
	pthread_mutex_unlock(&b->api_lock);
	return pinned(b) ? "pinned" : out->name[0] ? "negotiated" : "pending";
}

int bridge_api_adopt(bridge_t *b, const char *doc, size_t len, sr_version_t *out, char *why, size_t wl)
{
	if (pinned(b)) {
		bridge_api_now(b, out);
		return 0;
	}
	if (sr_pick(doc, len, out, why, wl))
		return -1;
	pthread_mutex_lock(&b->api_lock);
	if (strcmp(b->api.name, out->name))
		fprintf(stderr, "octopus-bridge: slurmrestd speaks %s: using it\n", out->name);
	b->api = *out;
	api_asked_at = time(NULL);
	pthread_mutex_unlock(&b->api_lock);
	return 0;
}

/* The API in use, asked of slurmrestd (/openapi/v3) the first time one is
 * needed; a pinned SlurmrestdVersion= is never asked. 0, or -1 answered. */
int req_api(req_t *r, sr_version_t *out)
{
	restd_resp_t resp;
	char why[400], names[128];
	int rc;

	bridge_api_now(r->b, out);
	if (out->name[0])
		return 0;
	if (req_restd(r, "GET", "/openapi/v3", NULL, &resp))
		return -1;
	if (resp.status != 200) {
		reply_error(r, 502, "slurm_error", "slurmrestd answered /openapi/v3 with HTTP %ld: the bridge cannot tell "
			    "which Slurm REST version to speak (set SlurmrestdVersion= to one of %s)",
			    resp.status, sr_known_versions(names, sizeof(names)));
		restd_resp_free(&resp);
		return -1;
	}
	rc = bridge_api_adopt(r->b, resp.body, resp.len, out, why, sizeof(why));
	restd_resp_free(&resp);
	if (rc) {
		reply_error(r, 502, "slurm_version", "%s", why);
		return -1;
	}
	return 0;
}

int req_slurm_path(req_t *r, sr_path_t what, const char *arg, char *out, size_t len, sr_version_t *v)
{
	sr_version_t tmp;

	if (!v)
		v = &tmp;
	if (req_api(r, v))
		return -1;
	if (sr_path(v, what, arg, out, len)) {
		reply_error(r, 400, "invalid_field", "'%.60s' is no Slurm name or id (letters, digits, '.', '_', '-', '@'; "
			    "at most a few dozen)", arg ? arg : "");
		return -1;
	}
	return 0;
}

void req_api_check(req_t *r, const char *path, long status)
{
	bridge_t *b = r->b;

	if (status != 404 || strncmp(path, "/slurm", 6) || pinned(b))
		return;
	pthread_mutex_lock(&b->api_lock);
	if (time(NULL) - api_asked_at >= API_RECHECK_S)
		b->api.name[0] = '\0';
	pthread_mutex_unlock(&b->api_lock);
}

int cancel_refused(req_t *r, json_object *answer, const char *what)
{
	const char *msg;
	int num;

	if (!sr_kill_refused(answer, &num, &msg))
		return 0;
	reply_slurm_error(r, 200, msg, num, what);
	json_object_put(answer);
	return 1;
}
