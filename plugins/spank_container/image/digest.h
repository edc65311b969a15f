/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * digest - verify content against an OCI digest ("sha256:<hex>",
 * "sha512:<hex>") while it streams, with Nettle.
 */
#ifndef OCTOPUS_DIGEST_H
#define OCTOPUS_DIGEST_H

#include <stddef.h>

typedef struct digest digest_t;

/* NULL if expected is not a valid digest or on allocation failure. */
digest_t *digest_new(const char *expected);
void digest_update(digest_t *d, const void *buf, size_t len);
/* Finish: 1 if the content matched, 0 if not; actual gets "algo:hex". */
int digest_finish(digest_t *d, char *actual, size_t len);
void digest_free(digest_t *d);

#endif
