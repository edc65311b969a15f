/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurm_call - every call to slurmrestd goes through here, with a token for
 * the requesting user and that user's name: Slurm's own permission checks
 * apply to the portal exactly as to sbatch. What slurmrestd answers is
 * mapped to the portal's errors where the bridge cannot go on.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"

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
	r->restd_calls++;
	r->restd_wait_s += resp->wait_s;
	r->restd_body_s += resp->body_s;
	if (rc) {
		reply_error(r, 503, "slurm_unavailable", "%s", resp->err);
		return -1;
	}
	return 0;
}
