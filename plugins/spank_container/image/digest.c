/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

struct digest {
	EVP_MD_CTX *ctx;
	char expected[IMG_DIGEST_MAX];
};

digest_t *digest_new(const char *expected)
{
	const EVP_MD *md;
	digest_t *d;

	if (!expected || !img_digest_valid(expected))
		return NULL;
	md = !strncmp(expected, "sha256:", 7) ? EVP_sha256() : EVP_sha512();
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	if (!(d->ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(d->ctx, md, NULL) != 1) {
		digest_free(d);
		return NULL;
	}
	snprintf(d->expected, sizeof(d->expected), "%s", expected);
	return d;
}

void digest_update(digest_t *d, const void *buf, size_t len)
{
	EVP_DigestUpdate(d->ctx, buf, len);
}

int digest_finish(digest_t *d, char *actual, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[IMG_DIGEST_MAX];
	size_t used;

	if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1)
		return 0;
	used = (size_t)snprintf(hex, sizeof(hex), "%.7s", d->expected);      /* "sha256:" */
	for (unsigned i = 0; i < n && used + 2 < sizeof(hex); i++)
		used += (size_t)snprintf(hex + used, sizeof(hex) - used, "%02x", md[i]);
	if (actual && len)
		snprintf(actual, len, "%s", hex);
	return strcmp(hex, d->expected) == 0;
}

void digest_free(digest_t *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}
