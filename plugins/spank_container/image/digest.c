/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "digest.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

/*
 * Nettle rather than OpenSSL's EVP: every container step verifies its
 * manifest and config, and loading libcrypto plus its first EVP fetch cost
 * a step ~6 ms; Nettle costs nothing to start and hashes at the same speed
 * (SHA-NI through its fat build).
 */
struct digest {
	int is512;
	union {
		struct sha256_ctx s256;
		struct sha512_ctx s512;
	} ctx;
	char expected[IMG_DIGEST_MAX];
};

digest_t *digest_new(const char *expected)
{
	digest_t *d;

	if (!expected || !img_digest_valid(expected))
		return NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	d->is512 = strncmp(expected, "sha256:", 7) != 0;
	if (d->is512)
		sha512_init(&d->ctx.s512);
	else
		sha256_init(&d->ctx.s256);
	snprintf(d->expected, sizeof(d->expected), "%s", expected);
	return d;
}

void digest_update(digest_t *d, const void *buf, size_t len)
{
	if (d->is512)
		sha512_update(&d->ctx.s512, len, buf);
	else
		sha256_update(&d->ctx.s256, len, buf);
}

int digest_finish(digest_t *d, char *actual, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[SHA512_DIGEST_SIZE];
	size_t n = d->is512 ? SHA512_DIGEST_SIZE : SHA256_DIGEST_SIZE;
	char hex[IMG_DIGEST_MAX];
	size_t used;

	if (d->is512)
		sha512_digest(&d->ctx.s512, n, md);
	else
		sha256_digest(&d->ctx.s256, n, md);
	used = (size_t)snprintf(hex, sizeof(hex), "%s", d->is512 ? "sha512:" : "sha256:");
	for (size_t i = 0; i < n && used + 2 < sizeof(hex); i++) {
		hex[used++] = hexd[md[i] >> 4];
		hex[used++] = hexd[md[i] & 15];
	}
	hex[used] = '\0';
	if (actual && len)
		snprintf(actual, len, "%s", hex);
	return strcmp(hex, d->expected) == 0;
}

void digest_free(digest_t *d)
{
	free(d);
}
