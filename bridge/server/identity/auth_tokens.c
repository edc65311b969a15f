/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "auth_tokens.h"

#include <ctype.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int proxy_sig_make(const unsigned char *secret, size_t secret_len, const char *user, const char *time_s,
		   const char *method, const char *path, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char msg[2048];
	int n = snprintf(msg, sizeof(msg), "v1\n%s\n%s\n%s\n%s", user, time_s, method, path);

	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    !HMAC(EVP_sha256(), secret, (int)secret_len, (unsigned char *)msg, (size_t)n, mac, &maclen) ||
	    maclen != 32)
		return -1;
	hex(mac, 32, out);
	return 0;
}

int proxy_sig_verify(const unsigned char *secret, size_t secret_len, const char *user, const char *time_s,
		     const char *method, const char *path, const char *sig_hex, int64_t now, int max_skew, char *why,
		     size_t whylen)
{
	char want[65], got[65], *end = NULL;
	long long t;

	if (!user || !time_s || !sig_hex) {
		snprintf(why, whylen, "X-Octopus-User, X-Octopus-Time and X-Octopus-Signature go together");
		return -1;
	}
	t = strtoll(time_s, &end, 10);
	if (!time_s[0] || *end) {
		snprintf(why, whylen, "X-Octopus-Time must be epoch seconds");
		return -1;
	}
	if (t < now - max_skew || t > now + max_skew) {
		snprintf(why, whylen, "X-Octopus-Time is %lld s away from the bridge's clock (allowed: %d)",
			 t - (long long)now, max_skew);
		return -1;
	}
	if (strlen(sig_hex) != 64) {
		snprintf(why, whylen, "X-Octopus-Signature must be 64 hex digits");
		return -1;
	}
	/* hex in either case: proxies differ (Apache's expressions print upper case) */
	for (int i = 0; i < 64; i++)
		got[i] = (char)tolower((unsigned char)sig_hex[i]);
	got[64] = '\0';
	if (proxy_sig_make(secret, secret_len, user, time_s, method, path, want) || CRYPTO_memcmp(want, got, 64)) {
		snprintf(why, whylen, "X-Octopus-Signature does not match");
		return -1;
	}
	return 0;
}

int pat_new(char token[PAT_LEN + 1], char hash[PAT_HASH_HEX])
{
	unsigned char raw[32];
	char b64[64];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));      /* 44 chars, one '=' */
	for (char *p = b64; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	memcpy(token, "pat_", 4);
	memcpy(token + 4, b64, 43);
	token[PAT_LEN] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return pat_hash(token, hash);
}

int pat_hash(const char *token, char hash[PAT_HASH_HEX])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	if (strlen(token) != PAT_LEN || strncmp(token, "pat_", 4))
		return -1;
	for (const char *p = token + 4; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return -1;
	SHA256((const unsigned char *)token, PAT_LEN, d);
	hex(d, sizeof(d), hash);
	return 0;
}
