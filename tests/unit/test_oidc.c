/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oidc: RS256 access tokens against a JWKS file made here from fresh RSA
 * keys: the good token, and every way a token must be refused -- expired,
 * early, another issuer or audience, an unknown key, alg=none, and HS256
 * signed with the public key as the secret (algorithm confusion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "oidc.h"
#include "oidc_keyring.h"

#define NOW 1795000000L
#define ISS "https://idp.example.org/realms/hpc"
#define AUD "octopus-portal"

static EVP_PKEY *key_a, *key_b;
static char jwks[] = "/tmp/oidc-jwks.XXXXXX";
static char *pub_a;             /* key a's public PEM */

static char *pem(EVP_PKEY *k, int private)
{
	BIO *m = BIO_new(BIO_s_mem());
	char *d, *out;
	long n;

	if (private)
		PEM_write_bio_PrivateKey(m, k, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(m, k);
	n = BIO_get_mem_data(m, &d);
	out = calloc(1, (size_t)n + 1);
	memcpy(out, d, (size_t)n);
	BIO_free(m);
	return out;
}

static void b64url(const unsigned char *b, int n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, b, n);

	while (len && out[len - 1] == '=')
		out[--len] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
}

static void jwk(FILE *f, EVP_PKEY *k, const char *kid)
{
	BIGNUM *n = NULL, *e = NULL;
	unsigned char nb[1024], eb[16];
	char ns[1500], es[32];

	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
	b64url(nb, BN_bn2bin(n, nb), ns);
	b64url(eb, BN_bn2bin(e, eb), es);
	fprintf(f, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}", kid, ns,
		es);
	BN_free(n);
	BN_free(e);
}

static int setup(void **state)
{
	int fd = mkstemp(jwks);
	FILE *f = fdopen(fd, "w");

	(void)state;
	key_a = EVP_RSA_gen(2048);
	key_b = EVP_RSA_gen(2048);
	pub_a = pem(key_a, 0);
	/* the IdP publishes key a only (plus an encryption key to skip) */
	fprintf(f, "{\"keys\":[");
	jwk(f, key_a, "kid-a");
	fprintf(f, ",{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}");
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(jwks);
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	free(pub_a);
	return 0;
}

/* A token signed by key with alg, kid and the claims in json */
static char *token(EVP_PKEY *key, jwt_alg_t alg, const char *kid, const char *claims)
{
	jwt_t *j = NULL;
	char *priv = key ? pem(key, 1) : NULL, *t;

	jwt_new(&j);
	jwt_add_grants_json(j, claims);
	if (kid)
		jwt_add_header(j, "kid", kid);
	if (alg == JWT_ALG_RS256)
		jwt_set_alg(j, alg, (unsigned char *)priv, (int)strlen(priv));
	else if (alg == JWT_ALG_HS256)
		jwt_set_alg(j, alg, (unsigned char *)pub_a, (int)strlen(pub_a));
	else
		jwt_set_alg(j, JWT_ALG_NONE, NULL, 0);
	t = jwt_encode_str(j);
	jwt_free(j);
	free(priv);
	return t;
}

static const char *good = "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,\"nbf\":1794999990,"
			  "\"preferred_username\":\"alice\"}";

static void expect(oidc_t *o, char *tok, const char *want_user, const char *want_why)
{
	char user[64] = "", why[256] = "";
	int rc = oidc_verify(o, tok, NOW, user, sizeof(user), NULL, why, sizeof(why));

	if (want_user) {
		if (rc)
			fail_msg("refused: %s", why);
		assert_string_equal(user, want_user);
	} else {
		assert_int_equal(rc, -1);
		if (!strstr(why, want_why))
			fail_msg("why '%s' lacks '%s'", why, want_why);
	}
	free(tok);
}

static void test_tokens(void **state)
{
	char err[256];
	oidc_t *o = oidc_load(jwks, ISS, AUD, "preferred_username", 60, err, sizeof(err));

	(void)state;
	if (!o)
		fail_msg("%s", err);
	assert_int_equal(oidc_key_count(o), 1);
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a", good), "alice", NULL);
	/* aud may be a list */
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"" AUD "\"],\"exp\":1795000300,\"preferred_username\":\"bob\"}"),
	       "bob", NULL);
	/* within the skew */
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1794999950,\"preferred_username\":\"alice\"}"),
	       "alice", NULL);
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1794999900,\"preferred_username\":\"alice\"}"),
	       NULL, "expired");
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,\"nbf\":1795000100,\"preferred_username\":\"a\"}"),
	       NULL, "not valid yet");
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"https://evil\",\"aud\":\"" AUD "\",\"exp\":1795000300,\"preferred_username\":\"alice\"}"),
	       NULL, "issuer");
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"other\",\"exp\":1795000300,\"preferred_username\":\"alice\"}"),
	       NULL, "audience");
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":1795000300,\"preferred_username\":\"Alice Smith\"}"),
	       NULL, "not a login name");
	expect(o, token(key_a, JWT_ALG_RS256, "kid-a",
			"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"preferred_username\":\"alice\"}"),
	       NULL, "expired");
	/* another key, claiming to be ours or not */
	expect(o, token(key_b, JWT_ALG_RS256, "kid-a", good), NULL, "signature");
	expect(o, token(key_b, JWT_ALG_RS256, "kid-b", good), NULL, "not in OidcJwks");
	/* the classic forgeries */
	expect(o, token(NULL, JWT_ALG_NONE, "kid-a", good), NULL, "only RS256");
	expect(o, token(NULL, JWT_ALG_HS256, "kid-a", good), NULL, "only RS256");
	expect(o, strdup("not-a-jwt"), NULL, "not a JWT");
	expect(o, strdup("eyJhbGciOiJSUzI1NiJ9"), NULL, "not a JWT");
	oidc_free(o);
}

static void test_load_refusals(void **state)
{
	char err[256], path[] = "/tmp/oidc-bad.XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_null(oidc_load("/nonexistent/jwks.json", ISS, AUD, "", 60, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a JWKS document"));
	assert_null(oidc_load(jwks, "", AUD, "", 60, err, sizeof(err)));
	assert_non_null(strstr(err, "OidcIssuer="));
	assert_int_equal(write(fd, "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"x\"}]}", 33), 33);
	close(fd);
	assert_null(oidc_load(path, ISS, AUD, "", 60, err, sizeof(err)));
	assert_non_null(strstr(err, "no RSA signing key"));
	unlink(path);
}

/* Replace path atomically (a new inode, as a fetch timer's mv makes) */
static void publish(const char *path, EVP_PKEY *k, const char *kid, const char *raw)
{
	char tmp[64];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	assert_non_null(f = fopen(tmp, "w"));
	if (raw) {
		fputs(raw, f);
	} else {
		fputs("{\"keys\":[", f);
		jwk(f, k, kid);
		fputs("]}", f);
	}
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

static int kr_ok(oidc_keyring_t *k, EVP_PKEY *key, const char *kid)
{
	char user[64], why[256], *t = token(key, JWT_ALG_RS256, kid, good);
	int rc = oidc_keyring_verify(k, t, NOW, user, sizeof(user), NULL, why, sizeof(why));

	free(t);
	return rc == 0;
}

/* A rotated JWKS file is taken without a restart; a broken one is not, and
 * the keys in use stay. */
static void test_keyring_reload(void **state)
{
	char path[] = "/tmp/oidc-ring.XXXXXX", err[256];
	int fd = mkstemp(path);
	oidc_keyring_t *k;
	uint64_t reloads, refused;
	size_t keys;

	(void)state;
	close(fd);
	publish(path, key_a, "kid-a", NULL);
	assert_non_null(k = oidc_keyring_new(path, ISS, AUD, "preferred_username", 60, 1, err, sizeof(err)));
	assert_true(kr_ok(k, key_a, "kid-a"));
	assert_false(kr_ok(k, key_b, "kid-b"));
	/* half written: refused once, key a goes on working */
	publish(path, NULL, NULL, "{\"keys\": [");
	usleep(1100 * 1000);
	assert_true(kr_ok(k, key_a, "kid-a"));
	assert_true(kr_ok(k, key_a, "kid-a"));
	oidc_keyring_stats(k, &keys, &reloads, &refused);
	assert_int_equal(keys, 1);
	assert_int_equal(reloads, 0);
	assert_int_equal(refused, 1);
	/* rotated to key b */
	publish(path, key_b, "kid-b", NULL);
	usleep(1100 * 1000);
	assert_true(kr_ok(k, key_b, "kid-b"));
	assert_false(kr_ok(k, key_a, "kid-a"));
	oidc_keyring_stats(k, &keys, &reloads, &refused);
	assert_int_equal(reloads, 1);
	assert_int_equal(refused, 1);
	/* a file that goes away keeps the keys too */
	unlink(path);
	usleep(1100 * 1000);
	assert_true(kr_ok(k, key_b, "kid-b"));
	oidc_keyring_free(k);
	assert_null(oidc_keyring_new(path, ISS, AUD, "", 60, 1, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_keyring_reload),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
