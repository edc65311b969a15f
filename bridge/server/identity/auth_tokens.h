/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_tokens - the two credentials the bridge checks itself (OIDC tokens
 * are oidc.c's):
 *   proxy signatures   a trusted reverse proxy (OOD/Apache after OIDC)
 *                      names the user in X-Octopus-User and signs
 *                      "v1\n<user>\n<time>\n<METHOD>\n<path>" with HMAC-SHA256
 *                      under a shared secret; the time must be within the
 *                      allowed skew, so a captured header is good for one
 *                      route for seconds
 *   personal tokens    "pat_" + 43 base64url characters (256 random bits);
 *                      only their SHA-256 is stored
 */
#ifndef OCTOPUS_AUTH_TOKENS_H
#define OCTOPUS_AUTH_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#define PAT_LEN 47              /* "pat_" + 43 */
#define PAT_HASH_HEX 65

/* 0 when sig_hex is the signature of (user, time, method, path) and time is
 * within max_skew seconds of now; -1 with why. */
int proxy_sig_verify(const unsigned char *secret, size_t secret_len, const char *user, const char *time_s,
		     const char *method, const char *path, const char *sig_hex, int64_t now, int max_skew, char *why,
		     size_t whylen);

/* The signature a proxy sends (tests, the OOD app's helper): 64 hex + NUL. */
int proxy_sig_make(const unsigned char *secret, size_t secret_len, const char *user, const char *time_s,
		   const char *method, const char *path, char out[65]);

/* A new personal token and its hash. 0, or -1 if the RNG fails. */
int pat_new(char token[PAT_LEN + 1], char hash[PAT_HASH_HEX]);

/* The hash of a presented token; -1 when it is not shaped like one. */
int pat_hash(const char *token, char hash[PAT_HASH_HEX]);

#endif
