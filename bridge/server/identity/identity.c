/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "identity.h"

#include <grp.h>
#include <microhttpd.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_tokens.h"
#include "user_policy.h"

static const char *header(req_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

bool identity_is_admin(const bridge_config_t *cfg, const char *user)
{
	size_t n = strlen(user);

	for (const char *p = cfg->admins; *p;) {
		size_t k = strcspn(p, ",");

		if (k == n && !strncmp(p, user, n))
			return true;
		p += k + (p[k] == ',');
	}
	if (cfg->admin_group[0]) {
		struct group gr, *res = NULL;
		char buf[16384];

		if (!getgrnam_r(cfg->admin_group, &gr, buf, sizeof(buf), &res) && res) {
			struct passwd pw, *pres = NULL;
			char pbuf[4096];

			for (char **m = gr.gr_mem; m && *m; m++)
				if (!strcmp(*m, user))
					return true;
			/* the group may be the user's primary one */
			if (!getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &pres) && pres && pw.pw_gid == gr.gr_gid)
				return true;
		}
	}
	return false;
}

int identity_resolve(req_t *r, char *code, size_t cl, char *why, size_t wl)
{
	const bridge_t *b = r->b;
	const char *auth = header(r, MHD_HTTP_HEADER_AUTHORIZATION), *puser = header(r, "X-Octopus-User");
	identity_t *w = &r->who;
	char pwhy[256];

	memset(w, 0, sizeof(*w));
	if (auth) {
		char hash[PAT_HASH_HEX];
		bdb_token_t t;
		int rc;

		if (strncmp(auth, "Bearer ", 7)) {
			snprintf(code, cl, "unauthenticated");
			snprintf(why, wl, "Authorization must be 'Bearer <token>'");
			return 401;
		}
		auth += 7;
		if (strncmp(auth, "pat_", 4)) {
			if (!b->oidc) {
				snprintf(code, cl, "unauthenticated");
				snprintf(why, wl, "only personal API tokens (pat_...) are accepted as bearer tokens here (no OidcJwks=); sign in through the portal's proxy");
				return 401;
			}
			if (oidc_keyring_verify(b->oidc, auth, (int64_t)time(NULL), w->user, sizeof(w->user), &w->auth_time,
						pwhy, sizeof(pwhy))) {
				snprintf(code, cl, "unauthenticated");
				snprintf(why, wl, "%s", pwhy);
				return 401;
			}
			w->via = AUTH_OIDC;
			w->can_write = true;
			goto mapped;
		}
		if (pat_hash(auth, hash) || (rc = bdb_token_lookup(b->db, hash, (int64_t)time(NULL), &t)) == 1) {
			snprintf(code, cl, "unauthenticated");
			snprintf(why, wl, "the token is unknown, expired or revoked");
			return 401;
		}
		if (rc < 0) {
			snprintf(code, cl, "internal");
			snprintf(why, wl, "the token database is unavailable");
			return 500;
		}
		snprintf(w->user, sizeof(w->user), "%s", t.user);
		w->via = AUTH_TOKEN;
		w->token_id = t.id;
		w->can_write = strstr(t.scopes, "write") != NULL;
	} else if (puser) {
		if (!b->proxy_secret_len) {
			snprintf(code, cl, "unauthenticated");
			snprintf(why, wl, "X-Octopus-User is only taken from a proxy with ProxySecretFile= set");
			return 401;
		}
		if (proxy_sig_verify(b->proxy_secret, b->proxy_secret_len, puser, header(r, "X-Octopus-Time"), r->method,
				     r->path, header(r, "X-Octopus-Signature"), (int64_t)time(NULL),
				     b->cfg.proxy_max_skew, pwhy, sizeof(pwhy))) {
			snprintf(code, cl, "unauthenticated");
			snprintf(why, wl, "%s", pwhy);
			return 401;
		}
		snprintf(w->user, sizeof(w->user), "%.39s", puser);
		w->via = AUTH_PROXY;
		w->can_write = true;
	} else {
		snprintf(code, cl, "unauthenticated");
		snprintf(why, wl, "no credentials: send 'Authorization: Bearer pat_...' or come through the portal");
		return 401;
	}
mapped:
	if (user_policy_check(&b->cfg.policy, w->user, &w->uid, pwhy, sizeof(pwhy))) {
		snprintf(code, cl, "forbidden");
		snprintf(why, wl, "the bridge does not act for this user: %s", pwhy);
		return 403;
	}
	w->admin = identity_is_admin(&b->cfg, w->user);
	return 0;
}
