/*
 * slurm_call - every call to slurmrestd goes through here, with a token for
 * the requesting user and that user's name: Slurm's own permission checks
 * apply to the portal exactly as to sbatch. What slurmrestd answers is
 * mapped to the portal's errors where the bridge cannot go on.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"

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
