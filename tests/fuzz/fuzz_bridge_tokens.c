/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: every credential a bridge client presents.
 * The first byte picks the parser; the rest is the attacker's bytes:
 *   0  a bearer token for oidc_verify, as sent (never verifies: the
 *      fuzzer does not hold the key)
 *   1  a claims set the fuzzer gets signed with the JWKS key, so the claim
 *      checks run (verifies only with our issuer, audience, a live exp
 *      and a login name)
 *   2  a personal token for pat_hash (hashes only when shaped "pat_"+43)
 *   3  "user\ntime\nmethod\npath\nsig" for proxy_sig_verify (verifies only
 *      when sig is the real HMAC)
 * The signing key is made at start-up, so no key lives in the tree. */
#include <json-c/json.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_tokens.h"
#include "oidc.h"
#include "user_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000L
#define SKEW 60
#define ISSUER "https://idp.example"
#define AUDIENCE "octopus"

static oidc_t *oidc;
static char *priv_pem;
static char jwks_path[64];

static void b64url(const unsigned char *in, int n, char *out, size_t cap)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, n);

	if (len < 0 || (size_t)len >= cap)
		abort();
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
}

static void setup(void)
{
	unsigned char nbuf[512];
	char n64[700], err[256], *data;
	BIGNUM *n = NULL;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	BIO *mem = BIO_new(BIO_s_mem());
	long len;
	FILE *f;
	int nl;

	if (!key || !mem || !PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) || (nl = BN_bn2bin(n, nbuf)) <= 0)
		abort();
	len = BIO_get_mem_data(mem, &data);
	if (len <= 0 || !(priv_pem = strndup(data, (size_t)len)))
		abort();
	b64url(nbuf, nl, n64, sizeof(n64));
	snprintf(jwks_path, sizeof(jwks_path), "/tmp/fuzz_bridge_tokens.%d.json", (int)getpid());
	if (!(f = fopen(jwks_path, "w")))
		abort();
	fprintf(f, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
		n64);
	fclose(f);
	oidc = oidc_load(jwks_path, ISSUER, AUDIENCE, "", SKEW, err, sizeof(err));
	unlink(jwks_path);
	if (!oidc)
		abort();
	BN_free(n);
	BIO_free(mem);
	EVP_PKEY_free(key);
}

static void oidc_raw(const char *s)
{
	char user[64], why[256];

	if (oidc_verify(oidc, s, NOW, user, sizeof(user), NULL, why, sizeof(why)) == 0)
		abort();
}

/* what a verified token must have had */
static void check_claims(const char *claims, const char *user)
{
	json_object *c = json_tokener_parse(claims), *v;

	if (!c || !user_name_valid(user))
		abort();
	if (!json_object_object_get_ex(c, "iss", &v) || strcmp(json_object_get_string(v), ISSUER))
		abort();
	if (!json_object_object_get_ex(c, "exp", &v) || json_object_get_int64(v) + SKEW < NOW)
		abort();
	if (!json_object_object_get_ex(c, "preferred_username", &v) || strcmp(json_object_get_string(v), user))
		abort();
	json_object_put(c);
}

static void oidc_signed(const char *claims)
{
	char user[64], why[256], *tok;
	jwt_t *jwt = NULL;

	if (jwt_new(&jwt) || jwt_add_grants_json(jwt, claims) || jwt_add_header(jwt, "kid", "k1") ||
	    jwt_set_alg(jwt, JWT_ALG_RS256, (const unsigned char *)priv_pem, (int)strlen(priv_pem)) ||
	    !(tok = jwt_encode_str(jwt))) {
		jwt_free(jwt);
		return;
	}
	if (oidc_verify(oidc, tok, NOW, user, sizeof(user), NULL, why, sizeof(why)) == 0)
		check_claims(claims, user);
	else if (!why[0])
		abort();        /* a refusal always says why */
	free(tok);
	jwt_free(jwt);
}

static void pat(const char *s)
{
	char hash[PAT_HASH_HEX];

	if (pat_hash(s, hash) == 0 && (strlen(s) != PAT_LEN || strncmp(s, "pat_", 4) || strlen(hash) != 64))
		abort();
}

static void proxy(char *s)
{
	static const unsigned char secret[] = "fuzz-secret-32-bytes-long-enough";
	char *f[5], why[256], want[65];
	size_t i;

	for (i = 0; i < 5 && s; i++)
		f[i] = strsep(&s, "\n");
	if (i < 5)
		return;
	if (proxy_sig_verify(secret, sizeof(secret) - 1, f[0], f[1], f[2], f[3], f[4], NOW, SKEW, why, sizeof(why)) == 0 &&
	    (proxy_sig_make(secret, sizeof(secret) - 1, f[0], f[1], f[2], f[3], want) || strcmp(want, f[4])))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > 8192)
		return 0;
	if (!oidc)
		setup();
	if (!(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0: oidc_raw(s); break;
	case 1: oidc_signed(s); break;
	case 2: pat(s); break;
	default: proxy(s); break;
	}
	free(s);
	return 0;
}
