/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oidc - OIDC access tokens as bearer tokens: RS256 only, signed by a key
 * of the identity provider's JWKS (a file the site keeps current), with
 * the configured issuer and audience, within exp/nbf and a small skew. The
 * user is one claim (preferred_username by default) that must be a login
 * name; user_policy decides the rest, as for every identity.
 */
#ifndef OCTOPUS_OIDC_H
#define OCTOPUS_OIDC_H

#include <stddef.h>
#include <stdint.h>

typedef struct oidc oidc_t;

/* NULL with err when the file holds no usable key or issuer/audience are unset. */
oidc_t *oidc_load(const char *jwks_path, const char *issuer, const char *audience, const char *user_claim, int skew,
		  char *err, size_t errlen);
void oidc_free(oidc_t *o);
size_t oidc_key_count(const oidc_t *o);

/* 0 and the user (and, if auth_time is not NULL, the token's auth_time
 * claim, 0 when absent), or -1 with why (for the 401). */
int oidc_verify(const oidc_t *o, const char *token, int64_t now, char *user, size_t userlen, int64_t *auth_time,
		char *why, size_t whylen);

#endif
