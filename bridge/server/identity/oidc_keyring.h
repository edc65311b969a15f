/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oidc_keyring - the OIDC verifier behind OidcJwks=, reloaded when the file
 * changes: identity providers rotate their signing keys, and sites keep the
 * file current with a timer that fetches the provider's JWKS. At most every
 * few seconds a request looks at the file (inode, size, mtime); a changed
 * file that loads replaces the keys, one that does not keeps the last good
 * keys and says why in the log, once per change. Thread-safe: requests
 * verify under a read lock; the swap takes the write lock.
 */
#ifndef OCTOPUS_OIDC_KEYRING_H
#define OCTOPUS_OIDC_KEYRING_H

#include <stddef.h>
#include <stdint.h>

typedef struct oidc_keyring oidc_keyring_t;

/* NULL with err when the file does not load now (the bridge does not start). */
oidc_keyring_t *oidc_keyring_new(const char *jwks_path, const char *issuer, const char *audience,
				 const char *user_claim, int skew, int recheck_s, char *err, size_t errlen);
void oidc_keyring_free(oidc_keyring_t *k);

/* oidc_verify with the current keys (after a reload check when due). */
int oidc_keyring_verify(oidc_keyring_t *k, const char *token, int64_t now, char *user, size_t ulen,
			int64_t *auth_time, char *why, size_t wl);

/* How many keys are in use, and how many reloads took / were refused. */
void oidc_keyring_stats(oidc_keyring_t *k, size_t *keys, uint64_t *reloads, uint64_t *refused);

#endif
