/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "oidc.h"

#include <json-c/json.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user_policy.h"

#define MAX_KEYS 16

typedef struct {
	char kid[128];
	char *pem;                      /* the public key, for libjwt */
} oidc_key_t;

struct oidc {
	size_t nkeys;
	oidc_key_t key[MAX_KEYS];
	char issuer[256], audience[256], user_claim[64];
	int skew;
};

/* base64url (no padding) into out; its length, or -1 */
static int b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pad = (4 - n % 4) % 4, m = n + pad;
	char *s;
	int len;

	if (pad == 3 || m / 4 * 3 > cap || !(s = malloc(m + 1)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '+' || c == '/' || c == '=')
			return free(s), -1;     /* base64url only */
		s[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memset(s + n, '=', pad);
	s[m] = '\0';
	len = EVP_DecodeBlock(out, (unsigned char *)s, (int)m);
	free(s);
	return len < 0 ? -1 : len - (int)pad;
}

static char *pem_from_ne(const char *n64, const char *e64)
{
	unsigned char nbuf[1024], ebuf[16];
	int nl = b64url_decode(n64, strlen(n64), nbuf, sizeof(nbuf)), el = b64url_decode(e64, strlen(e64), ebuf, sizeof(ebuf));
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *mem = NULL;
	char *pem = NULL, *data;
	long len;

	if (nl < 128 || el < 1)         /* RSA of at least 1024 bits */
		return NULL;
	if (!(bn = BN_bin2bn(nbuf, nl, NULL)) || !(be = BN_bin2bn(ebuf, el, NULL)) || !(bld = OSSL_PARAM_BLD_new()) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0 || !(mem = BIO_new(BIO_s_mem())) ||
	    !PEM_write_bio_PUBKEY(mem, pkey))
		goto out;
	len = BIO_get_mem_data(mem, &data);
	if (len > 0 && (pem = malloc((size_t)len + 1))) {
		memcpy(pem, data, (size_t)len);
		pem[len] = '\0';
	}
out:
	BIO_free(mem);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pem;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

void oidc_free(oidc_t *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nkeys; i++)
		free(o->key[i].pem);
	free(o);
}

oidc_t *oidc_load(const char *jwks_path, const char *issuer, const char *audience, const char *user_claim, int skew,
		  char *err, size_t errlen)
{
	json_object *doc = json_object_from_file(jwks_path), *keys;
	oidc_t *o;

	if (!doc || !json_object_object_get_ex(doc, "keys", &keys) || !json_object_is_type(keys, json_type_array)) {
		snprintf(err, errlen, "OidcJwks=%s is not a JWKS document ({\"keys\": [...]})", jwks_path);
		json_object_put(doc);
		return NULL;
	}
	if (!issuer[0] || !audience[0]) {
		snprintf(err, errlen, "OidcJwks= needs OidcIssuer= and OidcAudience=: tokens are checked against both");
		json_object_put(doc);
		return NULL;
	}
	if (!(o = calloc(1, sizeof(*o)))) {
		json_object_put(doc);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(keys) && o->nkeys < MAX_KEYS; i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		const char *kty = jstr(k, "kty"), *kid = jstr(k, "kid"), *alg = jstr(k, "alg"), *use = jstr(k, "use");
		oidc_key_t *dst = &o->key[o->nkeys];

		/* RS256 signing keys with an id; others (encryption, EC) are skipped */
		if (!kty || strcmp(kty, "RSA") || !kid || strlen(kid) >= sizeof(dst->kid) || (alg && strcmp(alg, "RS256")) ||
		    (use && strcmp(use, "sig")) || !jstr(k, "n") || !jstr(k, "e"))
			continue;
		if (!(dst->pem = pem_from_ne(jstr(k, "n"), jstr(k, "e"))))
			continue;
		snprintf(dst->kid, sizeof(dst->kid), "%s", kid);
		o->nkeys++;
	}
	json_object_put(doc);
	if (!o->nkeys) {
		snprintf(err, errlen, "OidcJwks=%s holds no RSA signing key with a kid", jwks_path);
		oidc_free(o);
		return NULL;
	}
	snprintf(o->issuer, sizeof(o->issuer), "%s", issuer);
	snprintf(o->audience, sizeof(o->audience), "%s", audience);
	snprintf(o->user_claim, sizeof(o->user_claim), "%s", user_claim[0] ? user_claim : "preferred_username");
	o->skew = skew;
	return o;
}

size_t oidc_key_count(const oidc_t *o)
{
	return o->nkeys;
}

/* aud is a string or a list of strings */
static int has_audience(jwt_t *jwt, const char *want)
{
	char *json = jwt_get_grants_json(jwt, "aud");
	json_object *v = json ? json_tokener_parse(json) : NULL;
	int ok = 0;

	if (v && json_object_is_type(v, json_type_string))
		ok = !strcmp(json_object_get_string(v), want);
	else if (v && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v) && !ok; i++)
			{
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));

			ok = s && !strcmp(s, want);
		}
	json_object_put(v);
	free(json);
	return ok;
}

int oidc_verify(const oidc_t *o, const char *token, int64_t now, char *user, size_t ulen, int64_t *auth_time, char *why,
		size_t wl)
{
	const char *dot = strchr(token, '.'), *alg, *kid, *u;
	unsigned char head[1024];
	json_object *h = NULL;
	const oidc_key_t *key = NULL;
	jwt_t *jwt = NULL;
	int n, rc = -1;
	long exp, nbf;

	/* the header decides nothing until it names RS256 and one of our keys:
	 * a token that says HS256 must never be checked with a public key as
	 * its HMAC secret, nor one that says "none" at all */
	if (!dot || (n = b64url_decode(token, (size_t)(dot - token), head, sizeof(head) - 1)) <= 0) {
		snprintf(why, wl, "the bearer token is not a JWT");
		return -1;
	}
	head[n] = '\0';
	if (!(h = json_tokener_parse((char *)head)) || !(alg = jstr(h, "alg")) || strcmp(alg, "RS256")) {
		snprintf(why, wl, "only RS256 tokens are accepted");
		goto out;
	}
	kid = jstr(h, "kid");
	for (size_t i = 0; i < o->nkeys && !key; i++)
		if (kid ? !strcmp(o->key[i].kid, kid) : o->nkeys == 1)
			key = &o->key[i];
	if (!key) {
		snprintf(why, wl, "the token's key (kid %.60s) is not in OidcJwks=", kid ? kid : "none");
		goto out;
	}
	if (jwt_decode(&jwt, token, (const unsigned char *)key->pem, (int)strlen(key->pem)) || !jwt ||
	    jwt_get_alg(jwt) != JWT_ALG_RS256) {
		snprintf(why, wl, "the token's signature does not verify");
		goto out;
	}
	if (!jwt_get_grant(jwt, "iss") || strcmp(jwt_get_grant(jwt, "iss"), o->issuer)) {
		snprintf(why, wl, "the token's issuer is not %s", o->issuer);
		goto out;
	}
	if (!has_audience(jwt, o->audience)) {
		snprintf(why, wl, "the token is not for audience %s", o->audience);
		goto out;
	}
	exp = jwt_get_grant_int(jwt, "exp");
	if (exp <= 0 || now > exp + o->skew) {
		snprintf(why, wl, "the token has expired");
		goto out;
	}
	nbf = jwt_get_grant_int(jwt, "nbf");
	if (nbf > 0 && now < nbf - o->skew) {
		snprintf(why, wl, "the token is not valid yet");
		goto out;
	}
	u = jwt_get_grant(jwt, o->user_claim);
	if (!u || !user_name_valid(u) || strlen(u) >= ulen) {
		snprintf(why, wl, "the token's %s claim is not a login name", o->user_claim);
		goto out;
	}
	snprintf(user, ulen, "%s", u);
	/* when the user last proved who they are at the provider (OIDC Core
	 * 2), which may be long before this token was issued; 0 if not said */
	if (auth_time) {
		long at = jwt_get_grant_int(jwt, "auth_time");

		*auth_time = at > 0 && at <= now + o->skew ? at : 0;
	}
	rc = 0;
out:
	jwt_free(jwt);
	json_object_put(h);
	return rc;
}
