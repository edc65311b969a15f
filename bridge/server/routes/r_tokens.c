/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/tokens: personal API tokens for the CLI. Created only by a user
 * who came through the portal (a token cannot mint a longer-lived one),
 * shown once, stored as a hash, scoped read or read+write, expiring within
 * TokenMaxDays, revocable by their owner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_tokens.h"
#include "bridge.h"

void r_tokens_create(req_t *r)
{
	json_tokener *tok = json_tokener_new_ex(8);
	json_object *in = NULL, *v, *out;
	char token[PAT_LEN + 1], hash[PAT_HASH_HEX], scopes[32] = "read";
	const char *name = NULL;
	int64_t now = (int64_t)time(NULL), days = 30, id;

	r->audit_action = "token.create";
	/* a token cannot mint a longer-lived one; an OIDC sign-in can, when
	 * the user proved who they are at the provider within TokenAuthMaxAge */
	if (r->who.via == AUTH_TOKEN) {
		reply_error(r, 403, "forbidden", "tokens are created from the portal, not with another token");
		goto out;
	}
	if (r->who.via == AUTH_OIDC &&
	    (!r->who.auth_time || now - r->who.auth_time > r->b->cfg.token_auth_max_age)) {
		reply_error(r, 403, "reauthenticate",
			    "creating a token needs a recent sign-in: this OIDC token's auth_time is %s; sign in again "
			    "at the identity provider (max_age=%d) and retry within %d s",
			    r->who.auth_time ? "too old" : "missing", r->b->cfg.token_auth_max_age,
			    r->b->cfg.token_auth_max_age);
		goto out;
	}
	in = tok ? json_tokener_parse_ex(tok, r->body, (int)r->body_len) : NULL;
	if (!in || !json_object_is_type(in, json_type_object)) {
		reply_error(r, 400, "invalid_json", "the body must be a JSON object {name, scopes, days}");
		goto out;
	}
	json_object_object_foreach(in, key, val) {
		(void)val;
		if (strcmp(key, "name") && strcmp(key, "scopes") && strcmp(key, "days")) {
			reply_error(r, 400, "invalid_field", "%.40s: unknown field (fields: name, scopes, days)", key);
			goto out;
		}
	}
	if (!json_object_object_get_ex(in, "name", &v) || !json_object_is_type(v, json_type_string) ||
	    !(name = json_object_get_string(v))[0] || strlen(name) > 63) {
		reply_error(r, 400, "invalid_field", "name: a string of 1-63 characters is required");
		goto out;
	}
	if (json_object_object_get_ex(in, "days", &v)) {
		days = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || days < 1 || days > r->b->cfg.pat_max_days) {
			reply_error(r, 400, "invalid_field", "days: a whole number from 1 to %d", r->b->cfg.pat_max_days);
			goto out;
		}
	}
	if (json_object_object_get_ex(in, "scopes", &v)) {
		int rd = 0, wr = 0;

		if (!json_object_is_type(v, json_type_array)) {
			reply_error(r, 400, "invalid_field", "scopes: a list of \"read\" and \"write\"");
			goto out;
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));

			if (s && !strcmp(s, "read"))
				rd = 1;
			else if (s && !strcmp(s, "write"))
				wr = 1;
			else {
				reply_error(r, 400, "invalid_field", "scopes: \"%.20s\" is not read or write", s ? s : "");
				goto out;
			}
		}
		(void)rd;
		snprintf(scopes, sizeof(scopes), "%s", wr ? "read,write" : "read");
	}
	if (pat_new(token, hash)) {
		reply_error(r, 500, "internal", "no random bytes for a token");
		goto out;
	}
	if ((id = bdb_token_add(r->b->db, r->who.user, name, hash, scopes, now, now + days * 86400)) < 0) {
		reply_error(r, 500, "internal", "the token could not be stored");
		goto out;
	}
	snprintf(r->audit_target, sizeof(r->audit_target), "token %lld (%s, %s)", (long long)id, name, scopes);
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_int64(id));
	json_object_object_add(out, "name", json_object_new_string(name));
	json_object_object_add(out, "scopes", json_object_new_string(scopes));
	json_object_object_add(out, "expires", json_object_new_int64(now + days * 86400));
	json_object_object_add(out, "token", json_object_new_string(token));
	reply_json(r, 201, out);
	memset(token, 0, sizeof(token));
out:
	json_object_put(in);
	if (tok)
		json_tokener_free(tok);
}

static int add_token(const bdb_token_t *t, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "scopes", json_object_new_string(t->scopes));
	json_object_object_add(o, "created", json_object_new_int64(t->created));
	json_object_object_add(o, "expires", json_object_new_int64(t->expires));
	json_object_object_add(o, "last_used", json_object_new_int64(t->last_used));
	json_object_object_add(o, "revoked", json_object_new_boolean(t->revoked));
	json_object_array_add(arg, o);
	return 0;
}

void r_tokens_list(req_t *r)
{
	json_object *out = json_object_new_object(), *arr = json_object_new_array();

	bdb_token_foreach(r->b->db, r->who.user, add_token, arr);
	json_object_object_add(out, "tokens", arr);
	reply_json(r, 200, out);
}

void r_tokens_revoke(req_t *r)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	json_object *out;
	int rc;

	r->audit_action = "token.revoke";
	snprintf(r->audit_target, sizeof(r->audit_target), "token %.40s", r->params[0]);
	if (*end || id < 1) {
		reply_error(r, 400, "bad_token_id", "'%.40s' is not a token id", r->params[0]);
		return;
	}
	if ((rc = bdb_token_revoke(r->b->db, r->who.user, id)) == 1) {
		reply_error(r, 404, "not_found", "no live token %lld of yours", id);
		return;
	}
	if (rc) {
		reply_error(r, 500, "internal", "the token could not be revoked");
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_int64(id));
	json_object_object_add(out, "revoked", json_object_new_boolean(1));
	reply_json(r, 200, out);
}
